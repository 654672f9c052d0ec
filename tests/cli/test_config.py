"""Gate defaults from .wsaudit.toml or pyproject.toml, command-line options winning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.helpers import EXAMPLES

FAILING = EXAMPLES / "mailbox-export.yaml"  # fails at critical and high


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manifests").mkdir()
    shutil.copyfile(FAILING, tmp_path / "manifests" / "app.yaml")
    return tmp_path


def test_fail_on_from_the_config_file_sets_the_gate(wsaudit, project):
    (project / ".wsaudit.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    result = wsaudit("audit", "manifests", cwd=project)
    assert result.code == 0, result.stderr


def test_a_command_line_option_wins_over_the_file(wsaudit, project):
    (project / ".wsaudit.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    result = wsaudit("audit", "manifests", "--fail-on", "high", cwd=project)
    assert result.code == 1, result.stderr


def test_paths_from_the_file_are_audited_when_none_is_given(wsaudit, project):
    (project / ".wsaudit.toml").write_text('paths = ["manifests"]\n', encoding="utf-8")
    result = wsaudit("audit", "--format", "json", "--fail-on", "never", cwd=project)
    assert result.code == 0, result.stderr
    assert [item["path"] for item in json.loads(result.stdout)["manifests"]] == ["manifests/app.yaml"]


def test_the_pyproject_table_is_read_from_a_parent_folder(wsaudit, project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.wsaudit]\nfail_on = "never"\n',
                                            encoding="utf-8")
    (project / "sub").mkdir()
    result = wsaudit("audit", "../manifests", cwd=project / "sub")
    assert result.code == 0, result.stderr


def test_the_nearest_file_wins(wsaudit, project):
    (project / ".wsaudit.toml").write_text('fail-on = "high"\n', encoding="utf-8")
    (project / "sub").mkdir()
    (project / "sub" / ".wsaudit.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    result = wsaudit("audit", "../manifests", cwd=project / "sub")
    assert result.code == 0, result.stderr


def test_no_config_ignores_the_file(wsaudit, project):
    (project / ".wsaudit.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    result = wsaudit("--no-config", "audit", "manifests", cwd=project)
    assert result.code == 1, result.stderr


def test_policy_paths_are_relative_to_the_file(wsaudit, project):
    (project / "packs").mkdir()
    (project / "packs" / "missing.yaml").write_text("not: a pack\n", encoding="utf-8")
    (project / ".wsaudit.toml").write_text('policy = ["packs/missing.yaml"]\n', encoding="utf-8")
    (project / "sub").mkdir()
    result = wsaudit("audit", "../manifests", cwd=project / "sub")
    # The pack is found from the sub-folder (and refused for its content, as a bad pack is).
    assert result.code == 2 and "packs/missing.yaml" in result.stderr, result.stderr


@pytest.mark.parametrize("content", ['fail-on = "sometimes"\n', 'strict = "yes"\n', 'colour = "red"\n',
                                     "fail-on = \n"])
def test_a_bad_setting_is_a_located_usage_error(wsaudit, project, content):
    (project / ".wsaudit.toml").write_text(content, encoding="utf-8")
    result = wsaudit("audit", "manifests", cwd=project)
    assert (result.code, result.stderr.startswith(".wsaudit.toml: error:")) == (2, True), result.stderr


def test_wsaudit_config_shows_each_setting_and_where_it_comes_from(wsaudit, project):
    (project / ".wsaudit.toml").write_text('strict = true\n', encoding="utf-8")
    result = wsaudit("config", "--format", "json", cwd=project)
    assert result.code == 0, result.stderr
    settings = {(row["command"], row["setting"]): (row["value"], row["from"])
                for row in json.loads(result.stdout)["settings"]}
    assert (settings[("audit", "strict")], settings[("audit", "fail-on")]) == (
        (True, ".wsaudit.toml"), ("high", "default"))


def test_wsaudit_config_shows_each_commands_own_default(wsaudit, tmp_path):
    result = wsaudit("config", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    settings = {(row["command"], row["setting"]): row["value"] for row in json.loads(result.stdout)["settings"]}
    assert settings[("verify-readiness", "fail-on")] == "medium"


# ------------------------------------------------------------------ colour

def test_color_always_colours_a_file_or_pipe(wsaudit):
    result = wsaudit("audit", str(FAILING), "--color", "always")
    assert "\x1b[" in result.stdout, result.stderr


def test_color_is_off_in_a_pipe_by_default(wsaudit):
    result = wsaudit("audit", str(FAILING))
    assert "\x1b[" not in result.stdout, result.stderr


def test_shell_completion_completes_command_names(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "_WSAUDIT_COMPLETE": "bash_complete", "COMP_WORDS": "wsaudit aud", "COMP_CWORD": "1"}
    completed = subprocess.run([sys.executable, "-m", "auditor"], env=env, capture_output=True, text=True, timeout=60)
    assert (completed.returncode, completed.stdout.split()) == (0, ["plain,audit"]), completed.stderr
