"""Text output as a terminal user sees it: fitted to the width, failures with their clause
and fix, undecided findings apart from failures, quiet mode, and a progress bar only on a
terminal."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import EXAMPLES

FAILING = EXAMPLES / "mailbox-export.yaml"  # fails at critical, high and medium; one incomplete
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_on_terminal(args: list[str], columns: int, stderr_too: bool = False) -> tuple[int, str, str]:
    """Run ``python -m auditor ARGS`` with stdout (and stderr, if asked) on a pseudo-terminal
    ``columns`` wide; return the exit code, what the terminal showed, and stderr."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "auditor", *args], stdout=follower,
                               stderr=follower if stderr_too else subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    stderr = b"" if stderr_too else process.stderr.read()
    code = process.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


def test_lines_fit_the_terminal_width():
    code, shown, stderr = run_on_terminal(["audit", str(FAILING), "-v"], columns=80)
    assert code == 1, stderr
    widths = [len(ANSI.sub("", line)) for line in shown.replace("\r\n", "\n").split("\n")]
    # A single word longer than the width (a long URL) may overflow; nothing else does.
    overlong = [line for line, width in zip(shown.split("\n"), widths) if width > 80 and " " in line.strip()[:80]]
    assert overlong == []


def test_output_that_is_not_a_terminal_keeps_whole_lines(wsaudit):
    result = wsaudit("audit", str(EXAMPLES / "calendar-connector.yaml"))
    assert max(len(line) for line in result.stdout.splitlines()) > 200, result.stderr


def test_a_failure_shows_its_clause_and_fix(wsaudit):
    result = wsaudit("audit", str(FAILING))
    assert "      SC-3 · fix: Remove the feature" in result.stdout, result.stderr


def test_verbose_shows_the_whole_fix_and_the_citation(wsaudit):
    result = wsaudit("audit", str(FAILING), "-v")
    assert "      policy: Appropriate access to and use of Google Gmail APIs: “" in result.stdout, result.stderr


def test_undecided_findings_are_set_apart_and_not_shouted(wsaudit):
    lines = wsaudit("audit", str(FAILING)).stdout.splitlines()
    heading = next(index for index, line in enumerate(lines) if line.startswith("  not enough evidence"))
    [undecided] = [line for line in lines[heading + 1:] if "WUD-SE-008" in line]
    assert ("(info)" in undecided, "INFO" in undecided) == (True, False)


def test_the_summary_says_strict_makes_incomplete_findings_count(wsaudit):
    summary = wsaudit("audit", str(FAILING)).stdout.splitlines()[-1]
    assert summary.endswith("incomplete findings fail the gate only with --strict")


def test_quiet_prints_only_failures(wsaudit):
    result = wsaudit("audit", str(FAILING), "-q")
    assert result.code == 1, result.stderr
    rule_lines = [line for line in result.stdout.splitlines() if not line.startswith("      ")]
    assert rule_lines and all(re.search(r"(CRITICAL|HIGH|MEDIUM|LOW|INFO) +WUD-", line) for line in rule_lines)


@pytest.fixture
def many_manifests(tmp_path: Path) -> Path:
    for index in range(400):
        shutil.copyfile(EXAMPLES / "inbox-digest.yaml", tmp_path / f"app-{index:03}.yaml")
    return tmp_path


def test_a_long_audit_draws_progress_on_a_terminal(many_manifests):
    code, shown, _ = run_on_terminal(["audit", str(many_manifests), "--format", "json", "-o",
                                      str(many_manifests / "out" / "report.json"), "--jobs", "1"],
                                     columns=100, stderr_too=True)
    assert (code, "/400 manifests" in shown) == (0, True), shown[-2000:]


def test_no_progress_is_drawn_off_a_terminal(wsaudit, many_manifests):
    result = wsaudit("audit", str(many_manifests), "--format", "json", "-o",
                     str(many_manifests / "out" / "report.json"), "--jobs", "1")
    assert (result.code, "manifests" in result.stderr, "\r" in result.stderr) == (0, False, False), result.stderr


@pytest.mark.parametrize("command", ["validate", "audit", "diff", "scan-code", "probe", "check-policy",
                                     "verify-readiness"])
def test_every_judging_command_takes_color(wsaudit, command):
    result = wsaudit(command, "--help")
    assert (result.code, "--color [auto|always|never]" in result.stdout) == (0, True), result.stderr


def test_diff_quiet_prints_only_what_fails(wsaudit):
    result = wsaudit("diff", str(EXAMPLES / "inbox-digest.yaml"), str(FAILING), "-q")
    assert result.code == 1, result.stderr
    assert all("WUD-" in line for line in result.stdout.splitlines() if not line.startswith("      "))
