"""Drift: what a manifest declares against what tokens really hold, as findings.

Used for one token (``wsaudit probe MANIFEST``: its scopes and its client) and for one app
across a domain (the union of the scopes its users granted). Scopes are compared in their
canonical full-URL form, so ``gmail.readonly`` in a manifest matches
``https://www.googleapis.com/auth/gmail.readonly`` from Google.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.catalog import ScopeCatalog
from auditor.enrich import USE_CASE_APIS, USE_CASE_FAMILY, enrich
from auditor.findings import Finding, ManifestResult
from auditor.manifest import Manifest
from auditor.probe.rules import (
    CLIENT_MISMATCH,
    DECLARED_UNGRANTED,
    GRANTED_UNDECLARED,
    RESTRICTED_WITHOUT_USE_CASE,
    probe_finding,
)
from auditor.probe.tokeninfo import TokenInfo
from auditor.scope_names import canonical_scope

_CLASS_WORDS = {"restricted": "restricted", "sensitive": "sensitive", "non_sensitive": "non-sensitive"}


def classification_of(catalog: ScopeCatalog, scope: str) -> str:
    """``restricted``, ``sensitive``, ``non_sensitive`` or ``unknown`` (not in the catalog)."""
    return catalog.classify(scope) or "unknown"


def _described(catalog: ScopeCatalog, scope: str) -> str:
    classification = classification_of(catalog, scope)
    if classification == "unknown":
        return f"{scope} (not in the scope catalog)"
    return f"{_CLASS_WORDS[classification]} scope {scope}"


def declared_scopes(manifest: Manifest) -> dict[str, int]:
    """Canonical scope → index of its first entry under ``scopes``."""
    declared: dict[str, int] = {}
    for index, item in enumerate(manifest.data.get("scopes") or []):
        if isinstance(item, dict) and isinstance(item.get("scope"), str):
            declared.setdefault(canonical_scope(item["scope"]), index)
    return declared


def scope_findings(manifest: Manifest, granted: Iterable[str], catalog: ScopeCatalog, as_of: datetime.date,
                   users: Mapping[str, int] | None = None) -> list[Finding]:
    """WUD-PR-001, -002 and -004 for ``granted`` scopes (any spelling).

    With ``users`` (scope → how many users granted it) the messages speak of a domain's
    users; without, of one token.
    """
    granted_set = sorted({canonical_scope(scope) for scope in granted})
    declared = declared_scopes(manifest)
    scopes_list = manifest.data.get("scopes") or []

    def holder(scope: str) -> str:
        if users is None:
            return "the token holds"
        count = users.get(scope, 0)
        return f"{count} user{'s' if count != 1 else ''} granted"

    findings: list[Finding] = []
    for scope in granted_set:
        if scope in declared:
            findings.append(probe_finding(GRANTED_UNDECLARED, "pass", manifest, f"/scopes/{declared[scope]}",
                                          f"{holder(scope)} {_described(catalog, scope)}, which the manifest declares",
                                          scope))
        else:
            findings.append(probe_finding(GRANTED_UNDECLARED, "fail", manifest, "/scopes",
                                          f"{holder(scope)} {_described(catalog, scope)}, which the manifest does not declare",
                                          scope))
    for scope, index in sorted(declared.items(), key=lambda pair: pair[1]):
        if scope in granted_set:
            findings.append(probe_finding(DECLARED_UNGRANTED, "pass", manifest, f"/scopes/{index}",
                                          f"declared scope {scope} is granted", scope))
            continue
        item = scopes_list[index]
        later = " (it is requested incrementally, so it may not be granted yet)" if item.get("requested") == "incremental" else ""
        whom = "the token does not hold it" if users is None else "no user of the domain has granted it"
        findings.append(probe_finding(DECLARED_UNGRANTED, "fail", manifest, f"/scopes/{index}",
                                      f"declared scope {scope} is not granted: {whom}{later}", scope))
    findings += _use_case_findings(manifest, granted_set, declared, catalog, as_of)
    return findings


def _use_case_findings(manifest: Manifest, granted: list[str], declared: dict[str, int], catalog: ScopeCatalog,
                       as_of: datetime.date) -> list[Finding]:
    """The SC-2 judgment applied to granted scopes: a restricted scope of an API with an
    approved-use-case regime needs an approved use case declared for that API."""
    approved = set(enrich(manifest.data, catalog, as_of).manifest["approved_apis"])
    findings = []
    for scope in granted:
        info = catalog.get(scope)
        if info is None or info.classification != "restricted":
            continue
        family = USE_CASE_FAMILY.get(info.api, info.api)
        if family not in USE_CASE_APIS:
            continue
        if scope in declared:
            pointer = f"/scopes/{declared[scope]}"
        else:
            pointer = "/use_cases" if "use_cases" in manifest.data else "/scopes"
        if family in approved:
            findings.append(probe_finding(RESTRICTED_WITHOUT_USE_CASE, "pass", manifest, pointer,
                                          f"granted restricted scope {scope} is backed by an approved {family} use case",
                                          scope))
        else:
            findings.append(probe_finding(RESTRICTED_WITHOUT_USE_CASE, "fail", manifest, pointer,
                                          f"restricted scope {scope} is granted, but the manifest declares no approved "
                                          f"use case for the {family} API", scope))
    return findings


def client_findings(manifest: Manifest, client_ids: tuple[str, ...]) -> list[Finding]:
    """WUD-PR-003: every client id the token names (azp, aud) is one of the app's."""
    app: dict[str, Any] = manifest.data.get("app") or {}
    listed = app.get("oauth_client_ids")
    named = ", ".join(client_ids) or "(none)"
    if not isinstance(listed, list) or not listed:
        return [probe_finding(CLIENT_MISMATCH, "incomplete", manifest, "/app",
                              f"the token was issued to client {named}, but app.oauth_client_ids is missing, so the "
                              f"probe cannot tell whether that client is this app", "app.oauth_client_ids")]
    known = {str(item).strip() for item in listed}
    pointer = "/app/oauth_client_ids"
    if not client_ids:
        return [probe_finding(CLIENT_MISMATCH, "fail", manifest, pointer,
                              "tokeninfo names no client (no azp or aud), so the token cannot be tied to this app",
                              "(none)")]
    foreign = [client for client in client_ids if client not in known]
    if foreign:
        return [probe_finding(CLIENT_MISMATCH, "fail", manifest, pointer,
                              f"the token was issued to client {', '.join(foreign)}, which is not among "
                              f"app.oauth_client_ids", ",".join(client_ids))]
    return [probe_finding(CLIENT_MISMATCH, "pass", manifest, pointer,
                          f"the token was issued to client {named}, one of app.oauth_client_ids", ",".join(client_ids))]


def compare_token(manifest: Manifest, info: TokenInfo, catalog: ScopeCatalog, as_of: datetime.date) -> ManifestResult:
    """Every probe finding about one token against one manifest, sorted."""
    findings = scope_findings(manifest, info.scopes, catalog, as_of) + client_findings(manifest, info.client_ids)
    findings.sort(key=Finding.sort_key)
    return ManifestResult(manifest.path, manifest.app_name, tuple(findings))
