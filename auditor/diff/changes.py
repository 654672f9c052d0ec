"""What changed, in compliance terms, between two versions of a manifest.

Not a text diff: scopes gained or dropped with their classification, recipients, purposes,
storage and encryption, human access; and which failing findings the change introduces or
fixes. This module states the facts of each change (its kind, the scope's classification,
whether a new purpose is one the policy prohibits…); what the change *means* — its rule,
whether it is an escalation, its wording — is data, in ``policies/facts/diff-rules.yaml``.

Findings are matched by rule and element identity (a scope's URL, a list item's id), so
reordering a list or moving lines introduces nothing.

The result (:mod:`auditor.diff.compliance_diff`) is one
:class:`~auditor.model.findings.Finding` per change (failing for an escalation, passing
otherwise), plus the findings the change introduces (as the head's audit reports them) and
those it fixes (passing, their message saying so): the same result model as an audit, which
every report format renders.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.diff.compliance_diff import ESCALATION, Change, ManifestDiff
from auditor.model.findings import Finding, Status
from auditor.model.report import ManifestResult
from auditor.manifest.load import Manifest
from auditor.rules.policy_facts import diff_rules, policy_facts
from auditor.manifest.model import (
    DataElement, HumanAccess, ManifestModel, ScopeRequest, Storage, Transfer, Transport, UseCase,
)

_Item = TypeVar("_Item", ScopeRequest, UseCase, DataElement, Storage, Transfer, HumanAccess)


def _render(template: str, subject: dict[str, Any], language: Any = None) -> str:
    from auditor.rules.message_templates import render_message

    return render_message(template, subject, language)


_LIST_SECTIONS = frozenset({"scopes", "use_cases", "data", "storage", "transfers", "human_access"})


def _identity(item: Any) -> str:
    """What names a list item whatever its place: a scope's URL, a use case, a role, an id."""
    if isinstance(item, ScopeRequest):
        return item.scope
    if isinstance(item, UseCase):
        return f"{item.api}:{item.use_case}"
    if isinstance(item, HumanAccess):
        return item.role
    return str(item.id)


def element_key(manifest: ManifestModel | None, pointer: str) -> str:
    """A name for the element at ``pointer`` that survives reordering: a scope's URL, an id."""
    parts = pointer.split("/")[1:]
    if manifest is not None and len(parts) >= 2 and parts[0] in _LIST_SECTIONS and parts[1].isdigit():
        items = getattr(manifest, parts[0])
        index = int(parts[1])
        if items is not None and index < len(items):
            return "/".join([parts[0], _identity(items[index]), *parts[2:]])
    return pointer


def _failing(result: ManifestResult | None, manifest: ManifestModel | None) -> dict[tuple[str, str], Finding]:
    if result is None:
        return {}
    return {(f.rule_id, element_key(manifest, f.pointer)): f for f in result.findings if f.status == "fail"}


def _by_identity(items: Iterable[_Item] | None) -> dict[str, _Item]:
    """The items of a list section by identity; the first of a repeated one wins."""
    found: dict[str, _Item] = {}
    for item in items or ():
        found.setdefault(_identity(item), item)
    return found


def _plain(value: Any) -> Any:
    """A model value as the diff rules' facts hold it: lists, and a mapping of what a
    transport states (the rules' conditions are JSON Schema over JSON-like values)."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Transport):
        return {name: getattr(value, name) for name in ("protocol", "tls_min_version")
                if getattr(value, name) is not None}
    return value


def _show(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in sorted(value.items())) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Collector:
    """Gathers the changes of one pair, each named by the first diff rule that matches it."""

    def __init__(self, base: Manifest | None, head: Manifest | None, lang: str = "en") -> None:
        from auditor.rules.rule_translation import diff_language

        self.base, self.head = base, head
        self.rules = diff_rules()
        # The rules' conditions read the English facts; a translation only words the result.
        self.local = diff_language(lang)
        self.changes: list[Change] = []

    def add(self, kind: str, area: str, subject: str, facts: dict[str, Any], pointer: str,
            in_head: bool = True) -> None:
        from auditor.rules.engine import content_digest, finding_fingerprint

        source = self.head if in_head else self.base
        assert source is not None
        facts = {"area": area, "subject": subject, **facts}
        rule = self.rules.rule_for(kind, facts)
        detail = _render(rule.message, facts)
        line, column = source.locate(pointer)
        message = _render(self.rules.finding_message, {**facts, "detail": detail})
        # The fingerprint is the English change's, so it is the same whatever the language.
        digest = content_digest({"area": area, "subject": subject, "detail": detail})
        if self.local is not None:
            rule = self.local.rule(rule.id)
            shown = self.local.facts(facts)
            detail = _render(rule.message, shown, self.local.message)
            message = _render(self.local.rules.finding_message, {**shown, "detail": detail}, self.local.message)
        finding = Finding(
            rule=rule.info, status=Status.FAIL if rule.direction == ESCALATION else Status.PASS,
            manifest=source.path, pointer=pointer, line=line, column=column, message=message,
            fingerprint=finding_fingerprint(rule.id, source.path, digest),
        )
        self.changes.append(Change(area, subject, detail, rule, pointer, source.path, line, column, finding))

    def field(self, area: str, section: str, ident: str, name: str, old: Any, new: Any, pointer: str) -> None:
        """A field of a list item changed: the facts every field change has."""
        facts = policy_facts()
        prohibited = {"purpose": facts.prohibited_purposes, "recipient_type": facts.prohibited_recipient_types}
        old_items = set(map(str, old)) if isinstance(old, list) else set()
        new_items = set(map(str, new)) if isinstance(new, list) else set()
        change: dict[str, Any] = {
            "section": section, "id": ident, "field": name, "old": old, "new": new,
            "old_shown": _show(old), "new_shown": _show(new),
            "widened": bool(new_items - old_items),
            "new_prohibited": new in prohibited.get(name, ()),
        }
        if name == "retention":
            order = _retention_order(old), _retention_order(new)
            change["longer"] = None not in order and order[1] > order[0]
            change["shorter"] = None not in order and order[1] < order[0]
        self.add("field_changed", area, ident, change, pointer)


def _retention_order(value: Any) -> tuple[int, float] | None:
    """A sort key for a retention: every duration (by its length) before the open-ended
    values, which rank as the facts file says; ``None`` when unset or unreadable."""
    from auditor.disclosure.durations import parse_duration

    if not isinstance(value, str):
        return None
    open_ended = policy_facts().retention_open_ended
    if value in open_ended:
        return (open_ended[value], 0.0)
    duration = parse_duration(value)
    if duration is None:
        return None
    days = {"years": 365.2425, "months": 30.436875, "weeks": 7.0, "days": 1.0, "hours": 1 / 24, "minutes": 1 / 1440,
            "seconds": 1 / 86400}
    return (0, sum(float(amount) * days[unit] for unit, amount in duration.parts))


def compare_manifests(base: Manifest | None, head: Manifest | None, base_result: ManifestResult | None,
                      head_result: ManifestResult | None, catalog: ScopeCatalog, lang: str = "en") -> ManifestDiff:
    """Compare two versions of one manifest (either may be missing: added or removed),
    the changes worded in ``lang``."""
    base_model = base.model if base else None
    head_model = head.model if head else None
    collector = _Collector(base, head, lang)
    if base_model is not None and head_model is not None:
        _compare_scopes(collector, base_model, head_model, catalog)
        _compare_use_cases(collector, base_model, head_model)
        _compare_data(collector, base_model, head_model)
        _compare_storage(collector, base_model, head_model)
        _compare_transfers(collector, base_model, head_model)
        _compare_human_access(collector, base_model, head_model)
    before, after = _failing(base_result, base_model), _failing(head_result, head_model)
    introduced = tuple(sorted((f for key, f in after.items() if key not in before), key=Finding.sort_key))
    fixed = tuple(sorted((f for key, f in before.items() if key not in after), key=Finding.sort_key))
    app = (head or base).app_name if (head or base) else ""
    return ManifestDiff(base.path if base else None, head.path if head else None, app,
                        tuple(collector.changes), introduced, fixed, lang)


def _label(classification: str) -> str:
    return classification.replace("_", "-")


def _compare_scopes(out: _Collector, base: ManifestModel, head: ManifestModel, catalog: ScopeCatalog) -> None:
    def scopes(manifest: ManifestModel) -> dict[str, str]:
        return {request.scope: request.pointer for request in manifest.scopes}

    before, after = scopes(base), scopes(head)
    removed = [scope for scope in before if scope not in after]
    for scope, pointer in after.items():
        if scope in before:
            continue
        info = catalog.get(scope)
        classification = info.classification if info else "unknown"
        replaced = [old for old in removed if info and old in info.narrower]
        out.add("scope_added", "scopes", scope, {
            "scope": scope, "classification": classification, "classification_label": _label(classification),
            "api": info.api if info and info.api else "unknown API", "replaces": replaced,
            "replaces_narrower": bool(replaced),
        }, pointer)
    for scope in removed:
        info = catalog.get(scope)
        classification = info.classification if info else "unknown"
        out.add("scope_removed", "scopes", scope, {"scope": scope, "classification": classification,
                                                   "classification_label": _label(classification)},
                before[scope], in_head=False)


def _compare_use_cases(out: _Collector, base: ManifestModel, head: ManifestModel) -> None:
    def cases(manifest: ManifestModel) -> dict[str, UseCase]:
        return {_identity(item): item for item in manifest.use_cases or ()}

    before, after = cases(base), cases(head)
    for key, item in after.items():
        if key not in before:
            out.add("use_case_added", "use cases", key, {"api": item.api, "use_case": item.use_case}, item.pointer)
    for key, item in before.items():
        if key not in after:
            out.add("use_case_removed", "use cases", key, {"api": item.api, "use_case": item.use_case},
                    item.pointer, in_head=False)


def _list_changes(out: _Collector, area: str, kind: str, base: Iterable[_Item] | None, head: Iterable[_Item] | None,
                  facts_of_added: Callable[[Any], dict[str, Any]], compare: Callable[..., None]) -> None:
    before, after = _by_identity(base), _by_identity(head)
    for ident, item in after.items():
        if ident not in before:
            out.add(f"{kind}_added", area, ident, {"id": ident, **facts_of_added(item)}, item.pointer)
        else:
            compare(out, ident, before[ident], item, item.pointer)
    for ident, item in before.items():
        if ident not in after:
            out.add(f"{kind}_removed", area, ident, {"id": ident}, item.pointer, in_head=False)


def _field_changes(out: _Collector, area: str, section: str, ident: str, old: Any, new: Any, pointer: str,
                   fields: Iterable[str]) -> None:
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.field(area, section, ident, name, _plain(before), _plain(after), pointer)


def _compare_data(out: _Collector, base: ManifestModel, head: ManifestModel) -> None:
    facts = policy_facts()

    def added(item: DataElement) -> dict[str, Any]:
        purposes = sorted(item.all_purposes)
        return {"purposes": purposes, "prohibited": bool(set(facts.prohibited_purposes) & set(purposes))}

    def compare(out: _Collector, ident: str, old: DataElement, new: DataElement, pointer: str) -> None:
        gained, lost = new.all_purposes - old.all_purposes, old.all_purposes - new.all_purposes
        for purpose in sorted(gained):
            out.add("purpose_added", "data", ident, {
                "id": ident, "purpose": purpose, "prohibited": purpose in facts.prohibited_purposes,
                "needs_review": purpose in facts.purposes_needing_review}, pointer)
        for purpose in sorted(lost):
            out.add("purpose_removed", "data", ident, {"id": ident, "purpose": purpose}, pointer)
        _field_changes(out, "data", "data", ident, old, new, pointer, ["source_scopes", "categories"])

    _list_changes(out, "data", "data", base.data, head.data, added, compare)


def _compare_storage(out: _Collector, base: ManifestModel, head: ManifestModel) -> None:
    strength = policy_facts().key_management_strength

    def added(item: Storage) -> dict[str, Any]:
        encrypted = item.encryption_at_rest.enabled if item.encryption_at_rest else None
        return {"location": item.location, "encrypted": encrypted, "encrypted_shown": _show(encrypted)}

    def compare(out: _Collector, ident: str, old: Storage, new: Storage, pointer: str) -> None:
        _field_changes(out, "storage", "storage", ident, old, new, pointer, ["location", "retention", "region", "data"])
        old_enc, new_enc = old.encryption_at_rest, new.encryption_at_rest
        old_on, new_on = old_enc.enabled if old_enc else None, new_enc.enabled if new_enc else None
        if old_on != new_on:
            out.add("encryption_changed", "storage", ident, {
                "id": ident, "old": old_on, "new": new_on, "old_shown": _show(old_on), "new_shown": _show(new_on)},
                pointer)
        before = old_enc.key_management if old_enc else None
        after = new_enc.key_management if new_enc else None
        if before != after:
            out.add("key_management_changed", "storage", ident, {
                "id": ident, "old": before, "new": after, "old_shown": _show(before), "new_shown": _show(after),
                "weaker": strength.get(after, 0) < strength.get(before, 0)}, pointer)

    _list_changes(out, "storage", "storage", base.storage, head.storage, added, compare)


def _compare_transfers(out: _Collector, base: ManifestModel, head: ManifestModel) -> None:
    facts = policy_facts()

    def added(item: Transfer) -> dict[str, Any]:
        return {"recipient": _show(item.recipient), "recipient_type": _show(item.recipient_type),
                "purpose": _show(item.purpose), "data_shown": _show(_plain(item.data)),
                "prohibited_recipient": item.recipient_type in facts.prohibited_recipient_types,
                "prohibited_purpose": item.purpose in facts.prohibited_purposes}

    def compare(out: _Collector, ident: str, old: Transfer, new: Transfer, pointer: str) -> None:
        _field_changes(out, "transfers", "transfers", ident, old, new, pointer,
                       ["recipient", "recipient_type", "purpose", "data", "user_consent", "transport", "network"])

    _list_changes(out, "transfers", "transfer", base.transfers, head.transfers, added, compare)


def _compare_human_access(out: _Collector, base: ManifestModel, head: ManifestModel) -> None:
    before, after = _by_identity(base.human_access), _by_identity(head.human_access)
    for role, item in after.items():
        if role not in before:
            out.add("human_access_added", "human access", role, {
                "role": role, "data_shown": _show(_plain(item.data)), "basis": _show(item.basis)}, item.pointer)
            continue
        old = before[role]
        if old.basis != item.basis:
            out.field("human access", "human_access", role, "basis", old.basis, item.basis, item.pointer)
        if set(item.data) != set(old.data):
            out.field("human access", "human_access", role, "data", _plain(old.data), _plain(item.data), item.pointer)
        if old.consent_documented != item.consent_documented:
            out.field("human access", "human_access", role, "consent_documented", old.consent_documented,
                      item.consent_documented, item.pointer)
    for role, item in before.items():
        if role not in after:
            out.add("human_access_removed", "human access", role, {"role": role}, item.pointer, in_head=False)
