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


def test_an_audit_carries_each_manifests_data_flow_inventory_by_default():
    from auditor.api import run_audit

    [result] = run_audit([str(EXAMPLES / "inbox-digest.yaml")], as_of=AS_OF).results
    assert result.inventory is not None and result.inventory.data


def test_an_audit_asked_for_no_inventory_builds_none_and_finds_the_same():
    from auditor.api import prepare_audit, run_audit

    paths = [str(EXAMPLES / "inbox-digest.yaml")]
    [lean] = prepare_audit(paths, as_of=AS_OF, inventory=False).stream().collect().results
    [full] = run_audit(paths, as_of=AS_OF).results
    assert (lean.inventory, lean.findings) == (None, full.findings)


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


# ---------------------------------------------------------------- the live probe and readiness
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"


@pytest.fixture
def google(monkeypatch):
    """The local stand-in for Google on 127.0.0.1, with no proxy between it and the probe."""
    from tests.probe.fake_google import FakeGoogle

    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


def _mail_helper_grants(index: int) -> list[dict]:
    """Every user holds Mail Helper; every fourth also granted it the undeclared gmail.modify."""
    from tests.probe.support import CLIENT_ID

    scopes = [GMAIL_READONLY, "openid"] + ([GMAIL_MODIFY] if index % 4 == 0 else [])
    return [{"clientId": CLIENT_ID, "displayText": "Mail Helper", "scopes": scopes}]


def _failed(report, rule_id: str) -> list:
    return [f for result in report.results for f in result.findings if f.rule_id == rule_id and f.status == "fail"]


def test_run_probe_reports_a_live_token_holding_an_undeclared_scope(google, tmp_path, monkeypatch):
    from auditor.api import run_probe
    from tests.probe.support import CLIENT_ID, MANIFEST

    manifest = tmp_path / "mail.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    monkeypatch.setenv("PROBE_TOKEN", google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID))
    report = run_probe(str(manifest), access_token_env="PROBE_TOKEN", tokeninfo_url=f"{google.url}/tokeninfo",
                       as_of=AS_OF)
    [undeclared] = _failed(report, "WUD-PR-001")
    assert undeclared.severity == "critical" and GMAIL_MODIFY in undeclared.message
    assert [pack.id for pack in report.packs] == ["wsaudit-live-probe"] and report.failed("high")
    assert google.request_lines == ["POST /tokeninfo"]


def test_run_probe_raises_a_probe_error_when_tokeninfo_cannot_be_reached(google, tmp_path, monkeypatch):
    import socket

    from auditor.api import run_probe
    from auditor.model.errors import ProbeError
    from tests.probe.support import MANIFEST

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    manifest = tmp_path / "mail.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    monkeypatch.setenv("PROBE_TOKEN", "ya29.not-checked")
    with pytest.raises(ProbeError):
        run_probe(str(manifest), access_token_env="PROBE_TOKEN", tokeninfo_url=f"http://127.0.0.1:{port}/tokeninfo",
                  timeout=5)


def test_run_probe_needs_exactly_one_token_source_before_any_request(google, tmp_path):
    from auditor.api import run_probe
    from auditor.model.errors import AuditorError, ProbeError
    from tests.probe.support import MANIFEST

    manifest = tmp_path / "mail.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    with pytest.raises(AuditorError) as caught:
        run_probe(str(manifest), access_token_env="PROBE_TOKEN", adc=True, tokeninfo_url=f"{google.url}/tokeninfo")
    assert not isinstance(caught.value, ProbeError) and "exactly one token source" in str(caught.value)
    assert google.request_lines == []


def test_run_inventory_reports_each_app_and_the_drift_of_those_with_a_manifest(google, tmp_path, monkeypatch):
    from auditor.api import run_inventory
    from tests.probe.fake_google import DIRECTORY_SCOPES
    from tests.probe.support import CLIENT_ID, MANIFEST

    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "mail.yaml").write_text(MANIFEST, encoding="utf-8")
    google.add_users(12, _mail_helper_grants)
    monkeypatch.setenv("ADMIN_TOKEN", google.issue_token(" ".join(sorted(DIRECTORY_SCOPES)), "admin-client"))
    ticks: list[tuple[int, int, bool]] = []
    report = run_inventory([str(tmp_path / "manifests")], access_token_env="ADMIN_TOKEN", admin_api_url=google.url,
                           concurrency=3, progress=lambda *tick: ticks.append(tick), as_of=AS_OF)
    inventory = report.domain_inventory
    assert inventory.complete and (inventory.users_listed, inventory.users_scanned) == (12, 12)
    [app] = inventory.apps
    assert (app.client_id, app.users, app.manifest) == (CLIENT_ID, 12, str(tmp_path / "manifests" / "mail.yaml"))
    [undeclared] = _failed(report, "WUD-PR-001")
    assert "3 users granted restricted scope " + GMAIL_MODIFY in undeclared.message
    assert ticks[-1] == (12, 12, True)


def test_run_inventory_returns_the_partial_inventory_when_the_directory_refuses(google, monkeypatch):
    from auditor.api import run_inventory
    from auditor.model.errors import ProbeError

    google.add_users(5, _mail_helper_grants)
    monkeypatch.setenv("ADMIN_TOKEN", google.issue_token("openid", "admin-client"))
    report = run_inventory(access_token_env="ADMIN_TOKEN", admin_api_url=google.url)
    inventory = report.domain_inventory
    assert not inventory.complete and inventory.users_scanned == 0
    assert isinstance(inventory.problem(), ProbeError) and "HTTP 403" in str(inventory.problem())


def test_verify_readiness_answers_what_the_command_writes():
    from auditor.api import verify_readiness
    from auditor.verification.render import render_readiness

    manifest = str(EXAMPLES / "receipt-tracker.yaml")
    readiness = verify_readiness(manifest, as_of=AS_OF)
    assert readiness.findings and readiness.as_of == AS_OF
    command = run_wsaudit("verify-readiness", manifest, "--as-of", AS_OF.isoformat())
    assert command.code in (0, 1), command.stderr
    assert render_readiness(readiness, "markdown") == command.stdout


def test_verify_readiness_raises_for_a_manifest_that_does_not_load(tmp_path):
    from auditor.api import verify_readiness
    from auditor.model.errors import AuditorError

    broken = tmp_path / "broken.yaml"
    broken.write_text("manifest_version: 1\napp: [\n", encoding="utf-8")
    with pytest.raises(AuditorError) as caught:
        verify_readiness(str(broken))
    assert str(broken) in str(caught.value)
