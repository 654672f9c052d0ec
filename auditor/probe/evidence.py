"""What the probe saw, as a document and facts for the rule engine.

The probe's judgments are rules in the pack ``policies/probe/live-token.yaml`` (rule ids
``WUD-PR-…``), evaluated by :mod:`auditor.rules.engine` like every audit rule. This module only
computes facts, once per manifest:

* the document the rules select from is the manifest with ``scopes`` extended by every
  granted scope it does not declare (canonical full-URL form, sorted), so one ``/scopes/*``
  selection sees declared and granted scopes alike; a finding about an added entry points
  at ``/scopes``, the list the scope is missing from;
* each scope gets the facts of an audit (:func:`auditor.rules.facts.enrich`: classification,
  ``restricted_api``, ``api_has_approved_use_case``, …), so the probe's SC-2 rule judges the
  very facts the audit's does, plus ``granted``, ``declared``, ``holder`` and ``described``
  (and ``users`` for a domain);
* with a single token, ``/app`` gets the client ids the token names, and those that are
  not among ``app.oauth_client_ids``;
* ``manifest_facts.evidence`` says what was probed: ``token`` or ``domain``.

Scopes are compared in their canonical full-URL form, so ``gmail.readonly`` in a manifest
matches ``https://www.googleapis.com/auth/gmail.readonly`` from Google.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.engine import judge
from auditor.rules.facts import Facts, enrich
from auditor.model.findings import Finding
from auditor.model.report import ManifestResult
from auditor.manifest.load import Manifest
from auditor.manifest.model import ManifestModel
from auditor.rules.packs import PolicyPack, load_pack
from auditor.resources import policies_dir
from auditor.catalog.scope_names import canonical_scope

PROBE_PACK_NAME = "probe/live-token.yaml"
_CLASS_WORDS = {"restricted": "restricted", "sensitive": "sensitive", "non_sensitive": "non-sensitive"}


@cache
def load_probe_pack() -> PolicyPack:
    """The probe's rule pack, checked and compiled like any other (loaded once per run)."""
    return load_pack(policies_dir() / PROBE_PACK_NAME, f"policies/{PROBE_PACK_NAME}")


def classification_of(catalog: ScopeCatalog, scope: str) -> str:
    """``restricted``, ``sensitive``, ``non_sensitive`` or ``unknown`` (not in the catalog)."""
    return catalog.classify(scope) or "unknown"


def described(classification: str, scope: str) -> str:
    """How a message names a granted scope: ``restricted scope https://…``, or the scope
    with a note when the catalog does not know it (worded by the report catalogs,
    ``facts.described``)."""
    from auditor.rules.i18n import Phrase

    return Phrase(f"facts.described.{classification if classification in _CLASS_WORDS else 'unknown'}", scope=scope)


def _holder(users: Mapping[str, int] | None, scope: str) -> str:
    from auditor.rules.i18n import Phrase

    if users is None:
        return Phrase("facts.holder.token")
    return Phrase("facts.holder.users", count=users.get(scope, 0))


def probe_view(manifest: Manifest, granted: Iterable[str], catalog: ScopeCatalog, as_of: datetime.date,
               users: Mapping[str, int] | None = None,
               client_ids: tuple[str, ...] | None = None) -> tuple[dict[str, Any], Facts]:
    """The document the probe's rules judge and its facts (see the module docstring).

    ``users`` (canonical scope → how many users granted it) marks a domain's grants;
    ``client_ids`` (the token's ``azp`` and ``aud``) a single token's.
    """
    data = manifest.data
    declared_items = [item for item in data.get("scopes") or [] if isinstance(item, dict)]
    declared = {canonical_scope(str(item.get("scope"))) for item in declared_items}
    held = sorted({canonical_scope(scope) for scope in granted})
    document = dict(data)
    document["scopes"] = declared_items + [{"scope": scope} for scope in held if scope not in declared]
    # The view is the manifest plus bare scope requests, valid by construction.
    facts = enrich(ManifestModel.from_data(document), catalog, as_of)
    facts.manifest["evidence"] = "token" if users is None else "domain"
    held_set = set(held)
    for index in range(len(document["scopes"])):
        scope_facts = facts.elements[f"/scopes/{index}"]
        scope = scope_facts["scope"]
        scope_facts["granted"] = scope in held_set
        scope_facts["declared"] = index < len(declared_items)
        scope_facts["holder"] = _holder(users, scope)
        scope_facts["described"] = described(scope_facts["classification"], scope)
        if users is not None:
            scope_facts["users"] = users.get(scope, 0)
    if client_ids is not None:
        app_facts = facts.elements["/app"]
        app_facts["client_ids"] = list(client_ids)
        listed = (data.get("app") or {}).get("oauth_client_ids")
        # Missing or empty: the fact stays unset and the rule reports it cannot decide.
        if isinstance(listed, list) and listed:
            known = {str(item).strip() for item in listed}
            app_facts["listed_client_ids"] = sorted(known)
            app_facts["foreign_client_ids"] = [client for client in client_ids if client not in known]
    return document, facts


def judge_grants(manifest: Manifest, granted: Iterable[str], pack: PolicyPack, catalog: ScopeCatalog,
                 as_of: datetime.date, users: Mapping[str, int] | None = None,
                 client_ids: tuple[str, ...] | None = None) -> list[Finding]:
    """Every finding of ``pack`` about ``granted`` scopes (any spelling) against ``manifest``, sorted."""
    from auditor.rules.rule_translation import message_language

    document, facts = probe_view(manifest, granted, catalog, as_of, users, client_ids)
    # A pack worded in another language (auditor.rules.rule_translation.localize_packs) is
    # judged in it.
    return judge(manifest, [pack], document, facts, message_language(pack.lang))


def judge_token(manifest: Manifest, scopes: Iterable[str], client_ids: tuple[str, ...], pack: PolicyPack,
                catalog: ScopeCatalog, as_of: datetime.date) -> ManifestResult:
    """Every probe finding about one token (its scopes and clients) against one manifest."""
    findings = judge_grants(manifest, scopes, pack, catalog, as_of, client_ids=client_ids)
    return ManifestResult(manifest.path, manifest.app_name, tuple(findings))
