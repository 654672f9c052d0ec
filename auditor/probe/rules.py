"""The probe's rules: what each finding about a live token means, and where it comes from.

These judge evidence that only exists at run time (a token's granted scopes and client), so
unlike the rule packs they are not data over a manifest; their ids, severities and
citations are fixed here, in the ``WUD-PR`` family, and documented in ``docs/probe.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from auditor.findings import Citation, Finding
from auditor.manifest import Manifest

POLICY = "Workspace API User Data and Developer Policy"
POLICY_URL = "https://developers.google.com/workspace/workspace-api-user-data-developer-policy"


@dataclass(frozen=True)
class ProbeRule:
    id: str
    clause: str | None
    title: str
    severity: str
    category: str
    remediation: str
    citation: Citation


GRANTED_UNDECLARED = ProbeRule(
    id="WUD-PR-001",
    clause=None,
    title="Every scope the token holds is declared in the manifest",
    severity="critical",
    category="scopes",
    remediation=("Declare the scope in the manifest with its justification, or stop requesting it and revoke "
                 "the grants that hold it."),
    citation=Citation(POLICY, "Request the minimum relevant permissions",
                      "Don't request access to information that you don't need.", POLICY_URL),
)
DECLARED_UNGRANTED = ProbeRule(
    id="WUD-PR-002",
    clause=None,
    title="Every scope the manifest declares is held by the token",
    severity="info",
    category="scopes",
    remediation=("Nothing to do if the scope is requested incrementally and the feature was not used yet; "
                 "otherwise remove the scope from the manifest (and from the app) if it is no longer needed."),
    citation=Citation(POLICY, "Request the minimum relevant permissions",
                      "Only request access to user data in context (via incremental auth) whenever you can",
                      POLICY_URL),
)
CLIENT_MISMATCH = ProbeRule(
    id="WUD-PR-003",
    clause=None,
    title="The token was issued to one of the app's OAuth clients",
    severity="high",
    category="transparency",
    remediation=("Probe with a token of this app's own OAuth client, or list the client id under "
                 "app.oauth_client_ids if it belongs to the app."),
    citation=Citation(POLICY, "Transparent and accurate notice and control",
                      "Must accurately represent the identity of the application or service that seeks access "
                      "to user data", POLICY_URL),
)
RESTRICTED_WITHOUT_USE_CASE = ProbeRule(
    id="WUD-PR-004",
    clause="SC-2",
    title="A granted restricted scope has an approved use case declared for its API",
    severity="high",
    category="scopes",
    remediation=("Declare under use_cases the approved use case the app meets for this API, or stop requesting "
                 "the restricted scope."),
    citation=Citation(POLICY, "Appropriate access to and use of Google Gmail APIs",
                      "you may only request access to permissions when your application or service meets one of "
                      "the approved use cases.", POLICY_URL),
)

PROBE_RULES = (GRANTED_UNDECLARED, DECLARED_UNGRANTED, CLIENT_MISMATCH, RESTRICTED_WITHOUT_USE_CASE)


def probe_finding(rule: ProbeRule, status: str, manifest: Manifest, pointer: str, message: str,
                  subject: str) -> Finding:
    """A finding of ``rule`` about ``subject`` (a scope or a client id), placed at ``pointer``.

    The fingerprint hashes the rule, the manifest path and the subject, so it stays the same
    when the manifest's lines move.
    """
    line, column = manifest.locate(pointer)
    path = manifest.path.removeprefix("./")
    fingerprint = hashlib.sha256(f"{rule.id}\0{path}\0{subject}".encode("utf-8")).hexdigest()[:32]
    return Finding(
        rule_id=rule.id, clause=rule.clause, title=rule.title, severity=rule.severity, category=rule.category,
        status=status, manifest=manifest.path, pointer=pointer, line=line, column=column, message=message,
        remediation=rule.remediation, citation=rule.citation, fingerprint=fingerprint,
    )
