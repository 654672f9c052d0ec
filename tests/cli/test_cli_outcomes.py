"""Exit codes that mean one thing each, and outputs that never destroy a file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from auditor.cli.common import ExitCode, run_command
from tests.helpers import EXAMPLES, default_ctrl_c

EXAMPLE = EXAMPLES / "inbox-digest.yaml"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "app.yaml"
    shutil.copyfile(EXAMPLE, path)
    return path


# ------------------------------------------------------------------ outputs that clash

def test_output_onto_the_input_manifest_is_refused_and_the_manifest_kept(wsaudit, manifest):
    before = manifest.read_bytes()
    result = wsaudit("audit", str(manifest), "-o", str(manifest))
    assert result.code == ExitCode.USAGE, result.stderr
    assert manifest.read_bytes() == before


def test_output_onto_the_input_by_another_spelling_is_refused(wsaudit, manifest, tmp_path):
    other_spelling = str(tmp_path / "." / "sub" / ".." / manifest.name)
    (tmp_path / "sub").mkdir()
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", other_spelling)
    assert result.code == ExitCode.USAGE, result.stderr


def test_second_format_onto_the_input_is_refused_before_any_file_is_written(wsaudit, manifest, tmp_path):
    before = manifest.read_bytes()
    report = tmp_path / "report.json"
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", str(report), "--format", "sarif",
                     "-o", str(manifest))
    assert (result.code, manifest.read_bytes(), report.exists()) == (ExitCode.USAGE, before, False), result.stderr


def test_two_formats_into_one_file_are_refused(wsaudit, manifest, tmp_path):
    target = tmp_path / "report"
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", str(target), "--format", "sarif",
                     "-o", str(target))
    assert result.code == ExitCode.USAGE, result.stderr


def test_baseline_and_report_into_one_file_are_refused(wsaudit, manifest, tmp_path):
    target = tmp_path / "out.json"
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", str(target), "--write-baseline", str(target))
    assert result.code == ExitCode.USAGE, result.stderr


def test_writing_the_baseline_over_the_baseline_read_is_refused(wsaudit, manifest, tmp_path):
    baseline = tmp_path / "baseline.json"
    first = wsaudit("audit", str(manifest), "--write-baseline", str(baseline))
    assert first.code == ExitCode.OK, first.stderr
    before = baseline.read_bytes()
    result = wsaudit("audit", str(manifest), "--baseline", str(baseline), "--write-baseline", str(baseline))
    assert (result.code, baseline.read_bytes()) == (ExitCode.USAGE, before), result.stderr


def test_diff_output_onto_its_head_is_refused(wsaudit, manifest, tmp_path):
    base = tmp_path / "base.yaml"
    shutil.copyfile(manifest, base)
    before = manifest.read_bytes()
    result = wsaudit("diff", str(base), str(manifest), "-o", str(manifest))
    assert (result.code, manifest.read_bytes()) == (ExitCode.USAGE, before), result.stderr


def test_disclose_output_onto_its_manifest_is_refused(wsaudit, manifest):
    before = manifest.read_bytes()
    result = wsaudit("disclose", str(manifest), "-o", str(manifest))
    assert (result.code, manifest.read_bytes()) == (ExitCode.USAGE, before), result.stderr


def test_scan_code_output_onto_its_manifest_is_refused(wsaudit, manifest, tmp_path):
    before = manifest.read_bytes()
    result = wsaudit("scan-code", str(tmp_path), "--manifest", str(manifest), "-o", str(manifest))
    assert (result.code, manifest.read_bytes()) == (ExitCode.USAGE, before), result.stderr


def test_standard_input_named_twice_is_refused(wsaudit):
    result = wsaudit("audit", "-", "-", stdin=EXAMPLE.read_bytes())
    assert result.code == ExitCode.USAGE, result.stderr


def test_parent_folders_of_an_output_are_created(wsaudit, manifest, tmp_path):
    target = tmp_path / "reports" / "nested" / "audit.json"
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", str(target))
    assert result.code == ExitCode.OK, result.stderr
    assert target.read_text(encoding="utf-8").startswith("{")


def test_a_written_report_leaves_no_temporary_file(wsaudit, manifest, tmp_path):
    out = tmp_path / "out"
    result = wsaudit("audit", str(manifest), "--format", "html", "-o", str(out / "report.html"))
    assert result.code == ExitCode.OK, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["report.html"]


def test_an_output_through_a_symbolic_link_keeps_the_link(wsaudit, manifest, tmp_path):
    target = tmp_path / "reports" / "audit.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    result = wsaudit("audit", str(manifest), "--format", "json", "-o", str(link))
    assert result.code == ExitCode.OK, result.stderr
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("{"), sorted(os.listdir(tmp_path))


def test_an_output_into_a_named_pipe_is_written_through_the_pipe(manifest, tmp_path):
    """A pipe (like /dev/null or /dev/stdout, not a regular file) is written in place, never
    replaced by a regular file."""
    import threading

    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    completed = subprocess.run([sys.executable, "-m", "auditor", "audit", str(manifest), "--format", "json",
                                "-o", str(pipe)], capture_output=True, text=True, timeout=120)
    reader.join(timeout=60)
    assert completed.returncode == ExitCode.OK, completed.stderr
    assert pipe.is_fifo() and received and received[0].startswith(b"{"), completed.stderr


# ------------------------------------------------------------------ Ctrl-C

def test_interrupted_audit_exits_130_and_keeps_the_previous_report(tmp_path):
    folder = tmp_path / "manifests"
    folder.mkdir()
    for index in range(1500):
        shutil.copyfile(EXAMPLE, folder / f"app-{index:04}.yaml")
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    report.write_text("previous report\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "auditor", "audit", str(folder), "--format", "json",
                                "-o", str(report), "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=default_ctrl_c)
    deadline = time.monotonic() + 60
    # The temporary file exists only while the report is being written: interrupt then.
    while not any(name.endswith(".part") for name in os.listdir(out)) and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, stderr.decode()
    assert (report.read_text(encoding="utf-8"), os.listdir(out)) == ("previous report\n", ["report.json"])


# ------------------------------------------------------------------ the entry point's mapping

def _group_raising(exception: BaseException) -> click.Group:
    @click.group()
    def group() -> None:
        pass

    @group.command()
    def explode() -> None:
        raise exception

    return group


def _exit_code(group: click.Group, args: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        run_command(group, args)
    return stopped.value.code


def test_an_unexpected_exception_exits_4_with_one_line_and_no_traceback(capsys):
    code = _exit_code(_group_raising(RuntimeError("boom")), ["explode"])
    stderr = capsys.readouterr().err
    assert (code, stderr.count("\n"), "Traceback" in stderr) == (ExitCode.INTERNAL, 1, False), stderr


def test_the_traceback_is_shown_when_asked_for(capsys, monkeypatch):
    monkeypatch.setenv("WSAUDIT_TRACEBACK", "1")
    _exit_code(_group_raising(RuntimeError("boom")), ["explode"])
    assert "Traceback" in capsys.readouterr().err


def test_an_interruption_exits_130():
    assert _exit_code(_group_raising(KeyboardInterrupt()), ["explode"]) == ExitCode.INTERRUPTED


def test_a_usage_error_exits_2():
    assert _exit_code(_group_raising(click.UsageError("bad")), ["explode"]) == ExitCode.USAGE


def test_a_click_error_with_its_own_code_still_exits_2():
    assert _exit_code(_group_raising(click.ClickException("bad")), ["explode"]) == ExitCode.USAGE


def test_an_unknown_option_exits_2(wsaudit):
    result = wsaudit("audit", "--no-such-option", str(EXAMPLE))
    assert result.code == ExitCode.USAGE, result.stderr


def test_an_internal_error_is_reported_per_manifest_and_the_run_goes_on():
    import datetime

    from auditor.rules.batch import AuditSettings, audit_paths
    from auditor.model.errors import InternalError
    from auditor.model.report import ManifestResult
    from auditor.rules.packs import load_packs

    # A catalog that is not one makes enrichment fail: a stand-in for a bug in the engine.
    settings = AuditSettings(tuple(load_packs()), None, datetime.date(2026, 1, 1), 5 * 1024 * 1024)
    outcomes = list(audit_paths([str(EXAMPLE), str(EXAMPLE)], settings, jobs=1))
    assert [type(outcome[0]) for outcome in outcomes if not isinstance(outcome, ManifestResult)] == [
        InternalError, InternalError]


def test_a_reader_that_stops_early_is_not_reported_as_failing_findings(tmp_path):
    folder = tmp_path / "manifests"
    folder.mkdir()
    for index in range(60):  # several hundred kilobytes of text: more than a pipe holds
        shutil.copyfile(EXAMPLE, folder / f"app-{index:02}.yaml")
    process = subprocess.Popen([sys.executable, "-m", "auditor", "audit", str(folder), "-v", "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(100)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, stderr
