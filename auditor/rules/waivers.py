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
class _RuleWaivers:
    """One rule's waivers, each with its place in the file: those that name no node, and
    those that do, by the node (``at``) and by the node whose fields they also cover
    (``below``, the pointer without a trailing ``/``)."""

    anywhere: list[tuple[int, Waiver]]
    at: dict[str, list[tuple[int, Waiver]]]
    below: dict[str, list[tuple[int, Waiver]]]

    def candidates(self, pointer: str) -> list[tuple[int, Waiver]]:
        """The waivers whose pointer can match a finding at ``pointer`` (the manifest is
        still to be compared), in file order: those of no node, of ``pointer`` itself and of
        each node above it."""
        found = self.anywhere + self.at.get(pointer, [])
        below = self.below
        cut = pointer.find("/")
        while cut >= 0:
            found += below.get(pointer[:cut], ())
            cut = pointer.find("/", cut + 1)
        if len(found) > 1:
            found = sorted(dict(found).items())
        return found


@dataclass
class WaiverSet:
    """Applies waivers to results as they stream past, remembering which were used."""

    waivers: list[Waiver]
    as_of: datetime.date
    _used: set[int] = field(default_factory=set)
    _expired_hits: set[int] = field(default_factory=set)
    # Waivers by rule id, then by the pointers they can match (``_RuleWaivers``): a
    # finding is compared only with waivers of its rule that name its node, one of its
    # ancestors or no node, so a long waiver file does not multiply the cost of every
    # finding, even when all of it waives one rule.
    _by_rule: dict[str, _RuleWaivers] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for index, waiver in enumerate(self.waivers):
            waivers = self._by_rule.get(waiver.rule_id)
            if waivers is None:
                waivers = self._by_rule[waiver.rule_id] = _RuleWaivers([], {}, {})
            entry = (index, waiver)
            if waiver.pointer is None:
                waivers.anywhere.append(entry)
            else:
                waivers.at.setdefault(waiver.pointer, []).append(entry)
                waivers.below.setdefault(waiver.pointer.rstrip("/"), []).append(entry)

    def expired(self, waiver: Waiver) -> bool:
        return datetime.date.fromisoformat(waiver.expires) < self.as_of

    def apply(self, result: ManifestResult) -> ManifestResult:
        if not self.waivers:
            return result
        changed = []
        for finding in result.findings:
            if finding.status in WAIVABLE:
                waivers = self._by_rule.get(finding.rule_id)
                for index, waiver in waivers.candidates(finding.pointer) if waivers is not None else ():
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
