"""Facts: what the rules need to know about a manifest, computed once, in code.

Rules are data and never run Python, so everything that takes a look-up or a little
arithmetic is worked out here: each scope's classification and alternatives from the
catalog, which data each scope feeds, the most sensitive scope behind every data element,
storage and transfer, whether each restricted API has an approved use case, the age of the
CASA assessment and whether it is still current, the Limited Use statement with its white
space normalised. Rules read these under ``facts`` (the element's own) and
``manifest_facts`` (the whole app's); ``docs/rules.md`` lists them all. Alongside, the
inferred scope classifications behind each element, so findings can show that evidence.
"""

from __future__ import annotations

import datetime
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog, ScopeInfo
from auditor.model.findings import InferredClassification
from auditor.rules.policy_facts import policy_facts
from auditor.rules.i18n import Phrase
from auditor.catalog.scope_names import canonical_scope
from auditor.manifest.model import App, HumanAccess, ManifestModel, ScopeRequest, Storage, Transfer, UseCase

# The policy's lists come from policies/facts/policy-facts.yaml (judgments are data).
_POLICY = policy_facts()
# The policy's restricted-scope regime and its approved use cases are defined per API for
# these families.
USE_CASE_APIS = _POLICY.use_case_apis
APPROVED_USE_CASES = {api: frozenset(names) for api, names in _POLICY.approved_use_cases.items()}
# Families whose scopes the policy treats under another API's use cases.
USE_CASE_FAMILY = dict(_POLICY.use_case_family)
PROHIBITED_USE_CASES = _POLICY.prohibited_use_cases
PROHIBITED_PURPOSES = frozenset(_POLICY.prohibited_purposes)
SIGN_IN_SCOPES = frozenset({"openid", canonical_scope("email"), canonical_scope("profile")})
_RANK = {"unknown": 0, "non_sensitive": 1, "sensitive": 2, "restricted": 3}
# Facts whose value follows from scope classifications: a verdict that reads one of them
# rests on the classification of the scopes behind the element (element facts) or of the
# requested scopes that make the app sensitive or restricted (manifest facts).
ELEMENT_CLASSIFICATION_FACTS = frozenset({
    "facts.classification", "facts.sensitive_or_restricted", "facts.restricted_api",
    "facts.from_restricted", "facts.from_sensitive_or_restricted",
})
MANIFEST_CLASSIFICATION_FACTS = frozenset({
    "manifest_facts.has_restricted_scope", "manifest_facts.has_sensitive_scope",
    "manifest_facts.has_broad_scope", "manifest_facts.restricted_apis",
})
# An assessment is current for this many calendar months after its date.
CASA_VALID_MONTHS = 12


@dataclass(frozen=True)
class Facts:
    """Facts about one manifest: per element (by JSON Pointer) and for the whole app."""

    elements: dict[str, dict[str, Any]]
    manifest: dict[str, Any]
    # Inferred classifications behind each element (by pointer) and behind the app as a whole.
    inferred: dict[str, tuple[InferredClassification, ...]] = field(default_factory=dict)
    manifest_inferred: tuple[InferredClassification, ...] = ()


def _max_classification(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return max(values, key=_RANK.__getitem__, default="unknown")


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` moved by whole calendar months; a day the target month lacks becomes its
    last day (2024-02-29 plus 12 months is 2025-02-28; 2024-01-31 plus 1 month is 2024-02-29)."""
    import calendar

    year, month_index = divmod(start.year * 12 + start.month - 1 + months, 12)
    month = month_index + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def normalise_whitespace(text: str) -> str:
    """Runs of whitespace (line breaks of a folded YAML scalar, doubled or no-break spaces)
    as one space, without leading or trailing space: how a reader sees the text."""
    return " ".join(text.split())


def _inferred(info: ScopeInfo | None) -> InferredClassification | None:
    if info is None or info.classification_source != "inferred":
        return None
    return InferredClassification(info.scope, info.classification, (info.reasoning or "").strip())


def enrich(manifest: ManifestModel, catalog: ScopeCatalog, as_of: datetime.date, code: Any = None) -> Facts:
    """Compute the facts of a valid manifest's model; with ``code`` (an
    :class:`auditor.scan.drift.CodeScan` of the app's code), also what the code shows about
    each scope (``facts.code``, see :mod:`auditor.scan.evidence`)."""
    elements: dict[str, dict[str, Any]] = {}
    inferred: dict[str, tuple[InferredClassification, ...]] = {}
    approved_apis = _approved_apis(manifest.use_cases or ())
    scopes = _enrich_scopes(manifest, catalog, approved_apis, elements, inferred)
    _enrich_use_cases(manifest.use_cases or (), elements)
    _enrich_data_flow(manifest, scopes, elements, inferred)
    _enrich_sections(manifest.app, elements)
    facts = _manifest_facts(manifest, as_of, scopes, approved_apis, elements)
    # The app-wide facts say the app has sensitive, restricted or broad scopes: the guesses
    # they rest on are the inferred classifications that raise them. An inferred
    # non-sensitive scope is noted on its own findings and on the data it feeds.
    raising = tuple(scopes.inferred_of[name] for name in sorted(scopes.inferred_of)
                    if scopes.inferred_of[name].classification in ("sensitive", "restricted"))
    if code is not None:
        from auditor.scan.evidence import add_code_facts

        add_code_facts(elements, facts, code, catalog)
    return Facts(elements, facts, inferred, raising)


@dataclass(frozen=True)
class _ScopeSummary:
    """What the later steps of :func:`enrich` need from the scopes: each requested scope's
    classification, the inferred ones, and whether any scope is broad."""

    classification_of: dict[str, str]
    inferred_of: dict[str, InferredClassification]
    broad: bool


def _approved_apis(use_cases: tuple[UseCase, ...]) -> list[str]:
    return sorted({item.api for item in use_cases if item.use_case in APPROVED_USE_CASES.get(item.api, ())})


def _enrich_scopes(manifest: ManifestModel, catalog: ScopeCatalog, approved_apis: list[str],
                   elements: dict[str, dict[str, Any]],
                   inferred: dict[str, tuple[InferredClassification, ...]]) -> _ScopeSummary:
    """The facts of each requested scope (``/scopes/N``), from the catalog and the data it feeds."""
    fed_by: dict[str, list[str]] = {}
    for element in manifest.data or ():
        for scope in element.source_scopes:
            fed_by.setdefault(scope, []).append(element.id)
    classification_of: dict[str, str] = {}
    inferred_of: dict[str, InferredClassification] = {}
    broad = False
    known = _catalog_scopes(catalog)
    for request in manifest.scopes:
        entry = known.get(request.scope) or _catalog_scope(catalog, request.scope, known)
        base, use_case_api, guess = entry
        if guess is not None:
            inferred_of[request.scope] = guess
            inferred[request.pointer] = (guess,)
        facts = dict(base)
        for key in _LIST_FACTS:  # each manifest's facts own their lists
            facts[key] = list(base[key])
        facts["api_has_approved_use_case"] = use_case_api in approved_apis
        classification_of[request.scope] = facts["classification"]
        if facts["classification"] == "restricted" or (facts["classification"] == "sensitive" and facts["narrower"]):
            broad = True
        _note_use(facts, request, fed_by.get(request.scope, []), manifest.data is not None)
        elements[request.pointer] = facts
    return _ScopeSummary(classification_of, inferred_of, broad)


# What the catalog says about a scope is the same in every manifest requesting it: worked
# out once per catalog and scope name, then copied. A catalog's entry is dropped with the
# catalog; the names are bounded, as a batch may spell many scopes no catalog knows.
_CATALOG_SCOPES: weakref.WeakKeyDictionary[ScopeCatalog, dict[str, tuple[dict[str, Any], Any, Any]]] = (
    weakref.WeakKeyDictionary())
_CATALOG_SCOPE_LIMIT = 4096
_LIST_FACTS = ("narrower", "alternatives", "replaced_by", "suggestions")


def _catalog_scopes(catalog: ScopeCatalog) -> dict[str, tuple[dict[str, Any], Any, Any]]:
    known = _CATALOG_SCOPES.get(catalog)
    if known is None:
        known = _CATALOG_SCOPES[catalog] = {}
    return known


def _catalog_scope(catalog: ScopeCatalog, name: str,
                   known: dict[str, tuple[dict[str, Any], Any, Any]]) -> tuple[dict[str, Any], Any, Any]:
    """The facts of scope ``name`` that follow from the catalog alone, the API family whose
    use cases it falls under, and its inferred classification; remembered in ``known``."""
    info = catalog.get(name)
    api = info.api if info else None
    if len(known) >= _CATALOG_SCOPE_LIMIT:
        known.clear()
    known[name] = entry = (_scope_facts(name, info, catalog), USE_CASE_FAMILY.get(api, api), _inferred(info))
    return entry


def _scope_facts(name: str, info: ScopeInfo | None, catalog: ScopeCatalog) -> dict[str, Any]:
    """What the catalog says about one requested scope (``api_has_approved_use_case``, which
    depends on the manifest, is added after these)."""
    alternatives = info.alternatives if info else ()
    classification = info.classification if info else "unknown"
    api = info.api if info else None
    use_case_api = USE_CASE_FAMILY.get(api, api)
    return {
        "label": f"scope {name}",
        "scope": name,
        "known": info is not None,
        "status": info.status if info else "unknown",
        "classification": classification,
        "sensitive_or_restricted": classification in ("sensitive", "restricted"),
        "api": api,
        "workspace": bool(info and info.workspace),
        "narrower": list(info.narrower) if info else [],
        # Substitutes Google recommends that are not subsets, and what each trades.
        "alternatives": [alternative.scope for alternative in alternatives],
        "alternatives_described": "; ".join(
            f"{alternative.scope} ({alternative.trade})" if alternative.trade else alternative.scope
            for alternative in alternatives),
        "replaced_by": list(info.replaced_by) if info else [],
        "classification_inferred": info is not None and info.classification_source == "inferred",
        "suggestions": [] if info else catalog.suggest(name),
        "sign_in": name in SIGN_IN_SCOPES,
        "restricted_api": classification == "restricted" and use_case_api in USE_CASE_APIS,
        "use_case_api": use_case_api if api else None,
    }


def _note_use(facts: dict[str, Any], request: ScopeRequest, fed: list[str], has_data: bool) -> None:
    """Which data a scope feeds and whether anything in the manifest uses it."""
    data = sorted(fed)
    if has_data:
        facts["used_by_data"] = data
    # Unset when nothing in the manifest tells: no data list and no feature named.
    if fed or request.features:
        facts["used"] = True
    elif has_data:
        facts["used"] = False
    # What the scope's use rests on, as a message names it (the code's evidence replaces
    # it when the audit reads code); worded by the report catalogs (facts.use_evidence).
    facts["use_evidence"] = _manifest_use_evidence(tuple(data), request.features or ())


@lru_cache(maxsize=4096)
def _manifest_use_evidence(data: tuple[str, ...], features: tuple[str, ...]) -> Phrase:
    """The phrase saying what in the manifest uses a scope. Wording one costs a catalog look-up
    and a template fill, and the same few recur in manifest after manifest: one phrase each is
    made, and shared (a phrase is never changed once made)."""
    return Phrase("facts.use_evidence.manifest", data=list(data), features=list(features))


def _enrich_use_cases(use_cases: tuple[UseCase, ...], elements: dict[str, dict[str, Any]]) -> None:
    for item in use_cases:
        use_case, api = item.use_case, item.api
        elements[item.pointer] = {
            "label": f"use case {use_case} ({api})",
            "approved": use_case in APPROVED_USE_CASES.get(api, ()) or (
                api not in APPROVED_USE_CASES and api != "any" and use_case not in PROHIBITED_USE_CASES
            ),
            "prohibited": use_case in PROHIBITED_USE_CASES,
        }


def _enrich_data_flow(manifest: ManifestModel, scopes: _ScopeSummary, elements: dict[str, dict[str, Any]],
                      inferred: dict[str, tuple[InferredClassification, ...]]) -> None:
    """The facts of each data element, storage, transfer and human access: the most
    sensitive scope behind it, and the inferred classifications it rests on."""
    data_class: dict[str, str] = {}
    data_scopes: dict[str, set[str]] = {}
    # Most manifests rest on no inferred classification: then there is nothing to note.
    inferred_of = scopes.inferred_of
    for element in manifest.data or ():
        sources = set(element.source_scopes)
        classification = _max_classification([scopes.classification_of.get(scope, "unknown") for scope in sources])
        data_class[element.id] = classification
        data_scopes[element.id] = sources
        if inferred_of:
            _note_inferred(inferred, element.pointer, sources, inferred_of)
        purposes, prohibited = _purpose_facts(element.purposes, element.secondary_purposes)
        elements[element.pointer] = {
            "label": f"data element '{element.id}'",
            **_SENSITIVITY[classification],
            "all_purposes": list(purposes),
            "prohibited_purposes": list(prohibited),
        }
    flows: tuple[Storage | Transfer | HumanAccess, ...] = (
        *(manifest.storage or ()), *(manifest.transfers or ()), *(manifest.human_access or ()))
    for flow in flows:
        if inferred_of:
            behind = {scope for ident in flow.data for scope in data_scopes.get(ident, ())}
            _note_inferred(inferred, flow.pointer, behind, inferred_of)
        facts = _SENSITIVITY[_max_classification([data_class.get(ident, "unknown") for ident in flow.data])]
        if isinstance(flow, Storage):
            elements[flow.pointer] = {"label": f"storage '{flow.id}'", **facts}
        elif isinstance(flow, Transfer):
            elements[flow.pointer] = {"label": f"transfer '{flow.id}' to {flow.recipient}", **facts}
            if flow.transport is not None and flow.transport.tls_min_version is not None:
                elements[flow.pointer]["tls_min_version"] = flow.transport.tls_min_version
        else:
            elements[flow.pointer] = {"label": f"human access by {flow.role}", **facts}


@lru_cache(maxsize=1024)
def _purpose_facts(purposes: tuple[str, ...],
                   secondary: tuple[str, ...] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A data element's purposes, primary and secondary, sorted, and those the policy
    prohibits; the same few combinations recur across a batch."""
    everything = sorted(frozenset(purposes).union(secondary or ()))
    return tuple(everything), tuple(sorted(PROHIBITED_PURPOSES.intersection(everything)))


def _enrich_sections(app: App, elements: dict[str, dict[str, Any]]) -> None:
    """The facts of the app and of the sections that are one object each."""
    for pointer, label in (("/app", f"app '{app.name}'"), ("/auth", "authorization"),
                           ("/auth/token_storage", "OAuth token storage"), ("/disclosure", "in-product disclosure"),
                           ("/consent", "consent request"), ("/security", "security programme")):
        elements[pointer] = {"label": label}
    statement = app.limited_use_statement
    if statement is not None and statement.text is not None:
        elements["/app"]["limited_use_text"] = normalise_whitespace(statement.text)
    elements["/app"].update(_verification_domains(app))


def _manifest_facts(manifest: ManifestModel, as_of: datetime.date, scopes: _ScopeSummary, approved_apis: list[str],
                    elements: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The facts of the whole app (``manifest_facts``)."""
    classifications = list(scopes.classification_of.values())
    facts: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "app": manifest.app.name,
        "has_restricted_scope": "restricted" in classifications,
        "has_sensitive_scope": any(value in ("sensitive", "restricted") for value in classifications),
        "has_broad_scope": scopes.broad,
        "restricted_apis": sorted({
            elements[request.pointer]["api"] for request in manifest.scopes
            if elements[request.pointer]["classification"] == "restricted" and elements[request.pointer]["api"]
        }),
        "approved_apis": approved_apis,
        "service_account": manifest.auth is not None and manifest.auth.flow in (
            "service_account", "domain_wide_delegation"),
    }
    if manifest.app.audience is not None:
        # Google verifies apps offered outside their own organisation; internal ones are exempt.
        facts["needs_verification"] = manifest.app.audience == "external"
    casa = manifest.security.casa if manifest.security is not None else None
    if casa is not None and casa.date is not None:
        valid_until = add_months(casa.date, CASA_VALID_MONTHS)
        facts["casa_age_days"] = (as_of - casa.date).days
        facts["casa_valid_until"] = valid_until.isoformat()
        facts["casa_current"] = casa.date <= as_of <= valid_until
    return facts


def _note_inferred(inferred: dict[str, tuple[InferredClassification, ...]], pointer: str, scopes: set[str],
                   inferred_of: dict[str, InferredClassification]) -> None:
    found = tuple(inferred_of[scope] for scope in sorted(scopes) if scope in inferred_of)
    if found:
        inferred[pointer] = found


def _sensitivity(classification: str) -> dict[str, Any]:
    return {
        "classification": classification,
        "from_restricted": classification == "restricted",
        "from_sensitive_or_restricted": classification in ("sensitive", "restricted"),
    }


# The facts of each classification, made once: element facts copy them in (``**``).
_SENSITIVITY = {classification: _sensitivity(classification) for classification in _RANK}


def _verification_domains(app: App) -> dict[str, Any]:
    """The registrable domains of the homepage and the privacy policy, and whether they are
    one (Google's brand verification wants both on the app's own domain); nothing when
    either URL is missing."""
    homepage, policy = app.homepage_url, app.privacy_policy_url
    if homepage is None or policy is None:
        return {}
    from auditor.catalog.domains import registrable_domain

    home_domain, policy_domain = registrable_domain(homepage), registrable_domain(policy)
    return {"homepage_domain": home_domain or "(none)", "privacy_policy_domain": policy_domain or "(none)",
            "same_registrable_domain": home_domain is not None and home_domain == policy_domain}
