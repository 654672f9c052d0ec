"""The probe's rules are a pack: it loads like any other, only the probe loads it, the rule
engine evaluates it, and its SC-2 rule judges with the audit's own SC-2 predicates."""

from __future__ import annotations

import datetime

import pytest
import yaml

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.engine import evaluate
from auditor.manifest.load import load_manifest
from auditor.rules.packs import builtin_pack_paths, load_pack, load_packs
from auditor.probe.evidence import PROBE_PACK_NAME, judge_grants, load_probe_pack
from auditor.resources import policies_dir

from tests.probe.support import CLIENT_ID, MANIFEST, OTHER_CLIENT_ID

AS_OF = datetime.date(2026, 11, 21)
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
DRIVE = "https://www.googleapis.com/auth/drive"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
CHAT = "https://www.googleapis.com/auth/chat.messages"


@pytest.fixture(scope="module")
def catalog() -> ScopeCatalog:
    return ScopeCatalog.load()


def findings_of(manifest, granted, catalog, **evidence) -> dict[tuple[str, str], list]:
    """(rule id, status) → the findings, for one judgment of the probe pack."""
    found: dict[tuple[str, str], list] = {}
    for finding in judge_grants(manifest, granted, load_probe_pack(), catalog, AS_OF, **evidence):
        found.setdefault((finding.rule_id, finding.status), []).append(finding)
    return found


def test_the_probe_pack_holds_the_four_probe_rules():
    pack = load_probe_pack()
    assert (pack.id, pack.title, pack.source) == ("wsaudit-live-probe", "Live token probe", f"policies/{PROBE_PACK_NAME}")
    rules = {rule.id: (rule.severity, rule.clause, rule.category) for rule in pack.rules}
    assert rules == {"WUD-PR-001": ("critical", None, "scopes"), "WUD-PR-002": ("info", None, "scopes"),
                     "WUD-PR-003": ("high", None, "transparency"), "WUD-PR-004": ("high", "SC-2", "scopes")}


def test_the_audit_never_loads_the_probe_pack():
    assert (policies_dir() / PROBE_PACK_NAME).is_file()
    assert all(path.parent == policies_dir() for path in builtin_pack_paths())
    audit_rules = {rule.id for pack in load_packs() for rule in pack.rules}
    assert "WUD-SC-002" in audit_rules and not {rule for rule in audit_rules if rule.startswith("WUD-PR-")}


def test_the_probe_sc2_rule_uses_the_audit_sc2_predicates():
    def rules_of(name: str) -> dict[str, dict]:
        document = yaml.safe_load((policies_dir() / name).read_text(encoding="utf-8"))
        return {rule["id"]: rule for rule in document["rules"]}

    audit_rule = rules_of("workspace-user-data.yaml")["WUD-SC-002"]
    probe_rule = rules_of(PROBE_PACK_NAME)["WUD-PR-004"]
    granted, *rest = probe_rule["when"]["allOf"]
    assert granted == {"properties": {"facts": {"properties": {"granted": {"const": True}}}}}
    assert rest == [audit_rule["when"]]
    assert probe_rule["assert"] == audit_rule["assert"]


@pytest.mark.parametrize("use_cases", ["", "use_cases:\n  - api: gmail\n    use_case: productivity\n",
                                       "use_cases:\n  - api: drive\n    use_case: sync_backup\n"])
def test_sc2_verdicts_of_probe_and_audit_agree_on_declared_scopes(write, catalog, use_cases):
    manifest = load_manifest(str(write("m.yaml", f"""\
manifest_version: 1
app: {{name: Agree, developer: Example Labs Ltd, type: web}}
{use_cases}scopes:
  - scope: gmail.readonly
  - scope: drive
  - scope: chat.messages
  - scope: drive.file
""")))
    audit = {f.pointer: f.status for f in evaluate(manifest, load_packs(), catalog, AS_OF).findings
             if f.rule_id == "WUD-SC-002"}
    probe = {f.pointer: f.status for f in judge_grants(manifest, [GMAIL_READONLY, DRIVE, CHAT, DRIVE_FILE],
                                                       load_probe_pack(), catalog, AS_OF, client_ids=(CLIENT_ID,))
             if f.rule_id == "WUD-PR-004"}
    assert probe == audit and set(audit) == {"/scopes/0", "/scopes/1", "/scopes/2"}  # drive.file is not restricted


def test_a_rule_is_what_its_pack_file_says(write, catalog, tmp_path):
    text = (policies_dir() / PROBE_PACK_NAME).read_text(encoding="utf-8")
    edited = text.replace("    severity: critical\n", "    severity: low\n", 1).replace(
        '      fail: "{facts.holder} {facts.described}, which the manifest does not declare"',
        '      fail: "undeclared: {facts.scope}"', 1)
    assert edited.count("severity: low") == 1 and "undeclared: {facts.scope}" in edited
    pack = load_pack(write("edited.yaml", edited))
    manifest = load_manifest(str(write("mail.yaml", MANIFEST)))
    [finding] = [f for f in judge_grants(manifest, [GMAIL_MODIFY], pack, catalog, AS_OF)
                 if f.rule_id == "WUD-PR-001" and f.status == "fail"]
    assert (finding.severity, finding.message) == ("low", f"undeclared: {GMAIL_MODIFY}")


def test_granted_scopes_are_placed_where_they_are_declared_or_missing(write, catalog):
    path = write("mail.yaml", MANIFEST)
    manifest = load_manifest(str(path))
    lines = path.read_text().splitlines()
    found = findings_of(manifest, ["gmail.readonly", "openid", GMAIL_MODIFY], catalog, client_ids=(CLIENT_ID,))
    [undeclared] = found["WUD-PR-001", "fail"]
    assert undeclared.pointer == "/scopes" and lines[undeclared.line - 1] == "  - scope: gmail.readonly"
    assert undeclared.message == f"the token holds restricted scope {GMAIL_MODIFY}, which the manifest does not declare"
    assert sorted(f.pointer for f in found["WUD-PR-001", "pass"]) == ["/scopes/0", "/scopes/1"]
    # Backed by the gmail use case, whether declared or not.
    assert sorted(f.pointer for f in found["WUD-PR-004", "pass"]) == ["/scopes", "/scopes/0"]
    [client] = found["WUD-PR-003", "pass"]
    assert client.pointer == "/app/oauth_client_ids" and client.message == (
        f"the token was issued to client {CLIENT_ID}, one of app.oauth_client_ids")


def test_an_undeclared_restricted_scope_without_use_case_points_at_the_use_cases(write, catalog):
    manifest = load_manifest(str(write("mail.yaml", MANIFEST)))
    [failed] = findings_of(manifest, [DRIVE], catalog)["WUD-PR-004", "fail"]
    assert failed.pointer == "/use_cases" and failed.clause == "SC-2"
    assert failed.message == (f"restricted scope {DRIVE} is granted, but the manifest declares no approved use case "
                              "for the drive API")


def test_ungranted_scopes_are_told_apart_for_a_token_and_a_domain(write, catalog):
    manifest = load_manifest(str(write("mail.yaml", MANIFEST)))
    token = {f.pointer: f.message for f in findings_of(manifest, [GMAIL_READONLY], catalog)["WUD-PR-002", "fail"]}
    assert token == {"/scopes/1": "declared scope openid is not granted: the token does not hold it",
                     "/scopes/2": f"declared scope {DRIVE_FILE} is not granted: the token does not hold it; "
                                  "it is requested incrementally, so it may not be granted yet"}
    domain = findings_of(manifest, [GMAIL_READONLY], catalog, users={GMAIL_READONLY: 3})
    assert [f.message for f in domain["WUD-PR-002", "fail"]][0] == (
        "declared scope openid is not granted: no user of the domain has granted it")
    [held] = domain["WUD-PR-001", "pass"]
    assert held.message == f"3 users granted restricted scope {GMAIL_READONLY}, which the manifest declares"
    assert not [key for key in domain if key[0] == "WUD-PR-003"]  # a domain's grants name no single client


@pytest.mark.parametrize("client_ids, status, words", [
    ((OTHER_CLIENT_ID,), "fail", f"issued to client {OTHER_CLIENT_ID}, which is not among app.oauth_client_ids"),
    ((), "fail", "tokeninfo names no client (no azp or aud)"),
    ((CLIENT_ID, OTHER_CLIENT_ID), "fail", f"issued to client {OTHER_CLIENT_ID}, which is not"),
])
def test_the_client_check_fails_for_a_foreign_or_missing_client(write, catalog, client_ids, status, words):
    manifest = load_manifest(str(write("mail.yaml", MANIFEST)))
    [finding] = findings_of(manifest, [GMAIL_READONLY], catalog, client_ids=client_ids)["WUD-PR-003", status]
    assert words in finding.message and finding.pointer == "/app/oauth_client_ids"


@pytest.mark.parametrize("listed", ["", "  oauth_client_ids: []\n"])
def test_the_client_check_cannot_decide_without_the_app_client_ids(write, catalog, listed):
    text = MANIFEST.replace(f"  oauth_client_ids:\n    - {CLIENT_ID}\n", listed)
    manifest = load_manifest(str(write("mail.yaml", text)))
    [finding] = findings_of(manifest, [GMAIL_READONLY], catalog, client_ids=(CLIENT_ID,))["WUD-PR-003", "incomplete"]
    assert finding.pointer == "/app" and finding.message == (
        f"the token was issued to client {CLIENT_ID}, but app.oauth_client_ids is missing, so the probe cannot tell "
        "whether that client is this app")
