"""What changed, in compliance terms, between two versions of a manifest.

Not a text diff: scopes gained or dropped with their classification, escalations (a new
restricted scope, a broad scope replacing a narrower one), recipients, purposes, storage
and encryption, human access; and which failing findings the change introduces or fixes.
Findings are matched by rule and element identity (a scope's URL, a list item's id), so
reordering a list or moving lines introduces nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from auditor.catalog import ScopeCatalog
from auditor.enrich import PROHIBITED_PURPOSES
from auditor.findings import SEVERITY_RANK, Finding, ManifestResult
from auditor.manifest import Manifest
from auditor.scope_names import canonical_scope

ESCALATION, REDUCTION, NEUTRAL = "escalation", "reduction", "change"


@dataclass(frozen=True)
class Change:
    """One compliance-relevant difference. ``risk`` says which way it moves the app."""

    area: str
    subject: str
    detail: str
    risk: str
    pointer: str
    line: int | None

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area, "subject": self.subject, "detail": self.detail, "risk": self.risk,
                "pointer": self.pointer, "line": self.line}


@dataclass(frozen=True)
class ManifestDiff:
    base: str | None
    head: str | None
    app: str
    changes: tuple[Change, ...]
    introduced: tuple[Finding, ...]
    fixed: tuple[Finding, ...]

    @property
    def state(self) -> str:
        if self.base is None:
            return "added"
        if self.head is None:
            return "removed"
        return "changed" if self.changes or self.introduced or self.fixed else "unchanged"


@dataclass
class DiffReport:
    base_label: str
    head_label: str
    manifests: list[ManifestDiff] = field(default_factory=list)

    def introduced_at_or_above(self, fail_on: str) -> list[Finding]:
        if fail_on == "never":
            return []
        limit = SEVERITY_RANK[fail_on]
        return [f for diff in self.manifests for f in diff.introduced if SEVERITY_RANK[f.severity] <= limit]


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


class _Collector:
    def __init__(self, base: Manifest | None, head: Manifest | None) -> None:
        self.base, self.head = base, head
        self.changes: list[Change] = []

    def add(self, area: str, subject: str, detail: str, risk: str, pointer: str, in_head: bool = True) -> None:
        source = self.head if in_head else self.base
        line = source.locate(pointer)[0] if source is not None else None
        self.changes.append(Change(area, subject, detail, risk, pointer, line))


def compare_manifests(base: Manifest | None, head: Manifest | None, base_result: ManifestResult | None,
                      head_result: ManifestResult | None, catalog: ScopeCatalog) -> ManifestDiff:
    """Compare two versions of one manifest (either may be missing: added or removed)."""
    base_data = base.data if base else {}
    head_data = head.data if head else {}
    collector = _Collector(base, head)
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
                        tuple(collector.changes), introduced, fixed)


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
        pointer = f"/scopes/{index}"
        replaced = [old for old in removed if info and old in info.narrower]
        if replaced:
            out.add("scopes", scope, f"broader scope replaces narrower {', '.join(replaced)}", ESCALATION, pointer)
        elif classification == "restricted":
            out.add("scopes", scope, f"new restricted scope ({info.api if info else 'unknown API'})", ESCALATION,
                    pointer)
        else:
            risk = ESCALATION if classification == "sensitive" else NEUTRAL
            out.add("scopes", scope, f"scope added ({classification.replace('_', '-')})", risk, pointer)
    for scope in removed:
        info = catalog.get(scope)
        classification = info.classification if info else "unknown"
        out.add("scopes", scope, f"scope removed ({classification.replace('_', '-')})", REDUCTION,
                f"/scopes/{before[scope]}", in_head=False)


def _compare_use_cases(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    def cases(data: dict[str, Any]) -> dict[str, int]:
        return {f"{item['api']}:{item['use_case']}": index for index, item in enumerate(data.get("use_cases", []))}

    before, after = cases(base), cases(head)
    for key, index in after.items():
        if key not in before:
            out.add("use cases", key, "use case declared", NEUTRAL, f"/use_cases/{index}")
    for key, index in before.items():
        if key not in after:
            out.add("use cases", key, "use case withdrawn", NEUTRAL, f"/use_cases/{index}", in_head=False)


def _purposes(item: dict[str, Any]) -> set[str]:
    return set(item.get("purposes", [])) | set(item.get("secondary_purposes", []))


def _list_changes(out: _Collector, area: str, section: str, base: dict[str, Any], head: dict[str, Any],
                  describe_added: Any, compare: Any) -> None:
    before, after = _by(base.get(section), "id"), _by(head.get(section), "id")
    for ident, (index, item) in after.items():
        pointer = f"/{section}/{index}"
        if ident not in before:
            detail, risk = describe_added(item)
            out.add(area, ident, detail, risk, pointer)
        else:
            compare(out, ident, before[ident][1], item, pointer)
    for ident, (index, item) in before.items():
        if ident not in after:
            out.add(area, ident, f"{area.rstrip('s') if area != 'data' else 'data element'} removed", REDUCTION,
                    f"/{section}/{index}", in_head=False)


def _field_changes(out: _Collector, area: str, ident: str, old: dict[str, Any], new: dict[str, Any],
                   pointer: str, fields: Iterable[str], worse: Any = None) -> None:
    for name in fields:
        if old.get(name) != new.get(name):
            risk = worse(name, old.get(name), new.get(name)) if worse else NEUTRAL
            out.add(area, ident, f"{name}: {_show(old.get(name))} → {_show(new.get(name))}", risk, pointer)


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


def _compare_data(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    def added(item: dict[str, Any]) -> tuple[str, str]:
        prohibited = sorted(PROHIBITED_PURPOSES & _purposes(item))
        detail = f"new data element for {', '.join(sorted(_purposes(item)))}"
        return detail, ESCALATION if prohibited else NEUTRAL

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        gained, lost = _purposes(new) - _purposes(old), _purposes(old) - _purposes(new)
        for purpose in sorted(gained):
            risk = ESCALATION if purpose in PROHIBITED_PURPOSES or purpose == "aggregated_analytics" else NEUTRAL
            out.add("data", ident, f"new purpose {purpose}", risk, pointer)
        for purpose in sorted(lost):
            out.add("data", ident, f"purpose {purpose} dropped", REDUCTION, pointer)
        _field_changes(out, "data", ident, old, new, pointer, ["source_scopes", "categories"])

    _list_changes(out, "data", "data", base, head, added, compare)


_PROTECTED = {"hsm": 3, "kms": 3, "application": 1, "none": 0}


def _compare_storage(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    def added(item: dict[str, Any]) -> tuple[str, str]:
        encrypted = (item.get("encryption_at_rest") or {}).get("enabled")
        detail = f"new storage on {item.get('location')} (encrypted: {_show(encrypted)})"
        return detail, ESCALATION if encrypted is not True else NEUTRAL

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        _field_changes(out, "storage", ident, old, new, pointer, ["location", "retention", "region", "data"])
        old_enc, new_enc = old.get("encryption_at_rest") or {}, new.get("encryption_at_rest") or {}
        if old_enc.get("enabled") != new_enc.get("enabled"):
            risk = REDUCTION if new_enc.get("enabled") is True else ESCALATION
            out.add("storage", ident, f"encryption at rest: {_show(old_enc.get('enabled'))} → "
                    f"{_show(new_enc.get('enabled'))}", risk, pointer)
        if old_enc.get("key_management") != new_enc.get("key_management"):
            weaker = _PROTECTED.get(new_enc.get("key_management"), 0) < _PROTECTED.get(old_enc.get("key_management"), 0)
            out.add("storage", ident, f"key management: {_show(old_enc.get('key_management'))} → "
                    f"{_show(new_enc.get('key_management'))}", ESCALATION if weaker else NEUTRAL, pointer)

    _list_changes(out, "storage", "storage", base, head, added, compare)


_RISKY_RECIPIENTS = frozenset({"advertising_platform", "data_broker", "information_reseller"})


def _compare_transfers(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    def added(item: dict[str, Any]) -> tuple[str, str]:
        detail = (f"new recipient {item.get('recipient')} ({item.get('recipient_type')}) for {item.get('purpose')}"
                  f", data: {_show(item.get('data'))}")
        return detail, ESCALATION

    def worse(name: str, old: Any, new: Any) -> str:
        if name == "purpose" and new in PROHIBITED_PURPOSES:
            return ESCALATION
        if name == "recipient_type" and new in _RISKY_RECIPIENTS:
            return ESCALATION
        if name == "user_consent":
            return ESCALATION if new is not True else REDUCTION
        if name == "data":
            return ESCALATION if set(new or []) - set(old or []) else REDUCTION
        return NEUTRAL

    def compare(out: _Collector, ident: str, old: dict[str, Any], new: dict[str, Any], pointer: str) -> None:
        _field_changes(out, "transfers", ident, old, new, pointer,
                       ["recipient", "recipient_type", "purpose", "data", "user_consent", "transport", "network"], worse)

    _list_changes(out, "transfers", "transfers", base, head, added, compare)


def _compare_human_access(out: _Collector, base: dict[str, Any], head: dict[str, Any]) -> None:
    before, after = _by(base.get("human_access"), "role"), _by(head.get("human_access"), "role")
    for role, (index, item) in after.items():
        pointer = f"/human_access/{index}"
        if role not in before:
            out.add("human access", role, f"{role} may now read {_show(item.get('data'))} ({item.get('basis')})",
                    ESCALATION, pointer)
            continue
        old = before[role][1]
        if old.get("basis") != item.get("basis"):
            risk = ESCALATION if item.get("basis") == "none" else NEUTRAL
            out.add("human access", role, f"basis: {old.get('basis')} → {item.get('basis')}", risk, pointer)
        if set(item.get("data", [])) != set(old.get("data", [])):
            risk = ESCALATION if set(item.get("data", [])) - set(old.get("data", [])) else REDUCTION
            out.add("human access", role, f"data: {_show(old.get('data'))} → {_show(item.get('data'))}", risk, pointer)
        if old.get("consent_documented") != item.get("consent_documented"):
            out.add("human access", role, f"consent documented: {_show(old.get('consent_documented'))} → "
                    f"{_show(item.get('consent_documented'))}", NEUTRAL, pointer)
    for role, (index, _item) in before.items():
        if role not in after:
            out.add("human access", role, "access removed", REDUCTION, f"/human_access/{index}", in_head=False)
