"""What changed, in compliance terms, between two versions of a manifest.

Not a text diff: scopes gained or dropped with their classification, recipients, purposes,
storage and encryption, human access; and which failing findings the change introduces or
fixes. This module states the facts of each change (its kind, the scope's classification,
whether a new purpose is one the policy prohibits…); what the change *means* — its rule,
whether it is an escalation, its wording — is data, in ``policies/facts/diff-rules.yaml``.

Findings are matched by rule and element identity (a scope's URL, a list item's id), so
reordering a list or moving lines introduces nothing.

The result is one :class:`~auditor.model.findings.Finding` per change (failing for an
escalation, passing otherwise), plus the findings the change introduces (as the head's
audit reports them) and those it fixes (passing, their message saying so): the same result
model as an audit, which every report format renders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.findings import SEVERITY_RANK, Finding, ManifestResult, Status
from auditor.manifest.load import Manifest
from auditor.rules.policy_facts import DiffRule, diff_rules, policy_facts
from auditor.catalog.scope_names import canonical_scope

ESCALATION, REDUCTION, NEUTRAL = "escalation", "reduction", "change"
DIFF_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One compliance-relevant difference, named by the diff rule that matched it."""

    area: str
    subject: str
    detail: str
    rule: DiffRule
    pointer: str
    manifest: str
    line: int | None
    column: int | None
    finding: Finding

    @property
    def risk(self) -> str:
        """Which way the change moves the app: escalation, reduction or change."""
        return self.rule.direction

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area, "subject": self.subject, "detail": self.detail, "risk": self.risk,
                "rule_id": self.rule.id, "pointer": self.pointer, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class ManifestDiff:
    base: str | None
    head: str | None
    app: str
    changes: tuple[Change, ...]
    introduced: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    # The language the changes are worded in (the report's); the JSON leaves it out.
    lang: str = "en"

    @property
    def state(self) -> str:
        if self.base is None:
            return "added"
        if self.head is None:
            return "removed"
        return "changed" if self.changes or self.introduced or self.fixed else "unchanged"

    @property
    def escalations(self) -> int:
        return sum(1 for change in self.changes if change.risk == ESCALATION)

    def result(self) -> ManifestResult:
        """The findings of this comparison, as the result model every format renders: one
        per change, the introduced ones as they are, the fixed ones passing."""
        from auditor.rules.i18n import diff_language

        local = diff_language(self.lang)
        rules = diff_rules() if local is None else local.rules
        fixed = [replace(finding, status="pass", message=_render(rules.fixed_message, {"message": finding.message}))
                 for finding in self.fixed]
        findings = sorted([*(change.finding for change in self.changes), *self.introduced, *fixed],
                          key=Finding.sort_key)
        return ManifestResult(self.head or self.base or "", self.app, tuple(findings))

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "app": self.app, "state": self.state,
                "changes": [change.to_json() for change in self.changes],
                "introduced": [finding.to_json() for finding in self.introduced],
                "fixed": [finding.to_json() for finding in self.fixed]}


@dataclass(frozen=True)
class ComplianceDiff:
    """Every pair of manifests compared, and the labels of the two sides."""

    base_label: str
    head_label: str
    manifests: tuple[ManifestDiff, ...]

    def blocking(self, fail_on: str) -> list[Finding]:
        """The failing findings at or above ``fail_on``: escalations and introduced findings
        (everything that fails in a diff is brought by the change)."""
        if fail_on == "never":
            return []
        limit = SEVERITY_RANK[fail_on]
        return [finding for diff in self.manifests
                for finding in (*(change.finding for change in diff.changes), *diff.introduced)
                if finding.status == "fail" and SEVERITY_RANK[finding.severity] <= limit]

    def counts(self) -> dict[str, int]:
        return {
            "manifests": len(self.manifests),
            "changed": sum(1 for diff in self.manifests if diff.state != "unchanged"),
            "escalations": sum(diff.escalations for diff in self.manifests),
            "introduced": sum(len(diff.introduced) for diff in self.manifests),
            "fixed": sum(len(diff.fixed) for diff in self.manifests),
        }

    def to_json(self, fail_on: str) -> dict[str, Any]:
        """The ``diff`` object of the JSON report."""
        counts = self.counts()
        del counts["manifests"]
        return {"diff_version": DIFF_VERSION, "base": self.base_label, "head": self.head_label,
                "manifests": [diff.to_json() for diff in self.manifests],
                "summary": {**counts, "blocking": len(self.blocking(fail_on)), "fail_on": fail_on}}


def _render(template: str, subject: dict[str, Any], language: Any = None) -> str:
    from auditor.rules.engine import render_message

    return render_message(template, subject, language)


def element_key(data: dict[str, Any], pointer: str) -> str:
    """A name for the element at ``pointer`` that survives reordering: a scope's URL, an id."""
    parts = pointer.split("/")[1:]
    if len(parts) >= 2 and parts[1].isdigit():
        section, index = parts[0], int(parts[1])
        items = data.get(section)
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            item = items[index]
            if section == "scopes":
                name = canonical_scope(str(item.get("scope")))
            elif section == "use_cases":
                name = f"{item.get('api')}:{item.get('use_case')}"
            elif section == "human_access":
                name = str(item.get("role"))
            else:
                name = str(item.get("id", index))
            return "/".join([section, name, *parts[2:]])
    return pointer


def _failing(result: ManifestResult | None, data: dict[str, Any]) -> dict[tuple[str, str], Finding]:
    if result is None:
        return {}
    return {(f.rule_id, element_key(data, f.pointer)): f for f in result.findings if f.status == "fail"}


def _by(items: Any, key: str) -> dict[str, tuple[int, dict[str, Any]]]:
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and key in item:
                found.setdefault(str(item[key]), (index, item))
    return found


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
        from auditor.rules.i18n import diff_language

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
    base_data = base.data if base else {}
    head_data = head.data if head else {}
    collector = _Collector(base, head, lang)
    if base is not None and head is not None:
        _compare_scopes(collector, base_data, head_data, catalog)
        _compare_use_cases(collector, base_data, head_data)
        _compare_data(collector, base_data, head_data)
        _compare_storage(collector, base_data, head_data)
        _compare_transfers(collector, base_data, head_data)
        _compare_human_access(collector, base_data, head_data)
    before, after = _failing(base_result, base_data), _failing(head_result, head_data)
    introduced = tuple(sorted((f for key, f in after.items() if key not in before), key=Finding.sort_key))
    fixed = tuple(sorted((f for key, f in before.items() if key not in after), key=Finding.sort_key))
    app = (head or base).app_name if (head or base) else ""
    return ManifestDiff(base.path if base else None, head.path if head else None, app,
                        tuple(collector.changes), introduced, fixed, lang)


def _label(classification: str) -> str:
    return classification.replace("_", "-")


def _compare_scopes(out: _Collector, base: dict[str, Any], head: dict[str, Any], catalog: ScopeCatalog) -> None:
    def scopes(data: dict[str, Any]) -> dict[str, int]:
        return {canonical_scope(str(item["scope"])): index for index, item in enumerate(data.get("scopes", []))}

    before, after = scopes(base), scopes(head)
    removed = [scope for scope in before if scope not in after]
    for scope, index in after.items():
        if scope in before:
            continue
        info = catalog.get(scope)
        classification = info.classification if info else "unknown"
        replaced = [old for old in removed if info and old in info.narrower]
        out.add("scope_added", "scopes", scope, {
            "scope": scope, "classification": classification, "classification_label": _label(classification),
            "api": info.api if info and info.api else "unknown API", "replaces": replaced,
            "replaces_narrower": bool(replaced),
        }, f"/scopes/{index}")
    for scope in removed:
        info = catalog.get(scope)
        classification = info.classification if info else "unknown"
        out.add("scope_removed", "scopes", scope, {"scope": scope, "classification": classification,
                                                   "classification_label": _label(classification)},
                f"/scopes/{before[scope]}", in_head=False)


def _compare_use_cases(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    def cases(data: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
        return {f"{item['api']}:{item['use_case']}": (index, item)
                for index, item in enumerate(data.get("use_cases", []))}

    before, after = cases(base), cases(head)
    for key, (index, item) in after.items():
        if key not in before:
            out.add("use_case_added", "use cases", key, {"api": item["api"], "use_case": item["use_case"]},
                    f"/use_cases/{index}")
    for key, (index, item) in before.items():
        if key not in after:
            out.add("use_case_removed", "use cases", key, {"api": item["api"], "use_case": item["use_case"]},
                    f"/use_cases/{index}", in_head=False)


def _purposes(item: dict[str, Any]) -> set[str]:
    return set(item.get("purposes", [])) | set(item.get("secondary_purposes", []))


def _list_changes(out: _Collector, area: str, section: str, kind: str, base: dict[str, Any], head: dict[str, Any],
                  facts_of_added: Any, compare: Any) -> None:
    before, after = _by(base.get(section), "id"), _by(head.get(section), "id")
    for ident, (index, item) in after.items():
        pointer = f"/{section}/{index}"
        if ident not in before:
            out.add(f"{kind}_added", area, ident, {"id": ident, **facts_of_added(item)}, pointer)
        else:
            compare(out, ident, before[ident][1], item, pointer)
    for ident, (index, _item) in before.items():
        if ident not in after:
            out.add(f"{kind}_removed", area, ident, {"id": ident}, f"/{section}/{index}", in_head=False)


def _field_changes(out: _Collector, area: str, section: str, ident: str, old: dict[str, Any], new: dict[str, Any],
                   pointer: str, fields: Iterable[str]) -> None:
    for name in fields:
        if old.get(name) != new.get(name):
            out.field(area, section, ident, name, old.get(name), new.get(name), pointer)


def _compare_data(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    facts = policy_facts()

    def added(item: dict[str, Any]) -> dict[str, Any]:
        purposes = sorted(_purposes(item))
        return {"purposes": purposes, "prohibited": bool(set(facts.prohibited_purposes) & set(purposes))}

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        gained, lost = _purposes(new) - _purposes(old), _purposes(old) - _purposes(new)
        for purpose in sorted(gained):
            out.add("purpose_added", "data", ident, {
                "id": ident, "purpose": purpose, "prohibited": purpose in facts.prohibited_purposes,
                "needs_review": purpose in facts.purposes_needing_review}, pointer)
        for purpose in sorted(lost):
            out.add("purpose_removed", "data", ident, {"id": ident, "purpose": purpose}, pointer)
        _field_changes(out, "data", "data", ident, old, new, pointer, ["source_scopes", "categories"])

    _list_changes(out, "data", "data", "data", base, head, added, compare)


def _compare_storage(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    strength = policy_facts().key_management_strength

    def added(item: dict[str, Any]) -> dict[str, Any]:
        encrypted = (item.get("encryption_at_rest") or {}).get("enabled")
        return {"location": item.get("location"), "encrypted": encrypted, "encrypted_shown": _show(encrypted)}

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        _field_changes(out, "storage", "storage", ident, old, new, pointer, ["location", "retention", "region", "data"])
        old_enc, new_enc = old.get("encryption_at_rest") or {}, new.get("encryption_at_rest") or {}
        if old_enc.get("enabled") != new_enc.get("enabled"):
            out.add("encryption_changed", "storage", ident, {
                "id": ident, "old": old_enc.get("enabled"), "new": new_enc.get("enabled"),
                "old_shown": _show(old_enc.get("enabled")), "new_shown": _show(new_enc.get("enabled"))}, pointer)
        if old_enc.get("key_management") != new_enc.get("key_management"):
            before, after = old_enc.get("key_management"), new_enc.get("key_management")
            out.add("key_management_changed", "storage", ident, {
                "id": ident, "old": before, "new": after, "old_shown": _show(before), "new_shown": _show(after),
                "weaker": strength.get(after, 0) < strength.get(before, 0)}, pointer)

    _list_changes(out, "storage", "storage", "storage", base, head, added, compare)


def _compare_transfers(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    facts = policy_facts()

    def added(item: dict[str, Any]) -> dict[str, Any]:
        return {"recipient": _show(item.get("recipient")), "recipient_type": _show(item.get("recipient_type")),
                "purpose": _show(item.get("purpose")), "data_shown": _show(item.get("data")),
                "prohibited_recipient": item.get("recipient_type") in facts.prohibited_recipient_types,
                "prohibited_purpose": item.get("purpose") in facts.prohibited_purposes}

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        _field_changes(out, "transfers", "transfers", ident, old, new, pointer,
                       ["recipient", "recipient_type", "purpose", "data", "user_consent", "transport", "network"])

    _list_changes(out, "transfers", "transfers", "transfer", base, head, added, compare)


def _compare_human_access(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    before, after = _by(base.get("human_access"), "role"), _by(head.get("human_access"), "role")
    for role, (index, item) in after.items():
        pointer = f"/human_access/{index}"
        if role not in before:
            out.add("human_access_added", "human access", role, {
                "role": role, "data_shown": _show(item.get("data")), "basis": _show(item.get("basis"))}, pointer)
            continue
        old = before[role][1]
        if old.get("basis") != item.get("basis"):
            out.field("human access", "human_access", role, "basis", old.get("basis"), item.get("basis"), pointer)
        if set(item.get("data", [])) != set(old.get("data", [])):
            out.field("human access", "human_access", role, "data", old.get("data"), item.get("data"), pointer)
        if old.get("consent_documented") != item.get("consent_documented"):
            out.field("human access", "human_access", role, "consent_documented", old.get("consent_documented"),
                      item.get("consent_documented"), pointer)
    for role, (index, _item) in before.items():
        if role not in after:
            out.add("human_access_removed", "human access", role, {"role": role}, f"/human_access/{index}",
                    in_head=False)
