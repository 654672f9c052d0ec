"""Each kind of change is named by its diff rule, with the direction the rules file gives it.

One case per rule family: a revision of the inbox-digest example, and the rule, direction,
subject and detail of the change it must produce (the reverse revision must produce the
reverse change where there is one).
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_wsaudit
from tests.diff.support import AS_OF, DIGEST, LONGER_RETENTION, RESTRICTED_SCOPE, edited

CASES = [
    # (name, replacements, (rule, direction, subject, detail) expected forward)
    ("restricted scope", [RESTRICTED_SCOPE],
     ("WUD-DIFF-001", "escalation", "https://mail.google.com/", "new restricted scope (gmail)")),
    ("broader scope", [("  - scope: gmail.readonly\n", "  - scope: gmail.modify\n"),
                       ("source_scopes: [gmail.readonly]", "source_scopes: [gmail.modify]"),
                       ("source_scopes: [gmail.readonly]", "source_scopes: [gmail.modify]"),
                       ("https://www.googleapis.com/auth/gmail.readonly]", "gmail.modify]")],
     ("WUD-DIFF-002", "escalation", "https://www.googleapis.com/auth/gmail.modify",
      "broader scope replaces narrower https://www.googleapis.com/auth/gmail.readonly")),
    ("prohibited purpose", [("    purposes: [user_facing_feature]\n    secondary_purposes: [security]",
                             "    purposes: [user_facing_feature, sale]\n    secondary_purposes: [security]")],
     ("WUD-DIFF-005", "escalation", "message-bodies", "new purpose sale")),
    ("purpose to review", [("    purposes: [user_facing_feature]\n    secondary_purposes: [security]",
                            "    purposes: [user_facing_feature, aggregated_analytics]\n"
                            "    secondary_purposes: [security]")],
     ("WUD-DIFF-006", "escalation", "message-bodies", "new purpose aggregated_analytics")),
    ("encryption off", [("encryption_at_rest: {enabled: true, algorithm: AES-256-GCM, key_management: kms}\n"
                         "    retention: P7D", "encryption_at_rest: {enabled: false}\n    retention: P7D")],
     ("WUD-DIFF-008", "escalation", "summaries-db", "encryption at rest: true → false")),
    ("weaker keys", [("key_management: kms}\n    retention: P7D", "key_management: application}\n    retention: P7D")],
     ("WUD-DIFF-009", "escalation", "summaries-db", "key management: kms → application")),
    ("longer retention", [LONGER_RETENTION], ("WUD-DIFF-010", "escalation", "summaries-db", "retention: P7D → P30D")),
    ("open-ended retention", [("retention: P7D", "retention: indefinite")],
     ("WUD-DIFF-010", "escalation", "summaries-db", "retention: P7D → indefinite")),
    ("broker recipient", [("recipient_type: service_provider", "recipient_type: data_broker")],
     ("WUD-DIFF-014", "escalation", "llm", "recipient_type: service_provider → data_broker")),
    ("consent dropped", [("    user_consent: true\n    transport", "    user_consent: false\n    transport")],
     ("WUD-DIFF-015", "escalation", "llm", "user_consent: true → false")),
    ("more data sent", [("data: [message-bodies, message-headers]\n    purpose",
                         "data: [message-bodies, message-headers, digests]\n    purpose")],
     ("WUD-DIFF-016", "escalation", "llm", "data: [message-bodies, message-headers] → "
                                            "[message-bodies, message-headers, digests]")),
    ("access without basis", [("    basis: security", "    basis: none")],
     ("WUD-DIFF-018", "escalation", "trust_and_safety", "basis: security → none")),
    ("people read more", [("data: [digests, account]", "data: [digests, account, message-bodies]")],
     ("WUD-DIFF-019", "escalation", "support", "data: [digests, account] → [digests, account, message-bodies]")),
    ("consent record", [("consent_documented: true", "consent_documented: false")],
     ("WUD-DIFF-208", "change", "support", "consent documented: true → false")),
    ("region", [("region: europe-west1 (Belgium)\n  - id: accounts-db", "region: us\n  - id: accounts-db")],
     ("WUD-DIFF-210", "change", "summaries-db", "region: europe-west1 (Belgium) → us")),
    ("transport", [("protocol: https", "protocol: sftp")],
     ("WUD-DIFF-209", "change", "llm", "transport: {protocol: https, tls_min_version: 1.2} → "
                                       "{protocol: sftp, tls_min_version: 1.2}")),
]
REVERSE = {"WUD-DIFF-001": ("WUD-DIFF-101", "reduction"), "WUD-DIFF-005": ("WUD-DIFF-102", "reduction"),
           "WUD-DIFF-006": ("WUD-DIFF-102", "reduction"), "WUD-DIFF-008": ("WUD-DIFF-104", "reduction"),
           "WUD-DIFF-009": ("WUD-DIFF-207", "change"), "WUD-DIFF-010": ("WUD-DIFF-105", "reduction"),
           "WUD-DIFF-014": ("WUD-DIFF-210", "change"), "WUD-DIFF-015": ("WUD-DIFF-107", "reduction"),
           "WUD-DIFF-016": ("WUD-DIFF-108", "reduction"), "WUD-DIFF-019": ("WUD-DIFF-110", "reduction")}


def _changes(base, head) -> list[dict]:
    result = run_wsaudit("diff", str(base), str(head), "--format", "json", "--fail-on", "never", *AS_OF)
    assert result.code == 0, result.stderr
    [pair] = json.loads(result.stdout)["diff"]["manifests"]
    return pair["changes"]


@pytest.mark.parametrize("replacements, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_change_is_named_by_its_rule(write, replacements, expected):
    base, head = write("base.yaml", DIGEST), write("head.yaml", edited(*replacements))
    rule, direction, subject, detail = expected
    found = [(c["rule_id"], c["risk"], c["subject"], c["detail"]) for c in _changes(base, head)]
    assert (rule, direction, subject, detail) in found, found
    if rule in REVERSE:
        back = [(c["rule_id"], c["risk"], c["subject"]) for c in _changes(head, base)]
        assert (*REVERSE[rule], subject) in back, back
