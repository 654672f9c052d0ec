"""A batch audited in worker processes reports exactly what one process reports."""

from __future__ import annotations

import datetime
import shutil

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES
from auditor.model.report import ManifestResult
from auditor.rules.batch import PARALLEL_THRESHOLD, AuditSettings, audit_paths
from auditor.rules.packs import load_packs

from tests.helpers import EXAMPLES, copies_of_an_example, interrupt_while_writing, run_wsaudit

FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")


def make_corpus(folder) -> list[str]:
    """More manifests than the batch audits in one process: the examples over and over,
    each copy under a name of its own, and one manifest that does not load."""
    examples = sorted(EXAMPLES.glob("*.yaml"))
    folder.mkdir()
    paths = []
    for index in range(PARALLEL_THRESHOLD + 8):
        path = folder / f"app-{index:03d}.yaml"
        shutil.copyfile(examples[index % len(examples)], path)
        paths.append(str(path))
    broken = folder / "app-999.yaml"
    broken.write_text("manifest_version: 1\napp: [not, a, mapping]\n", encoding="utf-8")
    paths.append(str(broken))
    return paths


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_format_is_byte_identical_with_one_job_and_two(tmp_path, lang):
    corpus = tmp_path / "manifests"
    make_corpus(corpus)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers_version: 1\nwaivers:\n  - rule: WUD-SC-004\n    manifest: " + str(corpus / "app-001.yaml")
                       + "\n    reason: Reviewed.\n    approved_by: privacy@example.com\n    expires: 2027-03-31\n",
                       encoding="utf-8")
    runs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        out.mkdir()
        arguments = ["audit", str(corpus), "--as-of", "2026-11-21", "--jobs", str(jobs), "--lang", lang,
                     "--waivers", str(waivers)]
        for name in FORMATS:
            arguments += ["--format", name, "-o", str(out / f"report.{name}")]
        result = run_wsaudit(*arguments)
        assert result.code == 2, result.stderr  # the broken manifest
        runs[jobs] = (result.stderr, {name: (out / f"report.{name}").read_bytes() for name in FORMATS})
    assert runs[1] == runs[2]


def test_findings_from_workers_share_the_rules_of_the_run(tmp_path):
    paths = make_corpus(tmp_path / "manifests")[:-1]
    packs = tuple(load_packs())
    settings = AuditSettings(packs, ScopeCatalog.load(), datetime.date(2026, 11, 21), DEFAULT_MAX_BYTES)
    in_workers = list(audit_paths(paths, settings, jobs=2))
    rules = {rule.id: rule.info for pack in packs for rule in pack.rules}
    findings = [finding for result in in_workers if isinstance(result, ManifestResult) for finding in result.findings]
    # One RuleInfo per rule in the parent, as in one process, not a copy per finding.
    assert (len(findings) > len(paths), [f.rule_id for f in findings if f.rule is not rules[f.rule_id]],
            in_workers == list(audit_paths(paths, settings, jobs=1))) == (True, [], True)


def test_workers_leave_out_the_inventories_when_no_report_reads_them(tmp_path):
    from dataclasses import replace

    from auditor.api import prepare_audit

    paths = make_corpus(tmp_path / "manifests")[:-1]
    without = list(prepare_audit(paths, as_of=datetime.date(2026, 11, 21), jobs=2, inventory=False)
                   .stream().iter_results())
    whole = list(prepare_audit(paths, as_of=datetime.date(2026, 11, 21), jobs=2).stream().iter_results())
    # Everything else is the same.
    assert ([result.inventory for result in without] == [None] * len(paths),
            all(result.inventory is not None for result in whole),
            [replace(result, inventory=None) for result in whole] == without) == (True, True, True)


def test_ctrl_c_ends_a_parallel_run_of_several_formats(tmp_path):
    # More manifests than may wait to be read, so the pool's task thread waits at the gate.
    folder = copies_of_an_example(tmp_path / "manifests", 3000)
    out = tmp_path / "out"
    out.mkdir()
    # Interrupt while both reports are being written, the pool running.
    code, stderr = interrupt_while_writing(["audit", str(folder), "--jobs", "2",
                                            "--format", "json", "-o", str(out / "report.json"),
                                            "--format", "sarif", "-o", str(out / "report.sarif")], out, 2, settle=0.5)
    assert code == 130, stderr


def _json_report(stream, out) -> None:
    from auditor.reporters import RenderOptions
    from auditor.reporters.json_report import render

    render(stream, out, RenderOptions())


def _written_as(kind: str, stream, expected: str, tmp_path) -> tuple[object, object]:
    """The JSON report of ``stream`` written as ``kind`` says (to a UTF-8 or Latin-1 file, or
    to text in memory), and what ``expected`` (the report's text) is written that way."""
    import io

    if kind == "text in memory":
        out = io.StringIO()
        _json_report(stream, out)
        return out.getvalue(), expected
    encoding = "utf-8" if kind == "utf-8 file" else "latin-1"
    with open(tmp_path / "report.json", "w", encoding=encoding, errors="backslashreplace", newline="\n") as out:
        _json_report(stream, out)
    return (tmp_path / "report.json").read_bytes(), expected.encode(encoding, errors="backslashreplace")


@pytest.mark.parametrize("kind", ["utf-8 file", "text in memory", "latin-1 file"])
def test_a_json_only_batch_comes_from_the_workers_as_the_reports_lines(tmp_path, kind):
    import io

    from auditor.api import prepare_audit
    from auditor.model.report import EncodedResult

    paths = make_corpus(tmp_path / "manifests")[:-1]
    # French messages: text beyond ASCII, which a file in another encoding writes otherwise.
    options = {"as_of": datetime.date(2026, 11, 21), "jobs": 2, "inventory": False, "lang": "fr"}
    findings = prepare_audit(paths, **options).stream()
    expected = io.StringIO()
    _json_report(findings, expected)
    encoded = prepare_audit(paths, json_only=True, **options).stream()
    results = list(encoded.iter_results())
    # The report written from the workers' lines, to a stream it writes bytes to or text.
    written, wanted = _written_as(kind, prepare_audit(paths, json_only=True, **options).stream(),
                                  expected.getvalue(), tmp_path)
    assert ({type(result) for result in results}, encoded.summary, any(ord(c) > 127 for c in expected.getvalue()),
            written) == ({EncodedResult}, findings.summary, True, wanted)


@pytest.mark.parametrize("given", ["waivers", "baseline"])
def test_waivers_or_a_baseline_keep_the_findings_of_a_json_only_batch(tmp_path, given):
    from auditor.api import prepare_audit

    paths = make_corpus(tmp_path / "manifests")[:-1]
    day = datetime.date(2026, 11, 21)
    if given == "waivers":
        file = tmp_path / "waivers.yaml"
        file.write_text("waivers_version: 1\nwaivers:\n  - rule: WUD-SC-004\n    manifest: " + paths[1]
                        + "\n    reason: Reviewed.\n    approved_by: privacy@example.com\n    expires: 2027-03-31\n",
                        encoding="utf-8")
    else:
        from auditor.rules.baseline import write_baseline

        file = tmp_path / "baseline.json"
        with open(file, "w", encoding="utf-8") as out:
            write_baseline(prepare_audit(paths[:2], as_of=day, jobs=1).stream().iter_results(), "0", out)
    stream = prepare_audit(paths, as_of=day, jobs=2, json_only=True, **{given: str(file)}).stream()
    # Applying waivers or a baseline reads the findings, so the workers send them.
    assert {type(result) for result in stream.iter_results()} == {ManifestResult}


def test_a_baseline_written_beside_a_json_report_is_the_same_from_workers(tmp_path):
    paths = make_corpus(tmp_path / "manifests")[:-1]
    folder = tmp_path / "manifests"
    (folder / "app-999.yaml").unlink()
    written = {}
    for jobs in (1, 2):
        baseline = tmp_path / f"baseline-{jobs}.json"
        result = run_wsaudit("audit", str(folder), "--as-of", "2026-11-21", "--jobs", str(jobs), "--format", "json",
                             "-o", str(tmp_path / f"report-{jobs}.json"), "--write-baseline", str(baseline))
        assert result.code == 1, result.stderr
        written[jobs] = (baseline.read_bytes(), (tmp_path / f"report-{jobs}.json").read_bytes())
    assert (len(paths) >= PARALLEL_THRESHOLD, written[1]) == (True, written[2])


def test_ctrl_c_ends_a_json_only_parallel_run_and_keeps_the_previous_report(tmp_path):
    folder = copies_of_an_example(tmp_path / "manifests", 3000)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("previous report\n", encoding="utf-8")
    # Interrupt while the workers' lines are being written into the new report.
    code, stderr = interrupt_while_writing(["audit", str(folder), "--jobs", "2", "--format", "json",
                                            "-o", str(out / "report.json")], out, 1, settle=0.5)
    assert (code, {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}) == (
        130, {"report.json": "previous report\n"}), stderr


def _with_large_manifests(folder) -> list[str]:
    """``make_corpus`` with two manifests whose findings outnumber a run of the JSON report
    (1,089 findings each at 150 entries), one first and one in the middle."""
    from tests.helpers import big_manifest

    paths = make_corpus(folder)
    for name, at in (("app-000a.yaml", 0), ("app-040a.yaml", 41)):
        large = folder / name
        large.write_text(big_manifest(150), encoding="utf-8")
        paths.insert(at, str(large))
    return paths


@pytest.mark.parametrize("kind", ["utf-8 file", "text in memory", "latin-1 file"])
def test_a_large_manifest_s_lines_come_from_a_worker_through_a_file_the_report_deletes(tmp_path, monkeypatch, kind):
    import io
    import tempfile

    from auditor.api import prepare_audit

    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    paths = _with_large_manifests(tmp_path / "manifests")
    options = {"as_of": datetime.date(2026, 11, 21), "jobs": 2, "inventory": False, "lang": "fr"}
    expected = io.StringIO()
    _json_report(prepare_audit(paths, **options).stream(), expected)
    seen = []
    stream = prepare_audit(paths, json_only=True, **options).stream()
    results = stream._results  # seen on their way to the report: which came through a file
    stream._results = (seen.append(result.spilled is not None) or result for result in results)
    written, wanted = _written_as(kind, stream, expected.getvalue(), tmp_path)
    assert (sum(seen), written == wanted, list(spills.iterdir())) == (2, True, [])


def test_a_worker_writes_a_large_manifest_s_lines_a_run_at_a_time(tmp_path):
    """Encoding the findings of a manifest twice as large takes no more memory while it
    runs: a run of lines at a time is held, not the whole (before, the lines, their text and
    its bytes). What the encoder keeps afterwards (its bounded tables of recurring texts)
    is not counted."""
    import tracemalloc

    from auditor.reporters.json_report import encoded_result
    from tests.helpers import big_manifest_files
    from tests.reporters.support import audit_results

    results = {size: audit_results([str(path)])[0][0] for size, path in big_manifest_files(tmp_path, (150, 300)).items()}
    encoded_result(results[150], str(tmp_path))  # the encoder's tables filled, not counted
    peaks = {}
    for size, result in results.items():
        tracemalloc.start()
        try:
            encoded_result(result, str(tmp_path))
            kept, peak = tracemalloc.get_traced_memory()
            peaks[size] = peak - kept
        finally:
            tracemalloc.stop()
    assert peaks[300] < 1.25 * peaks[150], peaks


def test_a_worker_sends_the_lines_themselves_when_its_folder_cannot_take_them(tmp_path):
    from auditor.reporters.json_report import encoded_result
    from tests.helpers import big_manifest_files
    from tests.reporters.support import audit_results

    [result], _, _ = audit_results([str(big_manifest_files(tmp_path, (150,))[150])])
    sent = encoded_result(result, str(tmp_path / "gone"))
    assert (sent.spilled, sent.json_lines) == (None, encoded_result(result).json_lines)


def test_ctrl_c_leaves_no_file_of_a_json_only_parallel_run_behind(tmp_path):
    import os

    from tests.helpers import interrupt_when

    spills = tmp_path / "tmp"
    spills.mkdir()
    folder = tmp_path / "manifests"
    paths = _with_large_manifests(folder)
    for index in range(120):  # enough large manifests that their files wait for the reader
        shutil.copyfile(paths[0], folder / f"app-large-{index:03d}.yaml")
    waiting = []

    def files_wait() -> bool:
        waiting[:] = spills.glob("wsaudit-*/*.lines")
        return bool(waiting)

    code, stderr = interrupt_when(["audit", str(folder), "--jobs", "2", "--format", "json",
                                   "-o", str(tmp_path / "report.json")], files_wait,
                                  env={**os.environ, "TMPDIR": str(spills)})
    assert (bool(waiting), code, list(spills.iterdir())) == (True, 130, []), stderr
