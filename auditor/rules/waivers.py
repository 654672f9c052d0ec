"""Waivers: findings a reviewer accepted, for a reason, until a date.

A waiver turns a matching ``fail`` or ``incomplete`` finding into ``waived``, keeping its
severity and message. An expired waiver waives nothing and is reported; so is a waiver that
matches no finding, so stale entries do not pile up unnoticed.
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass, field, replace

from auditor.model.errors import ErrorList, PolicyError
from auditor.model.findings import Finding, Waiver
from auditor.model.report import ManifestResult, WaiverNote
from auditor.resources import schemas_dir
from auditor.manifest.yaml_source import load_yaml_file

WAIVABLE = frozenset({"fail", "incomplete"})


def load_waivers(path: str) -> list[Waiver]:
    """Read and check a waiver file."""
    from auditor.manifest.schema_check import check_against_schema

    document = load_yaml_file(path, error_type=PolicyError)
    if not isinstance(document.data, dict):
        raise PolicyError("a waiver file is a mapping with waivers_version and waivers", path, 1, 1)
    errors = check_against_schema(document, schemas_dir() / "waivers.schema.json", PolicyError)
    if errors:
        raise ErrorList(errors)
    return [
        Waiver(
            rule_id=item["rule"], manifest=item["manifest"], pointer=item.get("pointer"),
            reason=item["reason"], approved_by=item["approved_by"], expires=item["expires"],
            source=path, line=document.locate(f"/waivers/{index}")[0],
        )
        for index, item in enumerate(document.data["waivers"])
    ]


def _matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule_id != finding.rule_id:
        return False
    # A waiver of an element also covers findings about its fields (``/auth`` covers
    # ``/auth/impersonates``), so waivers written before findings pointed at fields still hold.
    if waiver.pointer is not None and waiver.pointer != finding.pointer \
            and not finding.pointer.startswith(waiver.pointer.rstrip("/") + "/"):
        return False
    path = finding.manifest.removeprefix("./")
    pattern = waiver.manifest.removeprefix("./")
    return path == pattern or fnmatch.fnmatchcase(path, pattern)


@dataclass
class WaiverSet:
    """Applies waivers to results as they stream past, remembering which were used."""

    waivers: list[Waiver]
    as_of: datetime.date
    _used: set[int] = field(default_factory=set)
    _expired_hits: set[int] = field(default_factory=set)
    # Waivers by rule id, in file order: a finding is compared only with its rule's
    # waivers, so a long waiver file does not multiply the cost of every finding.
    _by_rule: dict[str, list[tuple[int, Waiver]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for index, waiver in enumerate(self.waivers):
            self._by_rule.setdefault(waiver.rule_id, []).append((index, waiver))

    def expired(self, waiver: Waiver) -> bool:
        return datetime.date.fromisoformat(waiver.expires) < self.as_of

    def apply(self, result: ManifestResult) -> ManifestResult:
        if not self.waivers:
            return result
        changed = []
        for finding in result.findings:
            if finding.status in WAIVABLE:
                for index, waiver in self._by_rule.get(finding.rule_id, ()):
                    if _matches(waiver, finding):
                        if self.expired(waiver):
                            self._expired_hits.add(index)
                            continue
                        self._used.add(index)
                        finding = finding.with_status("waived", waiver)
                        break
            changed.append(finding)
        changed.sort(key=Finding.sort_key)
        return replace(result, findings=tuple(changed))

    def notes(self) -> list[WaiverNote]:
        notes = []
        for index, waiver in enumerate(self.waivers):
            if self.expired(waiver):
                hit = " and no longer waives a finding" if index in self._expired_hits else ""
                notes.append(WaiverNote("expired", waiver.rule_id, waiver.manifest, waiver.pointer, waiver.source,
                                        waiver.line, f"waiver expired on {waiver.expires}{hit}",
                                        expires=waiver.expires, no_longer_waives=bool(hit)))
            elif index not in self._used:
                notes.append(WaiverNote("unmatched", waiver.rule_id, waiver.manifest, waiver.pointer, waiver.source,
                                        waiver.line, "waiver matches no failing or incomplete finding"))
        return notes
