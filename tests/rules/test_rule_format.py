"""The parts of the rule format that say where a finding points and why it fails: ``at`` and
``reasons``, through the real command with a pack of one's own."""

from __future__ import annotations

import json

from tests.helpers import run_wsaudit

PACK = """\
pack_version: 1
pack: {id: acme, version: "1", title: ACME}
rules:
  - id: ACME-TOK-001
    clause: null
    title: Tokens are encrypted with managed keys
    severity: high
    category: security
    citation: {section: "3.1", quote: "Tokens are encrypted with managed keys."}
    select: /auth/token_storage
    needs: [encrypted]
    at: encrypted
    assert:
      properties:
        encrypted: {const: true}
        key_management: {enum: [kms, hsm]}
    reasons:
      - when: {properties: {encrypted: {const: false}}}
        say: "tokens are stored in the clear"
      - when: {properties: {key_management: {not: {enum: [kms, hsm]}}}}
        say: "keys are kept in {key_management}"
        at: key_management
    message:
      fail: "token storage falls short: {reasons}"
    remediation: Encrypt the tokens with keys in a KMS.
"""

MANIFEST = """\
manifest_version: 1
app: {name: A, developer: D, type: web}
scopes:
  - scope: openid
auth:
  flow: authorization_code
  token_storage:
    location: cloud_provider
    encrypted: ENCRYPTED
    key_management: KEYS
"""


def audit(tmp_path, encrypted: str, keys: str) -> dict:
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK, encoding="utf-8")
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST.replace("ENCRYPTED", encrypted).replace("KEYS", keys), encoding="utf-8")
    result = run_wsaudit("audit", str(manifest), "--policy", str(pack), "--no-builtin-policy", "--format", "json",
                         "--as-of", "2026-11-21")
    assert result.code in (0, 1), result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    return finding


def test_every_matching_reason_is_said_and_the_first_one_with_a_field_places_the_finding(tmp_path):
    finding = audit(tmp_path, "false", "application")
    assert finding["status"] == "fail"
    assert finding["message"] == "token storage falls short: tokens are stored in the clear; keys are kept in application"
    # The first reason names no field of its own; the first matching reason that does decides.
    assert (finding["pointer"], finding["line"]) == ("/auth/token_storage/key_management", 10)


def test_a_single_reason_points_at_its_own_field(tmp_path):
    finding = audit(tmp_path, "true", "application")
    assert finding["message"] == "token storage falls short: keys are kept in application"
    assert (finding["pointer"], finding["line"]) == ("/auth/token_storage/key_management", 10)


def test_a_pass_points_at_the_rules_field(tmp_path):
    finding = audit(tmp_path, "true", "kms")
    assert (finding["status"], finding["pointer"], finding["line"]) == ("pass", "/auth/token_storage/encrypted", 9)


def test_a_reason_with_an_unknown_key_is_refused_with_its_place(tmp_path):
    pack = tmp_path / "acme.yaml"
    pack.write_text(PACK.replace('        say: "tokens are stored in the clear"\n',
                                 '        say: "tokens are stored in the clear"\n        severity: low\n'),
                    encoding="utf-8")
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST.replace("ENCRYPTED", "true").replace("KEYS", "kms"), encoding="utf-8")
    result = run_wsaudit("audit", str(manifest), "--policy", str(pack), "--no-builtin-policy")
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{pack}:20:9: error: "), result.stderr
    assert "severity" in result.stderr
    assert "Traceback" not in result.stderr
