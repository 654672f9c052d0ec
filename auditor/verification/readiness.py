"""What Google's OAuth verification will ask about an app, answered from its manifest.

Brand verification wants the homepage and the privacy policy on one registrable domain over
https (VR-1); the Public Suffix List bundled with ``publicsuffixlist`` tells registrable
domains apart (``example.co.uk`` is one, ``co.uk`` is not), with no download at run time.
Sensitive and restricted scopes each need a justification and a feature the demo video
shows (VR-2); restricted scopes also need a security assessment renewed every 12 calendar
months. An app only its own organisation uses (``app.audience: internal``) needs no
verification at all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import parse_date as _date
from auditor.catalog.domains import registrable_domain
from auditor.rules.facts import add_months as add_calendar_months
from auditor.model.findings import STATUS_RANK, Finding
from auditor.manifest.load import Manifest
from auditor.policy_check.rulebook import Rulebook, load_rulebook

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"
VERIFIED_CLASSES = ("restricted", "sensitive")


@dataclass(frozen=True)
class ScopeAnswer:
    """One sensitive or restricted scope, as the verification form asks about it."""

    scope: str
    classification: str
    description: str
    justification: str | None
    features: tuple[str, ...]
    pointer: str


@dataclass(frozen=True)
class Readiness:
    """The answers, and the findings about what is still missing."""

    manifest: str
    app: str
    developer: str
    audience: str | None
    needs_verification: bool | None
    homepage: str | None
    privacy_policy: str | None
    domains: tuple[str | None, str | None]
    scopes: tuple[ScopeAnswer, ...]
    casa_date: datetime.date | None
    casa_due: datetime.date | None
    as_of: datetime.date
    findings: tuple[Finding, ...]
    pack: Any




class _Assessor:
    def __init__(self, manifest: Manifest, rulebook: Rulebook) -> None:
        self.manifest, self.rulebook = manifest, rulebook
        self.findings: list[Finding] = []

    def add(self, key: str, status: str, pointer: str, message: str, identity: Any) -> None:
        position = self.manifest.locate(pointer)
        self.findings.append(self.rulebook.finding(key, status, self.manifest.path, pointer, position, message,
                                                   identity))


def _domain_finding(check: _Assessor, app: dict[str, Any]) -> tuple[str | None, str | None]:
    homepage, policy = app.get("homepage_url"), app.get("privacy_policy_url")
    domains = (registrable_domain(homepage), registrable_domain(policy))
    pointer = "/app/privacy_policy_url" if policy else ("/app/homepage_url" if homepage else "/app")
    missing = [name for name, url in (("app.homepage_url", homepage), ("app.privacy_policy_url", policy)) if not url]
    if missing:
        check.add("domain", "incomplete", pointer, f"cannot compare domains: the manifest does not state "
                  f"{' or '.join(missing)}", {"missing": missing})
        return domains
    problems = [f"{name} is not https" for name, url in (("the homepage", homepage), ("the privacy policy", policy))
                if urlsplit(str(url)).scheme.lower() != "https"]
    if None in domains:
        problems.append("a URL has no registrable domain (an IP address or a bare public suffix)")
    elif domains[0] != domains[1]:
        problems.append(f"the homepage is on {domains[0]} but the privacy policy on {domains[1]}")
    identity = {"homepage": homepage, "policy": policy}
    if problems:
        check.add("domain", "fail", pointer, "; ".join(problems), identity)
    else:
        check.add("domain", "pass", pointer, f"homepage and privacy policy are both on {domains[0]} over https",
                  identity)
    return domains


def assess_readiness(manifest: Manifest, catalog: ScopeCatalog, as_of: datetime.date) -> Readiness:
    """The verification answers for ``manifest`` and the findings about what is missing."""
    data = manifest.data
    app = data.get("app") if isinstance(data.get("app"), dict) else {}
    check = _Assessor(manifest, load_rulebook(RULES_FILE))
    domains = _domain_finding(check, app)

    answers = []
    for index, item in enumerate(data.get("scopes") or []):
        entry = catalog.get(str(item.get("scope")))
        if entry is None or entry.classification not in VERIFIED_CLASSES:
            continue
        answers.append(ScopeAnswer(entry.scope, entry.classification, entry.description,
                                   item.get("justification"), tuple(str(f) for f in item.get("features") or ()),
                                   f"/scopes/{index}"))
    audience = app.get("audience")
    needs = None if audience is None else (audience == "external" and bool(answers))
    if not answers:
        needs = False
        check.add("audience", "pass", "/scopes", "no sensitive or restricted scope: OAuth verification is not needed",
                  {"needs": False})
    elif audience is None:
        check.add("audience", "incomplete", "/app", "the app requests sensitive or restricted scopes, but the manifest "
                  "does not state app.audience, so whether it needs OAuth verification is unknown", {"needs": None})
    else:
        said = "needs OAuth verification" if needs else "needs no OAuth verification (internal use only)"
        check.add("audience", "pass", "/app/audience", f"audience {audience}: the app {said}", {"needs": needs})

    if needs is not False:
        for answer in answers:
            lacking = [name for name, value in (("justification", answer.justification),
                                                ("feature to demonstrate", answer.features)) if not value]
            identity = {"scope": answer.scope}
            if lacking:
                check.add("scope", "fail", answer.pointer, f"{answer.classification} scope {answer.scope} has no "
                          f"{' and no '.join(lacking)}", identity)
            else:
                check.add("scope", "pass", answer.pointer, f"{answer.classification} scope {answer.scope}: justified, "
                          f"demonstrated by {', '.join(answer.features)}", identity)

    casa = (data.get("security") or {}).get("casa") if isinstance(data.get("security"), dict) else None
    casa_date = _date(casa.get("date")) if isinstance(casa, dict) else None
    casa_due = add_calendar_months(casa_date, 12) if casa_date else None
    if needs is not False and any(answer.classification == "restricted" for answer in answers):
        if casa_due is None:
            pointer = "/security/casa" if isinstance(casa, dict) else "/app"
            check.add("assessment", "incomplete", pointer, "restricted scopes need a security assessment, but the "
                      "manifest does not state security.casa.date", {"due": None})
        elif casa_due < as_of:
            check.add("assessment", "fail", "/security/casa/date", f"the security assessment of {casa_date} was due "
                      f"for renewal on {casa_due}", {"due": casa_due.isoformat()})
        else:
            check.add("assessment", "pass", "/security/casa/date", f"security assessment of {casa_date}; next one due "
                      f"by {casa_due}", {"due": casa_due.isoformat()})

    findings = tuple(sorted(check.findings, key=lambda f: (STATUS_RANK[f.status], f.sort_key())))
    return Readiness(manifest.path, manifest.app_name, str(app.get("developer", "")), audience, needs,
                     app.get("homepage_url"), app.get("privacy_policy_url"), domains, tuple(answers), casa_date,
                     casa_due, as_of, findings, check.rulebook.pack)
