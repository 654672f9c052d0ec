"""``wsaudit probe --lang fr``: the probe's findings (who holds which scope, the clients) and the
domain inventory in French, against the local stand-in for Google on 127.0.0.1; English
stays the default."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_wsaudit
from tests.probe.fake_google import DIRECTORY_SCOPES, FakeGoogle
from tests.probe.support import ADMIN, CLIENT_ID, MANIFEST, ProbeRunner

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
# The English rule and fact wording a French probe report must not show.
ENGLISH = ("the token holds", "users granted", "user granted", "which the manifest", "is not granted",
           "the token does not hold it", "requested incrementally", "restricted scope", "is granted",
           "no user of the domain", "Every scope the token holds", "Declare the scope in the manifest")


@pytest.fixture
def google():
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


@pytest.fixture
def probe(google, tmp_path) -> ProbeRunner:
    return ProbeRunner(google, tmp_path)


def token_args(google, manifest, *extra: str) -> tuple[str, ...]:
    return (str(manifest), "--access-token-env", "PROBE_TOKEN", "--tokeninfo-url", f"{google.url}/tokeninfo", *extra)


def messages(report: dict, rule_id: str, status: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule_id"] == rule_id and f["status"] == status]


def test_french_token_probe_words_its_findings_in_french(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--lang", "fr", "--format", "json", "-o", str(probe.out / "r.json")),
                env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    report = run.report("r.json")
    assert messages(report, "WUD-PR-001", "fail") == [
        f"le jeton détient le scope restreint {GMAIL_MODIFY}, que le manifeste ne déclare pas"]
    [ungranted] = messages(report, "WUD-PR-002", "fail")
    assert ungranted.startswith(f"le scope déclaré {DRIVE_FILE} n'est pas accordé\u00a0: le jeton ne le détient pas")
    titles = {f["rule_id"]: f["title"] for f in report["findings"]}
    assert titles["WUD-PR-001"] == "Chaque scope que détient le jeton est déclaré dans le manifeste"


def test_french_token_probe_text_report_has_no_english_rule_wording(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--lang", "fr", "-v"), env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    assert "le jeton détient le scope restreint" in run.stdout
    assert [phrase for phrase in ENGLISH if phrase in run.stdout] == []


def test_english_stays_the_probe_default(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid {GMAIL_MODIFY}", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--format", "json"), env={"PROBE_TOKEN": token})
    assert run.code == 1, run.stderr
    assert messages(json.loads(run.stdout), "WUD-PR-001", "fail") == [
        f"the token holds restricted scope {GMAIL_MODIFY}, which the manifest does not declare"]


def test_probe_refuses_an_unknown_language_with_exit_2(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(f"{GMAIL_READONLY} openid", CLIENT_ID)
    run = probe(*token_args(google, manifest, "--lang", "xx"), env={"PROBE_TOKEN": token})
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr and google.request_lines == []


def _grants(index: int) -> list[dict]:
    scopes = [GMAIL_READONLY, "openid"] + ([GMAIL_MODIFY] if index % 2 == 0 else [])
    return [{"clientId": CLIENT_ID, "displayText": "Mail Helper", "scopes": scopes}]


def test_french_domain_inventory_counts_users_in_french(google, probe, write):
    google.add_users(6, _grants)
    folder = write("manifests/mail-helper.yaml", MANIFEST).parent
    admin = google.issue_token(" ".join(sorted(DIRECTORY_SCOPES)), "admin-client", ADMIN)
    run = probe("--domain", "--access-token-env", "ADMIN_TOKEN", "--admin-api-url", google.url,
                "--manifests", str(folder), "--lang", "fr", "--format", "json", "-o", str(probe.out / "inv.json"),
                "--format", "text", "-o", str(probe.out / "inv.txt"), env={"ADMIN_TOKEN": admin})
    assert run.code == 1, run.stderr
    [mail] = run.report("inv.json")["inventory"]["apps"]
    drift = {(f["rule_id"], f["status"]): f["message"] for f in mail["drift"]}
    assert drift["WUD-PR-001", "fail"] == (
        f"3 utilisateurs ont accordé le scope restreint {GMAIL_MODIFY}, que le manifeste ne déclare pas")
    assert "aucun utilisateur du domaine ne l'a accordé" in drift["WUD-PR-002", "fail"]
    text = run.reports["inv.txt"]
    assert "3 utilisateurs ont accordé" in text
    assert [phrase for phrase in ENGLISH if phrase in text] == []


def test_probe_help_offers_the_report_languages():
    result = run_wsaudit("probe", "--help")
    assert result.code == 0, result.stderr
    assert "--lang LANG" in result.stdout
