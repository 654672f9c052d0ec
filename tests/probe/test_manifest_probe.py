"""``wsaudit probe MANIFEST`` against the local stand-in for Google: findings, report formats,
exit codes, and the failures that must end in one clear line and exit 3."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from auditor.reporters import FORMATS

from tests.probe.support import CLIENT_ID, MANIFEST, OTHER_CLIENT_ID, closed_port

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
DRIVE_READONLY = "https://www.googleapis.com/auth/drive.readonly"
EMAIL = "https://www.googleapis.com/auth/userinfo.email"


def token_args(google, manifest, *extra: str) -> tuple[str, ...]:
    return (str(manifest), "--access-token-env", "PROBE_TOKEN", "--tokeninfo-url", f"{google.url}/tokeninfo", *extra)


def failed(report: dict, rule_id: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule_id"] == rule_id and f["status"] == "fail"]


def test_drift_granted_but_undeclared_is_critical_and_ungranted_is_info(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json", "-o", str(probe.out / "r.json")),
                env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    report = run.report("r.json")
    [undeclared] = failed(report, "WUD-PR-001")
    assert undeclared["severity"] == "critical" and undeclared["clause"] is None
    assert GMAIL_MODIFY in undeclared["message"] and undeclared["pointer"] == "/scopes"
    lines = manifest.read_text().splitlines()
    assert lines[undeclared["line"] - 1].strip().startswith("- scope: gmail.readonly")  # the scopes list
    [ungranted] = failed(report, "WUD-PR-002")
    assert ungranted["severity"] == "info" and ungranted["pointer"] == "/scopes/2"
    assert DRIVE_FILE in ungranted["message"] and "incrementally" in ungranted["message"]
    assert lines[ungranted["line"] - 1].strip() == "- scope: drive.file"
    # Declared and granted scopes pass both drift rules; the client matches.
    passed = {(f["rule_id"], f["pointer"]) for f in report["findings"] if f["status"] == "pass"}
    assert {("WUD-PR-001", "/scopes/0"), ("WUD-PR-002", "/scopes/0"), ("WUD-PR-001", "/scopes/1"),
            ("WUD-PR-003", "/app/oauth_client_ids")} <= passed
    assert report["summary"]["fail_by_severity"] == {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 1}
    assert report["manifests"] == [{"app": "Mail Helper", "path": str(manifest)}]
    assert [pack["id"] for pack in report["policies"]] == ["wsaudit-live-probe"]
    # The token traveled in the body of a POST: the request line is the bare endpoint.
    assert google.request_lines == ["POST /tokeninfo"]


def test_no_drift_passes_and_exit_code_follows_fail_on(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {DRIVE_FILE}", CLIENT_ID)
    run = probe(*token_args(google, manifest), env={"PROBE_TOKEN": token})
    assert run.code == 0, run.stdout + run.stderr
    assert "0 failed" in run.stdout and run.stderr == ""
    # A declared scope that is not granted is info: it fails the run only at --fail-on info.
    partial = google.issue_token(f"{GMAIL_READONLY} openid", CLIENT_ID)
    result = probe(*token_args(google, manifest), env={"PROBE_TOKEN": partial})
    assert result.code == 0, result.stderr
    result = probe(*token_args(google, manifest, "--fail-on", "info"), env={"PROBE_TOKEN": partial})
    assert result.code == 1, result.stderr
    drifted = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID)
    result = probe(*token_args(google, manifest, "--fail-on", "never"), env={"PROBE_TOKEN": drifted})
    assert result.code == 0, result.stderr
    result = probe(*token_args(google, manifest, "--fail-on", "critical"), env={"PROBE_TOKEN": drifted})
    assert result.code == 1, result.stderr


def test_client_id_mismatch_is_high(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {DRIVE_FILE}", OTHER_CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json"), env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    [mismatch] = failed(json.loads(run.stdout), "WUD-PR-003")
    assert mismatch["severity"] == "high" and mismatch["pointer"] == "/app/oauth_client_ids"
    assert OTHER_CLIENT_ID in mismatch["message"]
    assert manifest.read_text().splitlines()[mismatch["line"] - 1].strip() == f"- {CLIENT_ID}"
    # An aud that differs from a matching azp is a mismatch too.
    mixed = google.issue_token(f"{GMAIL_READONLY} openid {DRIVE_FILE}", CLIENT_ID, aud=OTHER_CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json"), env={"PROBE_TOKEN": mixed})
    assert [OTHER_CLIENT_ID in f["message"] for f in failed(json.loads(run.stdout), "WUD-PR-003")] == [True]


def test_manifest_without_client_ids_is_incomplete(google, probe, write):
    manifest = write("mail.yaml", MANIFEST.replace(f"  oauth_client_ids:\n    - {CLIENT_ID}\n", ""))
    token = google.issue_token(f"{GMAIL_READONLY} openid {DRIVE_FILE}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json"), env={"PROBE_TOKEN": token})
    assert run.code == 0, run.stderr
    [finding] = [f for f in json.loads(run.stdout)["findings"] if f["rule_id"] == "WUD-PR-003"]
    assert finding["status"] == "incomplete" and finding["pointer"] == "/app"
    assert "oauth_client_ids" in finding["message"]
    result = probe(*token_args(google, manifest, "--strict"), env={"PROBE_TOKEN": token})
    assert result.code == 1, result.stderr


def test_granted_restricted_scope_without_approved_use_case_fails_sc2(google, probe, write):
    manifest = write("files.yaml", """\
manifest_version: 1
app:
  name: File Lister
  developer: Example Labs Ltd
  type: web
  oauth_client_ids: ["111-mailhelper.apps.googleusercontent.com"]
scopes:
  - scope: drive.readonly
    justification: List the user's files.
  - scope: email
""")
    token = google.issue_token(f"{DRIVE_READONLY} {EMAIL} {GMAIL_READONLY}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json"), env={"PROBE_TOKEN": token})
    report = json.loads(run.stdout)
    use_case = {f["message"].split()[2]: f for f in failed(report, "WUD-PR-004")}
    assert set(use_case) == {DRIVE_READONLY, GMAIL_READONLY}
    assert all(f["clause"] == "SC-2" and f["severity"] == "high" for f in use_case.values())
    assert use_case[DRIVE_READONLY]["pointer"] == "/scopes/0"  # declared: points at the scope
    assert use_case[GMAIL_READONLY]["pointer"] == "/scopes"    # undeclared: no entry to point at
    # `email` in the manifest and the userinfo URL from Google name the same scope.
    assert not [f for f in failed(report, "WUD-PR-001") if EMAIL in f["message"]]


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_every_report_format_renders_a_probe_report(google, probe, write, output_format):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", OTHER_CLIENT_ID)
    name = f"report.{output_format}"
    run = probe(*token_args(google, manifest, "--format", output_format, "-o", str(probe.out / name)),
                env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    text = run.reports[name]
    assert "WUD-PR-001" in text and "WUD-PR-003" in text
    if output_format in ("json", "sarif"):
        json.loads(text)
    if output_format == "junit":
        ElementTree.fromstring(text)


def test_several_formats_in_one_run(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json", "-o", str(probe.out / "a.json"),
                            "--format", "text", "-o", str(probe.out / "a.txt")), env={"PROBE_TOKEN": token})
    assert run.code == 0 and run.stdout == "", (run.stdout, run.stderr)
    assert run.report("a.json")["findings"] and "Mail Helper" in run.reports["a.txt"]
    assert google.counts["tokeninfo"] == 1  # one probe, two renderings


def test_expired_token_exits_3_with_one_line(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID, expires_in="expired")  # tokeninfo: invalid_token
    run = probe(*token_args(google, manifest), env={"PROBE_TOKEN": token})
    assert run.code == 3 and run.stdout == "", (run.stdout, run.stderr)
    [line] = run.error_lines
    assert "invalid or has expired" in line and "invalid_token" in line and "/tokeninfo: error:" in line
    # A token tokeninfo still describes but with no time left is expired as well.
    spent = google.issue_token(GMAIL_READONLY, CLIENT_ID, expires_in="0")
    run = probe(*token_args(google, manifest), env={"PROBE_TOKEN": spent})
    assert run.code == 3 and "expired" in run.stderr and len(run.error_lines) == 1, run.stderr


def test_unreachable_tokeninfo_exits_3(probe, write, google):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID)
    dead = f"http://127.0.0.1:{closed_port()}/tokeninfo"
    run = probe(str(manifest), "--access-token-env", "PROBE_TOKEN", "--tokeninfo-url", dead,
                env={"PROBE_TOKEN": token})
    assert run.code == 3 and run.stdout == "", (run.stdout, run.stderr)
    [line] = run.error_lines
    assert line.startswith(f"{dead}: error: cannot reach the tokeninfo endpoint: connection refused")


def test_timeout_exits_3(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID)
    google.latency["tokeninfo"] = 6.0
    run = probe(*token_args(google, manifest, "--timeout", "0.5"), env={"PROBE_TOKEN": token})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "did not answer within 0.5 s" in line and "--timeout" in line
    assert run.seconds < 5.0


def test_malformed_tokeninfo_answer_exits_3(google, probe, write):
    from tests.probe.fake_google import fault

    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID)
    google.queue("tokeninfo", fault(malformed=True))
    run = probe(*token_args(google, manifest), env={"PROBE_TOKEN": token})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "malformed JSON" in line


def test_tokeninfo_429_with_retry_after_and_500_are_retried(google, probe, write):
    from tests.probe.fake_google import fault

    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {DRIVE_FILE}", CLIENT_ID)
    google.queue("tokeninfo", fault(429, retry_after="1"), fault(500), fault(503))
    run = probe(*token_args(google, manifest, "--log-requests"), env={"PROBE_TOKEN": token})
    assert run.code == 0, run.stderr
    assert google.counts["tokeninfo"] == 4
    assert run.seconds >= 1.0  # the Retry-After pause was honoured
    assert run.stderr.count("retrying in") == 3


def test_rate_limit_asking_for_a_long_pause_gives_up_at_once(google, probe, write):
    from tests.probe.fake_google import fault

    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID)
    google.queue("tokeninfo", fault(429, retry_after="3600"))
    run = probe(*token_args(google, manifest), env={"PROBE_TOKEN": token})
    assert run.code == 3 and "asks to wait 3600 s" in run.stderr, run.stderr
    assert google.counts["tokeninfo"] == 1  # no second attempt: it gave up rather than wait


def test_usage_errors_exit_2(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GMAIL_READONLY, CLIENT_ID)
    env = {"PROBE_TOKEN": token}
    two_sources = probe(str(manifest), "--access-token-env", "PROBE_TOKEN", "--adc", env=env)
    assert two_sources.code == 2 and "exactly one token source" in two_sources.stderr, two_sources.stderr
    no_source = probe(str(manifest))
    assert no_source.code == 2 and "exactly one token source" in no_source.stderr, no_source.stderr
    unset = probe(str(manifest), "--access-token-env", "NOT_SET_ANYWHERE", "--tokeninfo-url", f"{google.url}/tokeninfo")
    assert unset.code == 2 and "NOT_SET_ANYWHERE is not set" in unset.stderr, unset.stderr
    plain = probe(str(manifest), "--access-token-env", "PROBE_TOKEN", "--tokeninfo-url", "http://tokeninfo.example/x",
                  env=env)
    assert plain.code == 2 and "plain HTTP" in plain.stderr, plain.stderr
    bad_manifest = probe(str(write("bad.yaml", "manifest_version: 1\napp: {}\n")), "--access-token-env", "PROBE_TOKEN",
                         "--tokeninfo-url", f"{google.url}/tokeninfo", env=env)
    assert bad_manifest.code == 2 and "bad.yaml:" in bad_manifest.stderr, bad_manifest.stderr
    assert google.counts["tokeninfo"] == 0  # nothing was sent for any of these
