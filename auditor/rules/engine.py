"""Evaluate compiled rules against a manifest and its facts, producing findings.

For every rule, each selected element goes through three steps, all of them data from the
rule: ``when`` (does the rule apply?), ``needs`` (does the manifest say enough to decide?
if not, the finding is *incomplete*, never *pass*) and ``assert`` (pass or fail).

A finding points at the most specific node its verdict is about: the field a failing
reason or the rule's ``at`` names, the first missing field of an incomplete finding, else
the element; a node the manifest leaves out is replaced by its nearest existing parent.
Only a missing top-level section, which has no parent but the document, keeps its own
pointer, placed at line 1, column 1.
"""

from __future__ import annotations

import datetime
import json
from hashlib import sha256
from operator import itemgetter
from typing import Any, NamedTuple

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.facts import ELEMENT_CLASSIFICATION_FACTS, MANIFEST_CLASSIFICATION_FACTS, Facts, enrich
from auditor.model.findings import SEVERITY_RANK, STATUS_RANK, Finding, InferredClassification, RuleInfo, Status
from auditor.model.report import ManifestResult
from auditor.manifest.inventory import build_inventory
from auditor.manifest.load import Manifest
from auditor.manifest.yaml_source import NodeFinder
from auditor.rules.packs import PolicyPack, Rule
from auditor.rules.message_templates import CompiledTemplate, compiled_template, render_compiled
from auditor.rules.selection import ABSENT, missing_fields, readable, select, target_pointer


def evaluate(manifest: Manifest, packs: list[PolicyPack], catalog: ScopeCatalog,
             as_of: datetime.date, language: Any = None, code: Any = None, inventory: bool = True) -> ManifestResult:
    """Every finding of every rule of ``packs`` about ``manifest``, sorted; messages in
    ``language`` (see :func:`~auditor.rules.message_templates.render_message`) when the
    packs' rules are worded in it; ``code`` (a scan of the app's code) adds the code's
    evidence to the facts. With ``inventory`` false the result has no inventory of the
    manifest's data flow (only the HTML report shows one)."""
    # Facts and inventory read the typed model; the rules judge the data, their contract.
    model = manifest.model
    facts = enrich(model, catalog if _reads_suggestions(packs) else catalog.without_suggestions(), as_of, code)
    findings = judge(manifest, packs, manifest.data, facts, language)
    return ManifestResult(manifest.path, manifest.app_name, tuple(findings),
                          build_inventory(model, facts) if inventory else None)


def _reads_suggestions(packs: list[PolicyPack]) -> bool:
    """Whether a rule shows or judges close matches of an unknown scope, which cost a
    comparison with the whole catalog each: runs whose rules do not, skip them."""
    return any(pack.reads_suggestions for pack in packs)


def judge(manifest: Manifest, packs: list[PolicyPack], document: dict[str, Any], facts: Facts,
          language: Any = None) -> list[Finding]:
    """Every finding of every rule of ``packs``, sorted: the rules select elements of
    ``document`` and read ``facts`` (both from :func:`enrich`); findings are placed in
    ``manifest``.

    For an audit ``document`` is the manifest's data. The live probe judges a view of the
    manifest with evidence added (its ``scopes`` extended by the granted scopes the manifest
    does not declare); an element the manifest does not have is placed at its nearest
    existing parent there, as a missing field is.
    """
    judgement = _ManifestJudgement(manifest, document, facts, language)
    ordered: list[tuple[tuple[Any, ...], Finding]] = []
    for pack in packs:
        for rule in pack.rules:
            judgement.add_findings_of(rule, ordered)
    # Each finding comes with its Finding.sort_key (less the manifest, the same for all):
    # a stable sort by it gives the order sorting by Finding.sort_key gives.
    ordered.sort(key=_FIRST)
    return [finding for _key, finding in ordered]


_FIRST = itemgetter(0)


def _needs_met(needs: tuple[tuple[tuple[bool, tuple[str, ...]], ...], ...], subject: dict[str, Any],
               document: Any) -> bool:
    """Whether each of ``needs`` (see ``_RulePlan.needs_tokens``) has one alternative that
    is there: :func:`missing_fields` finds nothing missing."""
    for alternatives in needs:
        for absolute, tokens in alternatives:
            node = document if absolute else subject
            for token in tokens:
                if isinstance(node, dict) and token in node:
                    node = node[token]
                else:
                    break
            else:
                break
        else:
            return False
    return True


def content_digest(element: Any) -> str:
    """A short, stable hash of an element's content (absent elements hash alike).

    ``x-`` extension keys are the user's notes, ignored by every rule, so editing one
    does not change the element's identity.
    """
    if element is ABSENT:
        text = ""
    else:
        text = _digest_text(element)
        # Only a text with `"x-` in it can hold a note's key; most elements have none, and
        # copying them without their notes would cost more than writing them out.
        if '"x-' in text:
            text = _digest_text(_without_notes(element))
    return sha256(text.encode("utf-8")).hexdigest()[:16]


# ``json.dumps(..., sort_keys=True, ensure_ascii=False)`` with its encoder made once rather
# than for every element of every manifest. Without the check for circular references: an
# element is data read from a manifest, which cannot hold a cycle (the YAML reader refuses a
# recursive alias, JSON has none), and the check costs a fifth of the encoding of a small
# element (a table entry made and dropped for every mapping and list written).
_DIGEST_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, check_circular=False)


def _new_digest_chunks() -> Any:
    """The C encoder behind ``_DIGEST_ENCODER.encode``, made once: ``encode`` makes a new one
    for every call, which costs half as much again as the encoding of a small element."""
    if json.encoder.c_make_encoder is None:  # pragma: no cover - Python built without _json
        return None
    return json.encoder.c_make_encoder(None, _DIGEST_ENCODER.default, json.encoder.encode_basestring, None,
                                       _DIGEST_ENCODER.key_separator, _DIGEST_ENCODER.item_separator, True, False,
                                       True)


_digest_chunks = _new_digest_chunks()


def _digest_text(element: Any) -> str:
    """``_DIGEST_ENCODER.encode(element)``."""
    if _digest_chunks is None or isinstance(element, str):
        return _DIGEST_ENCODER.encode(element)
    return "".join(_digest_chunks(element, 0))


def _without_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_notes(item) for key, item in value.items() if not key.startswith("x-")}
    if isinstance(value, list):
        return [_without_notes(item) for item in value]
    return value


def finding_fingerprint(rule_id: str, manifest: str, digest: str) -> str:
    """Identity of a finding that survives moved lines and reordered lists: the rule, the
    manifest and the content of the element (not its position)."""
    return sha256(fingerprint_prefix(rule_id, manifest) + digest.encode("utf-8")).hexdigest()[:32]


def fingerprint_prefix(rule_id: str, manifest: str) -> bytes:
    """What a fingerprint hashes before the element's digest: the same for every finding of
    one rule about one manifest."""
    return _rule_part(rule_id) + _manifest_part(manifest)


def _rule_part(rule_id: str) -> bytes:
    """The rule's part of :func:`fingerprint_prefix` (the engine keeps it with the rule)."""
    return rule_id.encode("utf-8") + b"\0"


def _manifest_part(manifest: str) -> bytes:
    """The manifest's part of :func:`fingerprint_prefix` (the engine works it out once per
    manifest)."""
    return manifest.removeprefix("./").encode("utf-8") + b"\0"


_STATUS_TEMPLATES = {Status.PASS: "pass_message", Status.FAIL: "fail_message",
                     Status.INCOMPLETE: "incomplete_message"}


class _RulePlan(NamedTuple):
    """Everything judging reads about a rule, worked out once per rule rather than once per
    manifest, and taken in one step (a tuple unpacked) for each manifest."""

    info: RuleInfo
    id: str
    when: Any
    needs: tuple[tuple[str, ...], ...]
    at: str | None
    assertion: Any
    # Each of the rule's reasons as its predicate, its template split once, and its ``at``.
    reasons: tuple[tuple[Any, CompiledTemplate, str | None], ...]
    # What ``_ManifestJudgement.selected`` keeps the rule's elements by.
    selection: tuple[str, bool]
    # Whether ``select`` picks the items of a list or mapping (a ``*``).
    selects_items: bool
    # The message template of each status, split into text and placeholders.
    templates: dict[Status, CompiledTemplate]
    # The severity's rank, first of what orders a manifest's findings after the status.
    severity_rank: int
    # Whether the verdict or wording reads an element's or the app's scope classifications.
    reads_element: bool
    reads_manifest: bool
    # The needs looked up in the manifest itself (a leading ``/``).
    absolute_needs: tuple[tuple[str, ...], ...]
    # Each of ``needs``' alternatives as (looked up in the manifest?, its path's tokens):
    # whether every need is met is asked of every element, and nearly always is.
    needs_tokens: tuple[tuple[tuple[bool, tuple[str, ...]], ...], ...]
    # The rule's part of each fingerprint's hashed text.
    fingerprint_part: bytes


# By ``id`` of the rule, with the rule kept so that the id cannot be reused by another.
_PLANS: dict[int, tuple[Rule, _RulePlan]] = {}
_PLAN_CACHE_LIMIT = 4096


def _plan(rule: Rule) -> _RulePlan:
    known = _PLANS.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    plan = _RulePlan(rule.info, rule.id, rule.when, rule.needs, rule.at, rule.assertion,
                     tuple((reason.when, compiled_template(reason.say), reason.at) for reason in rule.reasons),
                     (rule.select, rule.when_absent), "*" in rule.select,
                     {status: compiled_template(getattr(rule, name)) for status, name in _STATUS_TEMPLATES.items()},
                     SEVERITY_RANK[rule.info.severity],
                     bool(rule.reads & ELEMENT_CLASSIFICATION_FACTS), bool(rule.reads & MANIFEST_CLASSIFICATION_FACTS),
                     tuple(alternatives for alternatives in rule.needs if alternatives[0].startswith("/")),
                     tuple(tuple((path.startswith("/"), tuple(path.removeprefix("/").split("/"))) for path in alternatives)
                           for alternatives in rule.needs),
                     _rule_part(rule.id))
    if len(_PLANS) >= _PLAN_CACHE_LIMIT:
        _PLANS.clear()  # rules loaded again and again (a long-lived process): start afresh
    _PLANS[id(rule)] = (rule, plan)
    return plan


class _ManifestJudgement:
    """Judging one manifest: what many rules read about the same element is worked out once
    and shared by them: the elements a ``select`` pattern picks, each element's subject (and
    its wording in the report language), where a finding about a node is shown, the digest
    of each element's content and the inferred classifications behind it.

    A working object, used by :func:`judge` for one manifest and then dropped.
    """

    def __init__(self, manifest: Manifest, document: dict[str, Any], facts: Facts, language: Any) -> None:
        self.manifest = manifest
        self.document = document
        self.facts = facts
        self.language = language
        self.alternative = " or " if language is None else language.alternative
        self.separator = "; " if language is None else language.separator
        self._selections: dict[tuple[str, str], list[tuple[str, Any]]] = {}
        self._subjects: dict[str, dict[str, Any]] = {}
        self._shown: dict[str, dict[str, Any]] = {}
        self._places: dict[str, tuple[str, int, int]] = {}
        self._nodes = NodeFinder(manifest.document)
        self._fingerprint_part = _manifest_part(manifest.path)
        self._digests: dict[str, bytes] = {}
        self._inferred: dict[tuple[bool, bool, str], tuple[InferredClassification, ...]] = {}

    def selected(self, key: tuple[str, bool]) -> list[tuple[str, Any]]:
        """``select(document, pattern, when_absent)`` of ``key``, ``(pattern, when_absent)``,
        walked once per key."""
        found = self._selections.get(key)
        if found is None:
            found = self._selections[key] = list(select(self.document, *key))
        return found

    def subject(self, pointer: str, element: Any) -> dict[str, Any]:
        """What a rule's predicates and messages read about the element at ``pointer``: its
        fields (or ``value``), ``facts``, ``manifest_facts`` and ``manifest``. Shared by every
        rule, so a rule that adds to it (``missing``, ``reasons``) adds to a copy."""
        subject = self._subjects.get(pointer)
        if subject is None:
            if isinstance(element, dict):
                subject = dict(element)
            elif element is ABSENT:
                subject = {}
            else:
                subject = {"value": element}
            subject["facts"] = self.facts.elements.get(pointer) or {"label": readable(pointer)}
            subject["manifest_facts"] = self.facts.manifest
            subject["manifest"] = self.document
            self._subjects[pointer] = subject
        return subject

    def shown(self, pointer: str, subject: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, Any]:
        """The subject as messages word it: with the element's label in the report language
        (worked out once per element) and ``extra`` added."""
        if self.language is None:
            return {**subject, **extra} if extra else subject
        shown = self._shown.get(pointer)
        if shown is None:
            shown = self._shown[pointer] = self.language.shown(subject, pointer)
        return {**shown, **extra} if extra else shown

    def place(self, target: str) -> tuple[str, int, int]:
        """The pointer, line and column a finding about ``target`` is shown at."""
        found = self._places.get(target)
        if found is None:
            shown_pointer, (line, column) = self._nodes.nearest(target)
            if not shown_pointer:
                # A top-level section the manifest leaves out: no parent but the document.
                shown_pointer = "/" + target.split("/")[1]
                line, column = 1, 1
            found = self._places[target] = (shown_pointer, line, column)
        return found

    def digest(self, pointer: str, element: Any) -> bytes:
        """:func:`content_digest` of the element, as the bytes a fingerprint hashes."""
        digest = self._digests.get(pointer)
        if digest is None:
            digest = self._digests[pointer] = content_digest(element).encode("ascii")
        return digest

    def inferred_behind(self, reads_element: bool, reads_manifest: bool, pointer: str
                        ) -> tuple[InferredClassification, ...]:
        """Inferred scope classifications a rule's verdict or wording reads, by scope."""
        if not (reads_element or reads_manifest):
            return ()
        key = (reads_element, reads_manifest, pointer)
        behind = self._inferred.get(key)
        if behind is None:
            found: dict[str, InferredClassification] = {}
            if reads_element:
                found.update((item.scope, item) for item in self.facts.inferred.get(pointer, ()))
            if reads_manifest:
                found.update((item.scope, item) for item in self.facts.manifest_inferred)
            behind = self._inferred[key] = tuple(found[scope] for scope in sorted(found))
        return behind

    def failing(self, reasons: tuple[tuple[Any, CompiledTemplate, str | None], ...], pointer: str,
                subject: dict[str, Any], target: str) -> tuple[dict[str, str], str]:
        """What a failing element's message adds (its ``reasons``, each of the rule's reasons
        that holds, worded) and the node it points at (the first such reason's ``at``, else
        ``target``)."""
        holding = [reason for reason in reasons if reason[0](subject)]
        shown = self.shown(pointer, subject)
        extra = {"reasons": self.separator.join([render_compiled(say, shown, self.language) for _, say, _ in holding])}
        for _, _, at in holding:
            if at:
                return extra, target_pointer(pointer, at)
        return extra, target

    def add_findings_of(self, rule: Rule, found: list[tuple[tuple[Any, ...], Finding]]) -> None:
        """Append every finding of ``rule`` about this manifest to ``found``, each after its
        sort key."""
        # What does not change from one element to the next is looked up once, before the
        # loop; what does not change from one manifest to the next, once per rule (the plan).
        (rule_info, rule_id, when, needs, at, assertion, rule_reasons, selection, selects_items, templates,
         severity_rank, reads_element, reads_manifest, absolute_needs, needs_tokens, fingerprint_part) = _plan(rule)
        language = self.language
        reads_inferred = reads_element or reads_manifest
        subjects, places, digests, document = self._subjects, self._places, self._digests, self.document
        plain = language is None
        path = self.manifest.path
        prefix = fingerprint_part + self._fingerprint_part
        elements = self._selections.get(selection)
        if elements is None:
            elements = self.selected(selection)
        for pointer, element in elements:
            subject = subjects.get(pointer)
            if subject is None:
                subject = self.subject(pointer, element)
            # A missing list is reported as such; `when` speaks of the list's items.
            list_missing = element is ABSENT and selects_items
            if when is not None and not list_missing and not when(subject):
                continue
            missing_field: str | None = None
            if element is ABSENT:
                # Name the missing section once rather than every field the rule reads in it.
                missing = [readable(pointer)] + missing_fields(absolute_needs, subject, pointer, document,
                                                               self.alternative)[0]
            elif needs and not _needs_met(needs_tokens, subject, document):
                missing, missing_field = missing_fields(needs, subject, pointer, document, self.alternative)
            else:
                missing = []
            target = pointer if not at else target_pointer(pointer, at)
            extra: dict[str, str] | None = None
            if missing:
                status = Status.INCOMPLETE
                extra = {"missing": ", ".join(missing)}
                target = missing_field or pointer
            elif assertion(subject):
                status = Status.PASS
            else:
                status = Status.FAIL
                extra, target = self.failing(rule_reasons, pointer, subject, target)
            place = places.get(target)
            if place is None:
                place = self.place(target)
            digest = digests.get(pointer)
            if digest is None:
                digest = self.digest(pointer, element)
            shown_pointer, line, column = place
            found.append(((STATUS_RANK[status], severity_rank, line, column, rule_id, shown_pointer), Finding(
                rule_info, status, path, shown_pointer, line, column,
                render_compiled(templates[status],
                                subject if plain and extra is None else self.shown(pointer, subject, extra), language),
                sha256(prefix + digest).hexdigest()[:32], None,
                self.inferred_behind(reads_element, reads_manifest, pointer) if reads_inferred else ())))
