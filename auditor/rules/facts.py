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
from dataclasses import dataclass, field
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog, ScopeInfo
from auditor.model.findings import InferredClassification
from auditor.rules.policy_facts import policy_facts
from auditor.catalog.scope_names import canonical_scope

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
    return max(values, key=_RANK.__getitem__, default="unknown")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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


def enrich(data: dict[str, Any], catalog: ScopeCatalog, as_of: datetime.date, code: Any = None) -> Facts:
    """Compute the facts of a valid manifest's data; with ``code`` (an
    :class:`auditor.scan.drift.CodeScan` of the app's code), also what the code shows about
    each scope (``facts.code``, see :mod:`auditor.scan.evidence`)."""
    elements: dict[str, dict[str, Any]] = {}
    scopes = _as_list(data.get("scopes"))
    use_cases = _as_list(data.get("use_cases"))
    data_items = _as_list(data.get("data"))
    has_data = "data" in data

    approved_apis = sorted({
        item["api"] for item in use_cases
        if item.get("use_case") in APPROVED_USE_CASES.get(item.get("api"), ())
    })
    fed_by: dict[str, list[str]] = {}
    for item in data_items:
        for scope in _as_list(item.get("source_scopes")):
            fed_by.setdefault(canonical_scope(scope), []).append(item["id"])

    classification_of: dict[str, str] = {}
    inferred_of: dict[str, InferredClassification] = {}
    inferred: dict[str, tuple[InferredClassification, ...]] = {}
    broad = False
    for index, item in enumerate(scopes):
        name = canonical_scope(item["scope"])
        info = catalog.get(name)
        guess = _inferred(info)
        if guess is not None:
            inferred_of[name] = guess
            inferred[f"/scopes/{index}"] = (guess,)
        alternatives = info.alternatives if info else ()
        classification = info.classification if info else "unknown"
        classification_of[name] = classification
        api = info.api if info else None
        narrower = list(info.narrower) if info else []
        restricted_api = classification == "restricted" and USE_CASE_FAMILY.get(api, api) in USE_CASE_APIS
        if classification == "restricted" or (classification == "sensitive" and narrower):
            broad = True
        facts: dict[str, Any] = {
            "label": f"scope {name}",
            "scope": name,
            "known": info is not None,
            "status": info.status if info else "unknown",
            "classification": classification,
            "sensitive_or_restricted": classification in ("sensitive", "restricted"),
            "api": api,
            "workspace": bool(info and info.workspace),
            "narrower": narrower,
            # Substitutes Google recommends that are not subsets, and what each trades.
            "alternatives": [alternative.scope for alternative in alternatives],
            "alternatives_described": "; ".join(
                f"{alternative.scope} ({alternative.trade})" if alternative.trade else alternative.scope
                for alternative in alternatives),
            "replaced_by": list(info.replaced_by) if info else [],
            "classification_inferred": guess is not None,
            "suggestions": [] if info else catalog.suggest(name),
            "sign_in": name in SIGN_IN_SCOPES,
            "restricted_api": restricted_api,
            "use_case_api": USE_CASE_FAMILY.get(api, api) if api else None,
            "api_has_approved_use_case": USE_CASE_FAMILY.get(api, api) in approved_apis,
        }
        if has_data:
            facts["used_by_data"] = sorted(fed_by.get(name, []))
        # Unset when nothing in the manifest tells: no data list and no feature named.
        if fed_by.get(name) or item.get("features"):
            facts["used"] = True
        elif has_data:
            facts["used"] = False
        # What the scope's use rests on, as a message names it (the code's evidence replaces
        # it when the audit reads code).
        features = item.get("features")
        facts["use_evidence"] = (f"data: {', '.join(sorted(fed_by.get(name, []))) or '(none)'}; features: "
                                 f"{', '.join(str(f) for f in features) if isinstance(features, list) and features else '(none)'}")
        elements[f"/scopes/{index}"] = facts

    for index, item in enumerate(use_cases):
        use_case, api = item.get("use_case"), item.get("api")
        elements[f"/use_cases/{index}"] = {
            "label": f"use case {use_case} ({api})",
            "approved": use_case in APPROVED_USE_CASES.get(api, ()) or (
                api not in APPROVED_USE_CASES and api != "any" and use_case not in PROHIBITED_USE_CASES
            ),
            "prohibited": use_case in PROHIBITED_USE_CASES,
        }

    data_class: dict[str, str] = {}
    data_scopes: dict[str, set[str]] = {}
    for index, item in enumerate(data_items):
        sources = {canonical_scope(scope) for scope in _as_list(item.get("source_scopes"))}
        classification = _max_classification([classification_of.get(scope, "unknown") for scope in sources])
        data_class[item["id"]] = classification
        data_scopes[item["id"]] = sources
        _note_inferred(inferred, f"/data/{index}", sources, inferred_of)
        purposes = sorted(set(_as_list(item.get("purposes"))) | set(_as_list(item.get("secondary_purposes"))))
        elements[f"/data/{index}"] = {
            "label": f"data element '{item['id']}'",
            **_sensitivity(classification),
            "all_purposes": purposes,
            "prohibited_purposes": sorted(PROHIBITED_PURPOSES.intersection(purposes)),
        }

    def behind(ids: list[Any]) -> str:
        return _max_classification([data_class.get(ident, "unknown") for ident in ids])

    def scopes_behind(ids: list[Any]) -> set[str]:
        return {scope for ident in ids if isinstance(ident, str) for scope in data_scopes.get(ident, ())}

    for section in ("storage", "transfers", "human_access"):
        for index, item in enumerate(_as_list(data.get(section))):
            if isinstance(item, dict):
                _note_inferred(inferred, f"/{section}/{index}", scopes_behind(_as_list(item.get("data"))), inferred_of)
    for index, item in enumerate(_as_list(data.get("storage"))):
        elements[f"/storage/{index}"] = {
            "label": f"storage '{item['id']}'",
            **_sensitivity(behind(_as_list(item.get("data")))),
        }
    for index, item in enumerate(_as_list(data.get("transfers"))):
        transport = item.get("transport") if isinstance(item.get("transport"), dict) else {}
        facts = {
            "label": f"transfer '{item['id']}' to {item.get('recipient')}",
            **_sensitivity(behind(_as_list(item.get("data")))),
        }
        if "tls_min_version" in transport:
            version = transport["tls_min_version"]
            facts["tls_min_version"] = version if isinstance(version, str) else f"{float(version):.1f}"
        elements[f"/transfers/{index}"] = facts
    for index, item in enumerate(_as_list(data.get("human_access"))):
        elements[f"/human_access/{index}"] = {
            "label": f"human access by {item.get('role')}",
            **_sensitivity(behind(_as_list(item.get("data")))),
        }
    app_name = data.get("app", {}).get("name")
    statement = data.get("app", {}).get("limited_use_statement")
    for pointer, label in (("/app", f"app '{app_name}'"), ("/auth", "authorization"),
                           ("/auth/token_storage", "OAuth token storage"), ("/disclosure", "in-product disclosure"),
                           ("/consent", "consent request"), ("/security", "security programme")):
        elements[pointer] = {"label": label}
    if isinstance(statement, dict) and isinstance(statement.get("text"), str):
        elements["/app"]["limited_use_text"] = normalise_whitespace(statement["text"])
    elements["/app"].update(_verification_domains(data.get("app")))

    classifications = list(classification_of.values())
    auth = data.get("auth") if isinstance(data.get("auth"), dict) else {}
    manifest: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "app": app_name,
        "has_restricted_scope": "restricted" in classifications,
        "has_sensitive_scope": any(value in ("sensitive", "restricted") for value in classifications),
        "has_broad_scope": broad,
        "restricted_apis": sorted({
            facts["api"] for pointer, facts in elements.items()
            if pointer.startswith("/scopes/") and facts["classification"] == "restricted" and facts["api"]
        }),
        "approved_apis": approved_apis,
        "service_account": auth.get("flow") in ("service_account", "domain_wide_delegation"),
    }
    audience = data.get("app", {}).get("audience") if isinstance(data.get("app"), dict) else None
    if audience in ("internal", "external"):
        # Google verifies apps offered outside their own organisation; internal ones are exempt.
        manifest["needs_verification"] = audience == "external"
    casa = data.get("security", {}).get("casa") if isinstance(data.get("security"), dict) else None
    if isinstance(casa, dict) and isinstance(casa.get("date"), str):
        try:
            assessed = datetime.date.fromisoformat(casa["date"])
        except ValueError:
            assessed = None
        if assessed is not None:
            valid_until = add_months(assessed, CASA_VALID_MONTHS)
            manifest["casa_age_days"] = (as_of - assessed).days
            manifest["casa_valid_until"] = valid_until.isoformat()
            manifest["casa_current"] = assessed <= as_of <= valid_until
    # The app-wide facts say the app has sensitive, restricted or broad scopes: the guesses
    # they rest on are the inferred classifications that raise them. An inferred
    # non-sensitive scope is noted on its own findings and on the data it feeds.
    raising = tuple(inferred_of[name] for name in sorted(inferred_of)
                    if inferred_of[name].classification in ("sensitive", "restricted"))
    if code is not None:
        from auditor.scan.evidence import add_code_facts

        add_code_facts(elements, manifest, code, catalog)
    return Facts(elements, manifest, inferred, raising)


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


def _verification_domains(app: Any) -> dict[str, Any]:
    """The registrable domains of the homepage and the privacy policy, and whether they are
    one (Google's brand verification wants both on the app's own domain); nothing when
    either URL is missing."""
    if not isinstance(app, dict):
        return {}
    homepage, policy = app.get("homepage_url"), app.get("privacy_policy_url")
    if not (isinstance(homepage, str) and isinstance(policy, str)):
        return {}
    from auditor.catalog.domains import registrable_domain

    home_domain, policy_domain = registrable_domain(homepage), registrable_domain(policy)
    return {"homepage_domain": home_domain or "(none)", "privacy_policy_domain": policy_domain or "(none)",
            "same_registrable_domain": home_domain is not None and home_domain == policy_domain}
