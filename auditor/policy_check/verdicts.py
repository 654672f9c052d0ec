"""Judge a policy text against a manifest: one finding per required fact, and one per kind
of blanket claim the policy makes.

A finding says which words matched and where (``'calendar' at 12:3``), the passage that
covers the fact, and the manifest element the fact comes from; a failure says which group
of words was missing, or that they never met within one window. There is no score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.findings import STATUS_RANK, Finding
from auditor.model.report import ManifestResult
from auditor.manifest.load import Manifest
from auditor.policy_check.facts import ClaimCheck, Requirement, claim_checks, required_facts
from auditor.policy_check.matching import Hit, PolicyIndex
from auditor.policy_check.rulebook import Rulebook, load_rulebook
from auditor.policy_check.source import PolicyText
from auditor.policy_check.vocabulary import Vocabulary, detect_language, load_vocabulary

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"
_START = (1, 1)
_CLAIM_WORDS = {"no_sharing": "that no user data is shared", "no_storage": "that no user data is stored",
                "no_sale": "that user data is never sold"}


@dataclass(frozen=True)
class PolicyCheck:
    """The findings about one policy, the language it was read in, and the matching effort."""

    result: ManifestResult
    language: str
    work: int
    rulebook: Rulebook


def policy_rulebook() -> Rulebook:
    return load_rulebook(RULES_FILE)


class _Judge:
    def __init__(self, index: PolicyIndex, manifest: Manifest, words: Vocabulary, rulebook: Rulebook) -> None:
        self.index, self.manifest, self.words, self.rulebook = index, manifest, words, rulebook
        self.source = index.policy.source

    def where(self, pointer: str) -> str:
        line, column = self.manifest.locate(pointer)
        return f"{self.manifest.path}:{line}:{column}"

    def said(self, hit: Hit) -> str:
        line, column = self.index.position(hit)
        return f"'{hit.term.text}' at {line}:{column}"

    def requirement(self, need: Requirement) -> Finding:
        origin = f"{need.element} at {self.where(need.pointer)}"
        identity = {"fact": need.key, "groups": [label for label, _ in need.groups]}
        if need.needs is not None:
            message = f"cannot tell whether the policy discloses {need.subject} ({origin}): the manifest does not " \
                      f"state {need.needs.lstrip('/').replace('/', '.')}"
            return self.rulebook.finding(need.rule, "incomplete", self.source, need.pointer, _START, message, identity)
        cover, firsts = self.index.cover(tuple(group for _, group in need.groups), self.words.window)
        if cover is not None:
            matched = ", ".join(self.said(hit) for hit in cover.hits)
            message = f"discloses {need.subject} ({origin}): matched {matched}: \u201c{self.index.excerpt(cover.hits)}\u201d"
            return self.rulebook.finding(need.rule, "pass", self.source, need.pointer,
                                         self.index.position(cover.first), message, identity)
        absent = [label for (label, _), first in zip(need.groups, firsts) if first is None]
        if absent:
            seen = [f"{label}: {self.said(first)}" for (label, _), first in zip(need.groups, firsts) if first]
            why = f"no words for {', '.join(absent)}" + (f" (found {'; '.join(seen)})" if seen else "")
        else:
            seen = [f"{label}: first {self.said(first)}" for (label, _), first in zip(need.groups, firsts) if first]
            why = f"the words never meet within {self.words.window} sentences ({'; '.join(seen)})"
        message = f"does not disclose {need.subject} ({origin}): {why}"
        return self.rulebook.finding(need.rule, "fail", self.source, need.pointer, _START, message, identity)

    def claim(self, check: ClaimCheck) -> Finding | None:
        claims = [c for c in self.index.claims(self.words.terms("claims", check.claim), self.words.terms("qualifiers"))
                  if c.qualifier is None]
        if not claims:
            return None
        first = claims[0].hit
        where = self.index.position(first)
        more = f" (and {len(claims) - 1} more time(s))" if len(claims) > 1 else ""
        said = f"the policy says {_CLAIM_WORDS[check.claim]}: {self.said(first)}{more}: " \
               f"\u201c{self.index.excerpt((first,))}\u201d"
        identity: dict[str, Any] = {"claim": check.claim, "contradicted_by": [p for p, _ in check.contradicted_by]}
        if not check.declared:
            return self.rulebook.finding("claim", "incomplete", self.source, "", where,
                                         f"{said}; the manifest does not declare what would confirm it", identity)
        if check.contradicted_by:
            pointer, element_id = check.contradicted_by[0]
            others = len(check.contradicted_by) - 1
            against = f"{pointer.lstrip('/')} ({element_id}) at {self.where(pointer)}" + \
                      (f" and {others} other element(s)" if others else "")
            return self.rulebook.finding("claim", "fail", self.source, pointer, where,
                                         f"{said}; but the manifest declares {against}", identity)
        return self.rulebook.finding("claim", "pass", self.source, "", where,
                                     f"{said}; consistent with the manifest", identity)


def check_policy_text(policy: PolicyText, manifest: Manifest, catalog: ScopeCatalog,
                      language: str | None = None) -> PolicyCheck:
    """Every finding about ``policy`` judged against ``manifest``; ``language`` ``None``
    detects it from the text."""
    index = PolicyIndex(policy)
    code = language or detect_language(index.words)
    words = load_vocabulary(code)
    rulebook = policy_rulebook()
    judge = _Judge(index, manifest, words, rulebook)
    findings = [judge.requirement(need) for need in required_facts(manifest.data, catalog, words)]
    findings += [finding for check in claim_checks(manifest.data) if (finding := judge.claim(check)) is not None]
    findings.sort(key=lambda f: (STATUS_RANK[f.status], f.sort_key(), f.message))
    result = ManifestResult(policy.source, manifest.app_name, tuple(findings))
    return PolicyCheck(result, code, index.work, rulebook)
