"""The result model: findings, per-manifest results and the report every format renders."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
STATUSES = ("fail", "incomplete", "pass", "waived", "baselined")
STATUS_RANK = {name: rank for rank, name in enumerate(STATUSES)}


@dataclass(frozen=True)
class Citation:
    """Where an obligation comes from: the policy, its section and a short quote."""

    policy: str
    section: str
    quote: str
    url: str | None

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "section": self.section, "quote": self.quote, "url": self.url}


@dataclass(frozen=True)
class Waiver:
    """A reviewer's approval to accept a finding for a while."""

    rule_id: str
    manifest: str
    pointer: str | None
    reason: str
    approved_by: str
    expires: str
    source: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "approved_by": self.approved_by, "expires": self.expires}


@dataclass(frozen=True)
class InferredClassification:
    """A scope classification a verdict rests on that Google does not state: the catalog
    reasoned it out (``reason``), so a reviewer should know the verdict could change."""

    scope: str
    classification: str
    reason: str

    def note(self) -> str:
        """The one-line note every report format shows."""
        text = f"classification of {self.scope} as {self.classification} is inferred, not stated by Google"
        return f"{text}: {self.reason}" if self.reason else text

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "classification": self.classification, "reason": self.reason}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one element of one manifest.

    ``fingerprint`` identifies the finding independently of line numbers: a hash of the
    rule id, the manifest path and the element's content, so it survives unrelated edits
    and reordered lists (baselines and SARIF ``partialFingerprints`` use it).
    """

    rule_id: str
    clause: str | None
    title: str
    severity: str
    category: str
    status: str
    manifest: str
    pointer: str
    line: int
    column: int
    message: str
    remediation: str
    citation: Citation
    fingerprint: str = ""
    waiver: Waiver | None = None
    # Inferred scope classifications the verdict or its wording rests on, by scope.
    inferred: tuple[InferredClassification, ...] = ()

    def sort_key(self) -> tuple[Any, ...]:
        return (self.manifest, STATUS_RANK[self.status], SEVERITY_RANK[self.severity], self.line, self.column,
                self.rule_id, self.pointer)

    def with_status(self, status: str, waiver: Waiver | None = None) -> Finding:
        return replace(self, status=status, waiver=waiver)

    def to_json(self) -> dict[str, Any]:
        document = {
            "rule_id": self.rule_id,
            "clause": self.clause,
            "title": self.title,
            "severity": self.severity,
            "category": self.category,
            "status": self.status,
            "manifest": self.manifest,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "remediation": self.remediation,
            "citation": self.citation.to_json(),
            "fingerprint": self.fingerprint,
        }
        if self.waiver is not None:
            document["waiver"] = self.waiver.to_json()
        if self.inferred:
            document["inferred"] = [item.to_json() for item in self.inferred]
        return document

    def evidence_notes(self) -> list[str]:
        """Short notes on the evidence behind the verdict, for formats other than JSON."""
        return [item.note() for item in self.inferred]


@dataclass(frozen=True)
class ScopeUse:
    """One requested scope as reports show it: catalog facts plus what the manifest says.

    ``data`` lists the ids of the data elements the scope feeds; it is ``None`` when the
    manifest has no ``data`` section (not said), which reports tell apart from "none".
    """

    scope: str
    classification: str
    api: str | None
    requested: str | None
    justification: str | None
    features: tuple[str, ...]
    data: tuple[str, ...] | None


@dataclass(frozen=True)
class FlowStep:
    """A data element, storage place, transfer or human-access grant in an app's data flow.

    ``data`` holds the data element ids it involves (a data element's own id for itself);
    ``details`` are label and value pairs, already worded for a reader.
    """

    name: str
    description: str | None
    classification: str
    data: tuple[str, ...]
    details: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Inventory:
    """What a manifest declares, for the reports that show it (the HTML report).

    Computed once by the engine, so no renderer reads a manifest again. A section the
    manifest leaves out is ``None``; an empty tuple is a manifest that says "none".
    """

    developer: str
    app_type: str
    description: str | None
    links: tuple[tuple[str, str], ...]
    scopes: tuple[ScopeUse, ...]
    data: tuple[FlowStep, ...] | None
    storage: tuple[FlowStep, ...] | None
    transfers: tuple[FlowStep, ...] | None
    human_access: tuple[FlowStep, ...] | None


@dataclass(frozen=True)
class ManifestResult:
    """Every finding about one manifest, sorted: failures first, by severity, then position."""

    path: str
    app: str
    findings: tuple[Finding, ...]
    inventory: Inventory | None = None


@dataclass(frozen=True)
class PackInfo:
    id: str
    version: str
    title: str
    rules: int
    source: str


@dataclass
class Summary:
    """Counts by status, and failures by severity."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    fail_by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    incomplete_by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def add(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.counts[finding.status] += 1
            if finding.status == "fail":
                self.fail_by_severity[finding.severity] += 1
            elif finding.status == "incomplete":
                self.incomplete_by_severity[finding.severity] += 1

    def failed(self, fail_on: str, strict: bool = False) -> bool:
        """Whether the run fails: a failure (or, with ``strict``, an incomplete finding) at
        or above ``fail_on``."""
        if fail_on == "never":
            return False
        threshold = SEVERITY_RANK[fail_on]
        for severity, count in self.fail_by_severity.items():
            if count and SEVERITY_RANK[severity] <= threshold:
                return True
            if strict and self.incomplete_by_severity[severity] and SEVERITY_RANK[severity] <= threshold:
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        return {**self.counts, "fail_by_severity": dict(self.fail_by_severity)}


@dataclass(frozen=True)
class WaiverNote:
    """A waiver or baseline record worth a reviewer's attention: an expired waiver
    (``expired``), a waiver matching nothing (``unmatched``), or a baseline record matching
    no finding any more (``stale_baseline``)."""

    kind: str
    rule_id: str
    manifest: str
    pointer: str | None
    source: str
    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule_id": self.rule_id, "manifest": self.manifest, "pointer": self.pointer,
                "source": self.source, "line": self.line, "message": self.message}


class Report:
    """What an audit produced, rendered by every format.

    ``results`` may be a one-pass iterator, so that a large batch streams through a renderer
    without being held in memory: call :meth:`iter_results` once (the summary is complete
    after it), or :meth:`materialize` for a list. Waiver notes are known only once every
    result has been seen.
    """

    def __init__(self, tool_version: str, packs: tuple[PackInfo, ...], as_of: str,
                 results: Iterable[ManifestResult], waiver_notes: Any = None, rules: tuple[Any, ...] = (),
                 domain_inventory: Any = None, diff: Any = None, lang: str = "en", code_scan: Any = None) -> None:
        self.tool_version = tool_version
        # What ``wsaudit scan-code`` found (``auditor.scan_report.CodeScanSummary``): its
        # findings are among ``results``; JSON adds its keys (``least_privilege``, ``uses``, …)
        # at the top level; text, Markdown and HTML show its least-privilege section from a
        # template. ``None`` for every other report.
        self.code_scan = code_scan
        # The language the findings are worded in, and the reports' fixed strings with them
        # (``auditor.report_i18n``); JSON keys and enum values stay English whatever it is.
        self.lang = lang
        # The comparison behind a ``wsaudit diff`` report (``auditor.manifest_diff.ComplianceDiff``);
        # its findings are among ``results``. JSON adds it as ``diff``; text and Markdown show
        # it whole. ``None`` for every other report.
        self.diff = diff
        # The apps of a domain (``auditor.probe.inventory_model.DomainInventory``) when the
        # report is the live probe's inventory; its drift findings are among ``results``.
        # JSON adds it as ``inventory``; text, Markdown and HTML show it from a template.
        self.domain_inventory = domain_inventory
        self.packs = packs
        # The loaded rules (``auditor.policy.Rule``), for formats that describe each rule
        # once (SARIF); empty when the caller has none to give.
        self.rules = tuple(rules)
        self.as_of = as_of
        self.summary = Summary()
        self._results = iter(results)
        self._cache: list[ManifestResult] | None = None
        self._waiver_notes = waiver_notes

    def iter_results(self) -> Iterator[ManifestResult]:
        if self._cache is not None:
            yield from self._cache
            return
        for result in self._results:
            self.summary.add(result.findings)
            yield result

    def materialize(self) -> list[ManifestResult]:
        if self._cache is None:
            self._cache = list(self.iter_results())
        return self._cache

    def waiver_notes(self) -> list[WaiverNote]:
        """Expired and unmatched waivers; call after the results have been iterated."""
        if self._waiver_notes is None:
            return []
        return list(self._waiver_notes())
