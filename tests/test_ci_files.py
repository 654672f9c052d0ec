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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import EXAMPLES, REPO, run_wsaudit

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


# The composite action, run step by step the way the runner runs it: each step's `if` decided,
# its `env` expressions resolved from the inputs and the earlier steps' outputs, its script run
# by bash with fresh GITHUB_OUTPUT, GITHUB_PATH and GITHUB_STEP_SUMMARY files. The `uses:` steps
# (setup-python, the SARIF upload) cannot run here: the run records whether they would have
# run and with which `with:` values. `wsaudit-bin-dir` points the install step at the wsaudit
# already installed next to this interpreter, so nothing is downloaded.

CONDITION = re.compile(r"^(?P<left>[A-Za-z0-9_.-]+)\s*(?P<op>==|!=)\s*'(?P<right>[^']*)'$")


@dataclass
class ActionRun:
    """What one local run of the action did."""

    failed: bool
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    path_entries: list[str] = field(default_factory=list)
    summary: str = ""
    would_use: dict[str, dict[str, str]] = field(default_factory=dict)


def _action_context(inputs: dict[str, str], run: ActionRun) -> dict[str, str]:
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.action_path"] = str(REPO)
    for step_id, outputs in run.outputs.items():
        context.update({f"steps.{step_id}.outputs.{name}": value for name, value in outputs.items()})
    return context


def _resolve(value: str, context: dict[str, str]) -> str:
    """A value that is one ``${{ name }}`` expression, resolved; anything richer fails the test."""
    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        assert re.fullmatch(r"(inputs|steps|github)\.[A-Za-z0-9_.-]+", name), f"unsupported expression {name}"
        return context.get(name, "")

    return EXPRESSION.sub(replace, str(value))


def _should_run(condition: str | None, failed: bool, context: dict[str, str]) -> bool:
    if condition is None:
        return not failed
    body = EXPRESSION.fullmatch(condition.strip())
    terms = [term.strip() for term in (body.group(1) if body else condition).split("&&")]
    decided = "always()" in terms or not failed
    for term in terms:
        if term == "always()":
            continue
        parsed = CONDITION.match(term)
        assert parsed, f"unsupported condition {term}"
        value = context.get(parsed["left"], "")
        decided = decided and ((value == parsed["right"]) == (parsed["op"] == "=="))
    return decided


def _read_outputs(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all("=" in line and "<<" not in line.split("=", 1)[0] for line in lines), lines
    return dict(line.split("=", 1) for line in lines)


def run_action(action: dict[str, Any], workspace: Path, runner_temp: Path, **given: str) -> ActionRun:
    """Run the composite action's steps in ``workspace`` with the inputs ``given`` (rest default)."""
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    assert set(given) <= set(inputs), set(given) - set(inputs)
    inputs.update(given)
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "RUNNER_", "INPUT_"))}
    run = ActionRun(failed=False)
    for number, step in enumerate(action["runs"]["steps"]):
        context = _action_context(inputs, run)
        name = step.get("id") or step.get("name") or str(number)
        if not _should_run(step.get("if"), run.failed, context):
            continue
        if "uses" in step:
            run.would_use[step["uses"]] = {key: _resolve(value, context) for key, value in step.get("with", {}).items()}
            continue
        files = {kind: runner_temp / f"{kind}-{number}" for kind in ("output", "path", "summary")}
        script = runner_temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {**base_env, "RUNNER_TEMP": str(runner_temp), "GITHUB_WORKSPACE": str(workspace),
               "GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(files["output"]),
               "GITHUB_PATH": str(files["path"]), "GITHUB_STEP_SUMMARY": str(files["summary"]),
               **{key: _resolve(value, context) for key, value in step.get("env", {}).items()}}
        env["PATH"] = os.pathsep.join([*reversed(run.path_entries), env["PATH"]])
        assert step["shell"] == "bash"
        completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                                   env=env, capture_output=True, text=True, timeout=300)
        run.logs[name] = completed.stdout + completed.stderr
        run.exit_codes[name] = completed.returncode
        run.outputs[name] = _read_outputs(files["output"])
        if files["path"].exists():
            run.path_entries += files["path"].read_text(encoding="utf-8").splitlines()
        if files["summary"].exists():
            run.summary += files["summary"].read_text(encoding="utf-8")
        run.failed = run.failed or completed.returncode != 0
    return run


def _git_workspace(tmp_path: Path, files: dict[str, str]) -> Path:
    """A git repository holding ``files`` (path relative to the top: example manifest name)."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    _git("init", "-q", "-b", "main", cwd=workspace)
    for relative, example in files.items():
        target = workspace / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((EXAMPLES / example).read_text(encoding="utf-8"), encoding="utf-8")
    return workspace


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    folder = tmp_path / "runner-temp"
    folder.mkdir()
    return folder


INSTALLED = str(Path(sys.executable).parent)


def _sarif_locations(run: ActionRun) -> list[str]:
    sarif = json.loads(Path(run.outputs["audit"]["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    return [location["physicalLocation"]["artifactLocation"]["uri"]
            for sarif_run in sarif["runs"] for result in sarif_run.get("results", [])
            for location in result["locations"]]


def test_action_fails_the_job_on_a_failing_yml_manifest_found_by_the_default_paths(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"apps/mail/export.wsaudit.yml": "mailbox-export.yaml",
                                          "apps/inbox/digest.wsaudit.yaml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED})
    assert run.outputs["audit"]["exit-code"] == "1", run.logs
    assert run.failed and run.exit_codes["Fail on the audit's exit code"] == 1
    locations = _sarif_locations(run)
    assert locations and all(uri.endswith("apps/mail/export.wsaudit.yml") for uri in locations)


def test_action_passes_a_compliant_manifest_and_writes_the_job_summary(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"apps/inbox/digest.wsaudit.yml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED})
    assert not run.failed, run.logs
    assert run.outputs["audit"]["exit-code"] == "0"
    markdown = Path(run.outputs["audit"]["markdown-file"]).read_text(encoding="utf-8")
    assert "apps/inbox/digest.wsaudit.yml" in markdown
    assert run.summary == markdown


def test_action_audits_paths_with_spaces_one_per_line(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"my apps/mail export.wsaudit.yaml": "mailbox-export.yaml",
                                          "team manifests/inbox/in box.wsaudit.yml": "inbox-digest.yaml",
                                          "unrelated/other.wsaudit.yaml": "mailbox-export.yaml"})
    paths = "my apps/mail export.wsaudit.yaml\n  team manifests/**/*.wsaudit.yml  \n\n"
    run = run_action(action, workspace, runner_temp, paths=paths, **{"wsaudit-bin-dir": INSTALLED})
    assert run.outputs["audit"]["exit-code"] == "1", run.logs
    markdown = Path(run.outputs["audit"]["markdown-file"]).read_text(encoding="utf-8")
    assert "my apps/mail export.wsaudit.yaml" in markdown and "team manifests/inbox/in box.wsaudit.yml" in markdown
    assert "unrelated/other.wsaudit.yaml" not in markdown


def test_action_puts_wsaudit_on_the_path_of_later_steps(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"app.wsaudit.yaml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED})
    assert run.path_entries, run.logs
    # Only the command goes on PATH, not the interpreter and pip of the environment it lives in.
    (entry,) = run.path_entries
    assert sorted(child.name for child in Path(entry).iterdir()) == ["wsaudit"]
    later = subprocess.run(["bash", "--noprofile", "--norc", "-c", "wsaudit --version"], cwd=workspace,
                           env={**os.environ, "PATH": f"{entry}{os.pathsep}/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=60)
    assert later.returncode == 0 and later.stdout.startswith("wsaudit"), later.stderr


def test_action_hands_the_sarif_report_to_the_upload(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"app.wsaudit.yml": "mailbox-export.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED, "sarif-category": "mail"})
    (upload,) = [used for uses, used in run.would_use.items() if uses.startswith("github/codeql-action/upload-sarif@")]
    assert upload == {"sarif_file": run.outputs["audit"]["sarif-file"], "category": "mail"}
    assert not any(uses.startswith("actions/setup-python@") for uses in run.would_use), "nothing to set up"


def test_action_skips_the_upload_when_asked(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"app.wsaudit.yml": "mailbox-export.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED, "upload-sarif": "false"})
    assert run.outputs["audit"]["sarif-file"] and not run.would_use


def test_action_fails_when_no_path_names_a_manifest(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"k8s/deploy.yaml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, **{"wsaudit-bin-dir": INSTALLED})
    assert run.outputs["audit"] == {"exit-code": "2"}
    assert run.failed and run.exit_codes["Fail on the audit's exit code"] == 2
    assert "::error title=wsaudit::no manifest to audit" in run.logs["audit"]


def test_action_warns_about_a_pattern_that_matches_nothing(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"app.wsaudit.yaml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, paths="app.wsaudit.yaml\nmissing/**/*.wsaudit.yml",
                     **{"wsaudit-bin-dir": INSTALLED})
    assert run.outputs["audit"]["exit-code"] == "0", run.logs
    assert "::warning title=wsaudit::no file matches missing/**/*.wsaudit.yml" in run.logs["audit"]


def test_action_passes_a_missing_plain_path_to_wsaudit_which_names_it(action, tmp_path, runner_temp):
    workspace = _git_workspace(tmp_path, {"app.wsaudit.yaml": "inbox-digest.yaml"})
    run = run_action(action, workspace, runner_temp, paths="app.wsaudit.yaml\nnot here.wsaudit.yaml",
                     **{"wsaudit-bin-dir": INSTALLED})
    assert run.outputs["audit"]["exit-code"] == "2"
    assert "not here.wsaudit.yaml: error: no such file or folder" in run.logs["audit"]


def test_action_default_paths_find_every_name_the_hooks_accept(action, hooks):
    patterns = [line.strip() for line in action["inputs"]["paths"]["default"].splitlines() if line.strip()]
    suffixes = sorted(pattern.removeprefix("**/*") for pattern in patterns)
    assert all(pattern.startswith("**/*") for pattern in patterns)
    assert suffixes == [".wsaudit.yaml", ".wsaudit.yml"]
    for hook in hooks:
        assert all(re.search(hook["files"], f"apps/x{suffix}") for suffix in suffixes), hook["id"]


PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[^@\s]+)@(?P<ref>\S+)(?P<comment>\s+#\s*(?P<version>\S+))?\s*$")


def _third_party_uses(text: str) -> list[re.Match]:
    found = [PINNED_USES.match(line) for line in text.splitlines()]
    return [match for match in found if match and not match["action"].endswith("/workspace-auditor")
            and not match["action"].startswith(("./", "docker://"))]


def test_action_pins_third_party_actions_to_commit_shas():
    uses = _third_party_uses(ACTION.read_text(encoding="utf-8"))
    assert {match["action"] for match in uses} == {"actions/setup-python", "github/codeql-action/upload-sarif"}
    for match in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), match.group(0)
        assert match["version"] and re.fullmatch(r"v\d+\.\d+\.\d+", match["version"]), match.group(0)


def test_action_installs_the_auditor_from_its_own_checkout_with_hashed_pins(action):
    install = next(step for step in action["runs"]["steps"] if step.get("id") == "install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '--require-hashes -r "$ACTION_PATH/requirements-action.txt"' in install["run"]
    assert '--no-build-isolation "$ACTION_PATH"' in install["run"]


ACTION_LOCK = REPO / "requirements-action.txt"


def _lock_entries(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """``{name: (requirement line, hashes)}`` of a hashed lock file."""
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and line[0] not in " #":
            requirement = line.rstrip(" \\")
            name = re.split(r"[=;\s]", requirement, maxsplit=1)[0].lower()
            entries[name] = (requirement.split(";")[0].strip(), frozenset())
        elif line.strip().startswith("--hash="):
            entries[name] = (entries[name][0], entries[name][1] | {line.strip().rstrip(" \\")})
    return entries


def test_action_lock_is_the_runtime_part_of_the_test_lock():
    action_lock, test_lock = _lock_entries(ACTION_LOCK), _lock_entries(REPO / "requirements-test.txt")
    assert action_lock and all(hashes for _, hashes in action_lock.values())
    assert {name: action_lock[name] for name in action_lock} == {name: test_lock.get(name) for name in action_lock}


def test_action_lock_holds_every_runtime_dependency_and_the_build_backend():
    from importlib.metadata import requires

    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    locked = set(_lock_entries(ACTION_LOCK))
    needed, queue = set(), ["workspace-auditor", "hatchling"]
    while queue:
        name = re.sub(r"[-_.]+", "-", queue.pop()).lower()
        if name in needed:
            continue
        needed.add(name)
        for text in requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({**default_environment(), "extra": ""}):
                queue.append(requirement.name)
    assert needed - {"workspace-auditor"} <= locked, sorted(needed - locked)


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
    assert len(_workflows()) == 3
    for workflow in _workflows():
        _check_workflow(workflow)


def test_guide_uses_only_the_action_inputs_and_hooks_that_exist(action, hooks):
    uses_action = [step for workflow in _workflows() for job in workflow["jobs"].values() for step in job["steps"]
                   if step.get("uses", "").split("@")[0].endswith("/workspace-auditor")]
    assert uses_action
    for step in uses_action:
        assert set(step.get("with", {})) <= set(action["inputs"])
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


# ---------------------------------------------------------------- actionlint

DOCS = REPO / "docs"


def _action_as_workflow(action: dict[str, Any]) -> str:
    """The composite action's steps as a workflow, so actionlint checks their expressions.

    actionlint reads workflows, not action metadata: the action's inputs become
    ``workflow_dispatch`` inputs (so ``inputs.*`` is typed the same) and its steps one job.
    """
    inputs = {name: {key: value for key, value in spec.items() if key in {"description", "required", "default"}}
              | {"type": "string"} for name, spec in action["inputs"].items()}
    workflow = {"name": action["name"], "on": {"workflow_dispatch": {"inputs": inputs}},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}}
    return yaml.safe_dump(workflow, sort_keys=False, width=1000)


def _workflow_snippets() -> dict[str, str]:
    """Every GitHub workflow snippet of the docs, completed into a workflow where it is a part.

    A whole workflow is linted as written; a list of steps or a ``steps:`` mapping becomes one
    job of a workflow; an ``on:`` fragment gets a job. Other YAML (pre-commit configs, manifests)
    is not a workflow.
    """
    snippets: dict[str, str] = {}
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", text, re.S)):
            data = yaml.safe_load(block)
            name = f".github/workflows/{page.stem}-{number}.yml"
            job = {"runs-on": "ubuntu-latest", "steps": [{"run": "true"}]}
            if isinstance(data, dict) and "jobs" in data:
                snippets[name] = block
            elif isinstance(data, dict) and "steps" in data:
                rest = {key: value for key, value in data.items() if key != "steps"}
                snippets[name] = yaml.safe_dump({"on": "push", **rest, "jobs": {"example": {
                    "runs-on": "ubuntu-latest", "steps": data["steps"]}}}, sort_keys=False, width=1000)
            elif isinstance(data, list) and data and all(isinstance(s, dict) and ("run" in s or "uses" in s)
                                                         for s in data):
                snippets[name] = yaml.safe_dump({"on": "push", "jobs": {"example": {
                    "runs-on": "ubuntu-latest", "steps": data}}}, sort_keys=False, width=1000)
            elif isinstance(data, dict) and set(data) == {True}:  # a bare `on:` read by YAML 1.1
                snippets[name] = block + yaml.safe_dump({"jobs": {"example": job}}, sort_keys=False)
    return snippets


def test_actionlint_finds_nothing_in_the_action(action, actionlint):
    assert actionlint({".github/workflows/action.yml": _action_as_workflow(action)}) == []


def test_actionlint_finds_nothing_in_the_workflow_snippets_of_the_docs(actionlint):
    snippets = _workflow_snippets()
    pages = {name.rsplit("/", 1)[1].rsplit("-", 1)[0] for name in snippets}
    assert {"ci", "reports"} <= pages and len(snippets) >= 5, sorted(snippets)
    assert actionlint(snippets) == []


def test_actionlint_runs_and_reports_a_broken_workflow(actionlint):
    """The lint is live: an undefined context property and a bad runner label are reported."""
    broken = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
              "      - run: echo \"${{ github.no_such_thing }}\"\n")
    problems = actionlint({".github/workflows/broken.yml": broken})
    assert [(problem["line"], problem["kind"]) for problem in problems] == [(6, "expression")]


def test_docs_pin_third_party_actions_to_commit_shas():
    for page in sorted(DOCS.glob("*.md")):
        for match in _third_party_uses(page.read_text(encoding="utf-8")):
            assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), (page.name, match.group(0))
            assert match["version"] and re.fullmatch(r"v\d+\.\d+\.\d+", match["version"]), (page.name, match.group(0))
