"""Several formats (and a baseline) in one ``wsaudit audit`` run: one pass over the manifests,
each output the same bytes as when written alone, nothing half-written when a run stops."""

from __future__ import annotations

from pathlib import Path

from auditor.cli.common import ExitCode
from auditor.reporters import FORMATS
from tests.helpers import copies_of_an_example, interrupt_while_writing, run_wsaudit

AS_OF = ("--as-of", "2026-11-21")


def _outputs(folder: Path, names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("--format", name, "-o", str(folder / f"report.{name}"))]


def test_every_format_and_a_baseline_in_one_run_match_separate_runs(tmp_path):
    together, alone = tmp_path / "together", tmp_path / "alone"
    together.mkdir()
    alone.mkdir()
    names = sorted(FORMATS)
    run = run_wsaudit("audit", "examples/manifests", *AS_OF, *_outputs(together, names),
                      "--write-baseline", str(together / "baseline.json"))
    assert run.code == ExitCode.FINDINGS, run.stderr
    for name in names:
        single = run_wsaudit("audit", "examples/manifests", *AS_OF, *_outputs(alone, [name]))
        assert single.code == ExitCode.FINDINGS, single.stderr
    baseline = run_wsaudit("audit", "examples/manifests", *AS_OF, "-q", "--write-baseline", str(alone / "baseline.json"))
    assert baseline.code == ExitCode.FINDINGS, baseline.stderr
    different = [path.name for path in sorted(together.iterdir())
                 if path.read_bytes() != (alone / path.name).read_bytes()]
    assert (different, len(list(together.iterdir()))) == ([], len(names) + 1)


def test_an_unwritable_output_among_several_exits_2_and_leaves_no_partial_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    run = run_wsaudit("audit", "examples/manifests", *AS_OF, "--format", "json", "-o", str(tmp_path / "report.json"),
                      "--format", "sarif", "-o", str(blocker / "report.sarif"))
    assert run.code == ExitCode.USAGE, run.stderr
    assert ("cannot write" in run.stderr, [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]) \
        == (True, []), run.stderr


def test_an_interrupted_run_of_several_formats_keeps_every_previous_report(tmp_path):
    folder = copies_of_an_example(tmp_path / "manifests", 1500)
    out = tmp_path / "out"
    out.mkdir()
    names = sorted(FORMATS)
    for name in names:
        (out / f"report.{name}").write_text("previous report\n", encoding="utf-8")
    # Every format has its temporary file open while the manifests are read: interrupt then.
    code, stderr = interrupt_while_writing(["audit", str(folder), *_outputs(out, names), "--jobs", "1"], out,
                                           len(names))
    assert code == ExitCode.INTERRUPTED, stderr
    assert ({path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
            == {f"report.{name}": "previous report\n" for name in names}), stderr
