"""The library calls behind the commands, and the result model they return."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re

import pytest

from tests.helpers import EXAMPLES, REPO, run_wsaudit

AS_OF = datetime.date(2026, 11, 21)


def test_the_readme_python_example_runs_and_prints_failures(capsys, monkeypatch):
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    monkeypatch.chdir(REPO)
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("gate fails")
    assert any(line.startswith("examples/manifests/receipt-tracker.yaml:") for line in lines[:-1])


def test_run_audit_finds_what_the_json_report_lists():
    from auditor.api import run_audit

    report = run_audit([str(EXAMPLES)], as_of=AS_OF)
    command = run_wsaudit("audit", str(EXAMPLES), "--format", "json", "--as-of", AS_OF.isoformat())
    assert command.code == 1, command.stderr
    listed = json.loads(command.stdout)
    found = [finding.to_json() for result in report.results for finding in result.findings]
    assert json.loads(json.dumps(found)) == listed["findings"]
    assert report.summary.to_json() == listed["summary"]


def test_a_report_is_immutable_and_its_summary_is_ready_before_rendering():
    from auditor.api import run_audit

    report = run_audit([str(EXAMPLES / "receipt-tracker.yaml")], as_of=AS_OF)
    assert report.failed("high")
    assert report.summary.counts["fail"] == sum(f.status == "fail" for r in report.results for f in r.findings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.results = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.summary.counts["fail"] = 0  # type: ignore[index]


def test_a_stream_refuses_its_summary_until_read_to_the_end():
    from auditor.api import stream_audit

    stream = stream_audit([str(EXAMPLES)], as_of=AS_OF)
    with pytest.raises(RuntimeError):
        stream.summary
    count = sum(1 for _ in stream.iter_results())
    assert count == len(list(EXAMPLES.glob("*.yaml")))
    assert stream.summary.counts["fail"] > 0
    with pytest.raises(RuntimeError):
        next(iter(stream.iter_results()))


def test_a_manifest_that_cannot_be_judged_is_an_error_of_the_report(tmp_path):
    from auditor.api import run_audit
    from auditor.model.errors import ManifestError

    broken = tmp_path / "broken.yaml"
    broken.write_text("manifest_version: 1\napp: [\n", encoding="utf-8")
    report = run_audit([str(broken), str(EXAMPLES / "inbox-digest.yaml")], as_of=AS_OF)
    assert [result.path for result in report.results] == [str(EXAMPLES / "inbox-digest.yaml")]
    assert report.errors and all(isinstance(error, ManifestError) for error in report.errors)
    assert all(error.path == str(broken) for error in report.errors)


def test_a_bad_policy_pack_raises_a_located_error(tmp_path):
    from auditor.api import run_audit
    from auditor.model.errors import AuditorError

    pack = tmp_path / "pack.yaml"
    pack.write_text("pack_version: 1\npack: {id: x}\nrules: [{id: 1}]\n", encoding="utf-8")
    with pytest.raises(AuditorError) as caught:
        run_audit([str(EXAMPLES)], policies=[str(pack)], as_of=AS_OF)
    assert str(pack) in str(caught.value)


def test_run_diff_and_run_scan_return_reports():
    from auditor.api import run_diff, run_scan

    diff = run_diff(str(EXAMPLES / "inbox-digest.yaml"), str(EXAMPLES / "inbox-digest.yaml"), as_of=AS_OF)
    assert diff.diff is not None and diff.summary.counts["fail"] == 0
    scan = run_scan([str(REPO / "examples" / "least-privilege")],
                    str(REPO / "examples" / "least-privilege" / "app.wsaudit.yaml"), as_of=AS_OF)
    assert {finding.rule_id for result in scan.results for finding in result.findings} >= {"SCAN-003"}


def test_findings_of_one_rule_share_its_metadata():
    from auditor.api import run_audit

    report = run_audit([str(EXAMPLES)], as_of=AS_OF)
    by_rule: dict[str, set[int]] = {}
    for result in report.results:
        for finding in result.findings:
            by_rule.setdefault(finding.rule_id, set()).add(id(finding.rule))
    assert by_rule and all(len(identities) == 1 for identities in by_rule.values())


def test_severity_and_status_are_string_enums():
    from auditor.model.findings import SEVERITIES, Severity, Status

    assert Severity.HIGH == "high" and json.dumps([Severity.HIGH, Status.FAIL]) == '["high", "fail"]'
    assert [severity.rank for severity in SEVERITIES] == [0, 1, 2, 3, 4]
    assert Status("waived") is Status.WAIVED


def test_an_error_list_is_iterated_not_read_as_one_error():
    from auditor.model.errors import AuditorError, ErrorList, errors_in

    first, second = AuditorError("b", "x.yaml", 2, 1), AuditorError("a", "x.yaml", 1, 1)
    errors = ErrorList([first, second])
    assert list(errors) == [second, first]
    assert errors.path is None and errors.line is None
    assert errors_in(errors) == [second, first] and errors_in(first) == [first]
    with pytest.raises(ValueError):
        ErrorList([])
