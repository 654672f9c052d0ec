"""The GitHub Action, the pre-commit hooks and the CI guide: valid for their formats, and working.

The format checks are written from the published references: GitHub's "Metadata syntax for
GitHub Actions" (composite actions) and "Workflow syntax for GitHub Actions", and
pre-commit's "Creating new hooks" (the keys of ``.pre-commit-hooks.yaml``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLES, REPO, run_wsaudit

ACTION = REPO / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
GUIDE = REPO / "docs" / "ci.md"

IDENTIFIER = re.compile(r"^[_a-zA-Z][a-zA-Z0-9_-]*$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
USES = re.compile(r"^(\./[^@]*|docker://\S+|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[A-Za-z0-9_.\-/]+)$")
ACTION_KEYS = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
COMPOSITE_STEP_KEYS = {"run", "shell", "uses", "with", "name", "id", "if", "env", "working-directory",
                       "continue-on-error"}
SHELLS = {"bash", "pwsh", "python", "sh", "cmd", "powershell"}
BRANDING_COLORS = {"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
# A few of the Feather icons GitHub accepts for branding; the action uses one of them.
BRANDING_ICONS = {"shield", "check-circle", "check-square", "lock", "eye", "search", "alert-triangle"}

HOOK_REQUIRED = {"id": str, "name": str, "entry": str, "language": str}
HOOK_OPTIONAL = {
    "files": str, "exclude": str, "types": list, "types_or": list, "exclude_types": list, "always_run": bool,
    "fail_fast": bool, "verbose": bool, "pass_filenames": bool, "require_serial": bool, "description": str,
    "language_version": str, "minimum_pre_commit_version": str, "args": list, "stages": list,
    "additional_dependencies": list, "log_file": str,
}
HOOK_LANGUAGES = {"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell",
                  "julia", "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust", "swift", "unsupported",
                  "unsupported_script", "system", "script"}
# File type tags of the ``identify`` library that pre-commit filters on (the ones a manifest could have).
IDENTIFY_TAGS = {"file", "text", "yaml", "json", "executable", "non-executable"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return _load(ACTION)


@pytest.fixture(scope="module")
def hooks() -> list[dict[str, Any]]:
    return _load(HOOKS)


def _expressions(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [found for value in node.values() for found in _expressions(value)]
    if isinstance(node, list):
        return [found for value in node for found in _expressions(value)]
    return [match.strip() for match in EXPRESSION.findall(node)] if isinstance(node, str) else []


def _check_steps(steps: list[dict[str, Any]], allowed_keys: set[str] | None, composite: bool) -> None:
    """Shared step checks of action metadata and workflows."""
    assert isinstance(steps, list) and steps
    ids: list[str] = []
    for step in steps:
        assert isinstance(step, dict)
        if allowed_keys is not None:
            assert set(step) <= allowed_keys, set(step) - allowed_keys
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert isinstance(step["run"], str) and step["run"].strip()
            assert "with" not in step
            if composite:
                assert step.get("shell") in SHELLS or "{0}" in str(step.get("shell")), step
            # Values reach scripts through env: an expression inside a script is an injection risk.
            assert "${{" not in step["run"], step["run"]
        else:
            assert USES.match(step["uses"]), step["uses"]
            assert isinstance(step.get("with", {}), dict)
            assert all(isinstance(value, (str, int, float, bool)) for value in step.get("with", {}).values())
        assert isinstance(step.get("env", {}), dict)
        for key in ("name", "if"):
            assert isinstance(step.get(key, ""), str)
        # A step's outputs can only be read by later steps.
        for expression in _expressions(step):
            for used in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", expression):
                assert used in ids, f"{used} is not an earlier step id"
        if "id" in step:
            assert IDENTIFIER.match(step["id"]) and step["id"] not in ids
            ids.append(step["id"])


# ---------------------------------------------------------------- action.yml


def test_action_metadata_has_the_required_keys_and_types(action: dict[str, Any]):
    assert set(action) <= ACTION_KEYS
    for key in ("name", "description"):
        assert isinstance(action[key], str) and action[key].strip()
    assert isinstance(action.get("author", ""), str)
    assert set(action["branding"]) <= {"icon", "color"}
    assert action["branding"]["color"] in BRANDING_COLORS
    assert action["branding"]["icon"] in BRANDING_ICONS
    for input_id, spec in action["inputs"].items():
        assert IDENTIFIER.match(input_id), input_id
        assert set(spec) <= INPUT_KEYS and isinstance(spec["description"], str)
        assert isinstance(spec.get("required", False), bool)
        assert isinstance(spec.get("default", ""), str), f"{input_id}: a default is a string"
    for output_id, spec in action["outputs"].items():
        assert IDENTIFIER.match(output_id)
        assert set(spec) == {"description", "value"}, "a composite action's output needs description and value"
        assert isinstance(spec["value"], str) and spec["value"].startswith("${{")
    assert action["runs"]["using"] == "composite"
    assert set(action["runs"]) == {"using", "steps"}
    _check_steps(action["runs"]["steps"], COMPOSITE_STEP_KEYS, composite=True)


def test_action_inputs_and_expressions_are_consistent(action: dict[str, Any]):
    assert {"paths", "fail-on", "baseline", "waivers", "python-version"} <= set(action["inputs"])
    step_ids = {step["id"] for step in action["runs"]["steps"] if "id" in step}
    for expression in _expressions(action):
        for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", expression):
            assert name in action["inputs"], name
        for name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", expression):
            assert name in step_ids, name
    used = {name for expression in _expressions(action) for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", expression)}
    assert used == set(action["inputs"]), "every input is used"


def test_action_steps_do_what_the_action_promises(action: dict[str, Any]):
    steps = action["runs"]["steps"]
    scripts = [step.get("run", "") for step in steps]
    install = next(step for step in steps if "pip install" in step.get("run", ""))
    assert "${{ github.action_path }}" in install["env"].values()
    audit = next(step for step in steps if '"$WSAUDIT"' in step.get("run", ""))
    assert "audit" in audit["run"] and "--format sarif -o" in audit["run"] and "--format markdown -o" in audit["run"]
    assert any("$GITHUB_STEP_SUMMARY" in script for script in scripts)
    upload = next(step for step in steps if "uses" in step and "upload-sarif" in step["uses"])
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "sarif_file" in upload["with"]
    last = steps[-1]
    assert "always()" in last["if"] and 'exit "$EXIT_CODE"' in last["run"]


def _run_step(step: dict[str, Any], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run one ``run`` step the way the runner does (bash -e -o pipefail), with ``env`` resolved."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("manifest, code", [("inbox-digest.yaml", "0"), ("mailbox-export.yaml", "1")])
def test_action_scripts_audit_write_reports_and_exit_with_the_audit_code(action, tmp_path: Path, manifest, code):
    workspace = tmp_path / "workspace"
    (workspace / "apps" / "mail").mkdir(parents=True)
    (workspace / "apps" / "mail" / "app.wsaudit.yaml").write_text((EXAMPLES / manifest).read_text())
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    shim = tmp_path / "wsaudit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m auditor "$@"\n')
    shim.chmod(0o755)
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    github = {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
              "PYTHONPATH": str(REPO)}
    steps = {step.get("name"): step for step in action["runs"]["steps"]}
    audit = steps["Audit manifests"]
    inputs = {"WSAUDIT": str(shim), "INPUT_PATHS": action["inputs"]["paths"]["default"],
              "INPUT_FAIL_ON": "high", "INPUT_BASELINE": "", "INPUT_WAIVERS": ""}
    assert set(audit["env"]) == set(inputs)
    ran = _run_step(audit, {**github, **inputs}, workspace)
    assert ran.returncode == 0, ran.stderr
    recorded = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert recorded["exit-code"] == code
    sarif = json.loads(Path(recorded["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0"
    results = [result for run in sarif["runs"] for result in run.get("results", [])]
    assert bool(results) is (code == "1")
    assert all("apps/mail/app.wsaudit.yaml" in json.dumps(result["locations"]) for result in results)
    markdown = Path(recorded["markdown-file"]).read_text()
    assert markdown.strip()

    ran = _run_step(steps["Write the job summary"], {**github, "MARKDOWN": recorded["markdown-file"]}, workspace)
    assert ran.returncode == 0 and summary.read_text() == markdown

    ran = _run_step(steps["Fail on the audit's exit code"], {**github, "EXIT_CODE": code}, workspace)
    assert str(ran.returncode) == code


def test_action_script_reports_an_unmatched_path_pattern(action, tmp_path: Path):
    shim = tmp_path / "wsaudit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m auditor "$@"\n')
    shim.chmod(0o755)
    outputs = tmp_path / "outputs"
    audit = next(step for step in action["runs"]["steps"] if step.get("id") == "audit")
    ran = _run_step(audit, {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(outputs), "PYTHONPATH": str(REPO),
                            "WSAUDIT": str(shim), "INPUT_PATHS": "manifests/**/*.wsaudit.yaml", "INPUT_FAIL_ON": "high",
                            "INPUT_BASELINE": "", "INPUT_WAIVERS": ""}, tmp_path)
    assert ran.returncode == 0
    assert "exit-code=2" in outputs.read_text()
    assert "manifests/**/*.wsaudit.yaml: error: no such file or folder" in ran.stderr


# ---------------------------------------------------------------- .pre-commit-hooks.yaml


def test_hooks_have_the_required_keys_and_types(hooks: list[dict[str, Any]]):
    assert isinstance(hooks, list) and hooks
    ids = [hook["id"] for hook in hooks]
    assert len(ids) == len(set(ids))
    for hook in hooks:
        for key, kind in HOOK_REQUIRED.items():
            assert isinstance(hook.get(key), kind) and hook[key].strip(), (hook.get("id"), key)
        for key, value in hook.items():
            assert key in HOOK_REQUIRED or key in HOOK_OPTIONAL, key
            kind = HOOK_REQUIRED.get(key) or HOOK_OPTIONAL[key]
            assert isinstance(value, kind), (hook["id"], key)
            if kind is list:
                assert all(isinstance(item, str) for item in value)
        assert hook["language"] in HOOK_LANGUAGES
        for key in ("files", "exclude"):
            if key in hook:
                re.compile(hook[key])
        assert set(hook.get("types", [])) <= IDENTIFY_TAGS


def test_hooks_pick_manifests_by_name(hooks: list[dict[str, Any]]):
    for hook in hooks:
        pattern = re.compile(hook["files"])
        for path in ("manifests/app.wsaudit.yaml", "apps/mail/mail.wsaudit.yml", "app.wsaudit.yaml"):
            assert pattern.search(path), (hook["id"], path)
        for path in ("k8s/manifests/deploy.yaml", ".github/workflows/ci.yml", "app.wsaudit.yaml.bak",
                     "wsaudit.json", "notes.md"):
            assert not pattern.search(path), (hook["id"], path)


def test_hook_entries_are_commands_this_package_installs(hooks: list[dict[str, Any]], tmp_path: Path):
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    good = tmp_path / "inbox.wsaudit.yaml"
    good.write_text((EXAMPLES / "inbox-digest.yaml").read_text())
    bad = tmp_path / "broken.wsaudit.yaml"
    bad.write_text("manifest_version: 1\napp: {name: X}\nscopes: []\n")
    for hook in hooks:
        command, *arguments = hook["entry"].split()
        assert command in scripts
        # pre-commit appends the changed files to the entry.
        assert run_wsaudit(*arguments, str(good)).code == 0, hook["id"]
        assert run_wsaudit(*arguments, str(bad)).code == 2, hook["id"]


# ---------------------------------------------------------------- docs/ci.md


def _yaml_blocks() -> list[Any]:
    text = GUIDE.read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def _workflows() -> list[dict[str, Any]]:
    return [block for block in _yaml_blocks() if isinstance(block, dict) and "jobs" in block]


def _triggers(workflow: dict[str, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true


def _check_workflow(workflow: dict[str, Any]) -> None:
    assert isinstance(workflow.get("name"), str)
    assert _triggers(workflow)
    for job in workflow["jobs"].values():
        assert isinstance(job["runs-on"], str)
        _check_steps(job["steps"], None, composite=False)


def test_every_yaml_example_in_the_guide_parses():
    blocks = _yaml_blocks()
    assert len(blocks) >= 6
    assert len(_workflows()) == 2
    for workflow in _workflows():
        _check_workflow(workflow)


def test_guide_uses_only_the_action_inputs_and_hooks_that_exist(action, hooks):
    uses_action = [step for workflow in _workflows() for job in workflow["jobs"].values() for step in job["steps"]
                   if step.get("uses", "").split("@")[0].endswith("/workspace-auditor")]
    assert uses_action
    for step in uses_action:
        assert set(step["with"]) <= set(action["inputs"])
    hook_ids = {hook["id"] for hook in hooks}
    configs = [block for block in _yaml_blocks() if isinstance(block, dict) and "repos" in block]
    assert configs
    for config in configs:
        for repo in config["repos"]:
            if repo["repo"].endswith("/workspace-auditor"):
                assert {hook["id"] for hook in repo["hooks"]} <= hook_ids
    text = GUIDE.read_text(encoding="utf-8")
    for input_id in action["inputs"]:
        assert f"| `{input_id}` |" in text, f"input {input_id} is documented"


def _diff_workflow() -> dict[str, Any]:
    found = [workflow for workflow in _workflows()
             if any("wsaudit diff" in step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])]
    assert len(found) == 1
    return found[0]


def test_guide_has_the_pull_request_diff_comment_workflow():
    workflow = _diff_workflow()
    assert "pull_request" in _triggers(workflow)
    assert workflow["permissions"]["pull-requests"] == "write"
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    diff = next(step for step in steps if "wsaudit diff" in step.get("run", ""))
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert re.search(r'wsaudit diff --git-ref "origin/\$BASE_REF" .*--format markdown -o (\S+)', diff["run"])
    report = re.search(r"--format markdown -o (\S+)", diff["run"]).group(1)
    comment = next(step for step in steps if step.get("uses", "").startswith("actions/github-script@"))
    assert report in comment["with"]["script"] and "createComment" in comment["with"]["script"]
    assert steps.index(diff) < steps.index(comment) < len(steps) - 1
    assert "exit" in steps[-1]["run"] and diff["id"] in steps[-1]["if"]


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_the_documented_diff_step_runs_against_a_base_branch(tmp_path: Path):
    """The diff step's script, run in a clone whose pull request adds a restricted scope."""
    upstream = tmp_path / "upstream"
    (upstream / "manifests").mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=upstream)
    manifest = upstream / "manifests" / "inbox.wsaudit.yaml"
    manifest.write_text((EXAMPLES / "inbox-digest.yaml").read_text())
    _git("add", ".", cwd=upstream)
    _git("commit", "-q", "-m", "base", cwd=upstream)
    clone = tmp_path / "clone"
    _git("clone", "-q", str(upstream), str(clone), cwd=tmp_path)
    changed = clone / "manifests" / "inbox.wsaudit.yaml"
    text = changed.read_text().replace("  - scope: openid\n", "  - scope: https://mail.google.com/\n  - scope: openid\n", 1)
    changed.write_text(text.replace("  in_product: true\n", "  in_product: false\n", 1))
    outputs = tmp_path / "outputs"
    diff = next(step for step in _diff_workflow()["jobs"]["compliance-diff"]["steps"]
                if "wsaudit diff" in step.get("run", ""))
    env = {"BASE_REF": "main", "GITHUB_OUTPUT": str(outputs), "PYTHONPATH": str(REPO),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = _run_step(diff, env, clone)
    assert ran.returncode == 0, ran.stderr
    assert outputs.read_text().strip() == "exit-code=1"
    report = (clone / "wsaudit-diff.md").read_text()
    assert "https://mail.google.com/" in report and "WUD-TR-002" in report
