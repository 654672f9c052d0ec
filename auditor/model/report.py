"""The result model's report: per-manifest results, the summary counted from them, and the
report every format renders (whole, or streamed one result at a time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping

from auditor.model.findings import SEVERITIES, STATUSES, SEVERITY_RANK, Finding, Status


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
class DetailValue:
    """One value a data-flow detail states, unworded; ``kind`` says how a report words it.

    ``text`` is the manifest's own text (a retention period, a region, a scope name), shown
    as written; ``flag`` is a yes or a no; ``tls_min_version`` the lowest TLS version a
    transfer accepts. Any other kind names the manifest vocabulary ``raw`` is a word of
    (``category``, ``location``…), which each report catalog words in its language.
    """

    kind: str
    raw: str | bool


@dataclass(frozen=True)
class Detail:
    """One fact a data-flow step states, as data: the words are the reports' to choose.

    ``key`` is the manifest field it comes from (``categories``, ``encryption_at_rest``…);
    ``values`` what the manifest says there (empty for a list it leaves empty);
    ``qualifiers`` what refines them (an encryption's algorithm and key management).
    """

    key: str
    values: tuple[DetailValue, ...]
    qualifiers: tuple[DetailValue, ...] = ()


@dataclass(frozen=True)
class FlowStep:
    """A data element, storage place, transfer or human-access grant in an app's data flow.

    ``data`` holds the data element ids it involves (a data element's own id for itself);
    ``details`` are the facts the manifest states about it, in the manifest's order of fields.
    """

    name: str
    description: str | None
    classification: str
    data: tuple[str, ...]
    details: tuple[Detail, ...]


@dataclass(frozen=True)
class Inventory:
    """What a manifest declares, for the reports that show it (the HTML report).

    Computed once by the engine, so no renderer reads a manifest again. A section the
    manifest leaves out is ``None``; an empty tuple is a manifest that says "none". Values
    and keys only, never words: ``app_type`` is the manifest's own word for the type, and
    ``links`` pairs a manifest field (``homepage_url``…) with its value.
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
class EncodedResult:
    """One manifest's findings as the JSON report writes them, with the counts the summary
    needs: what a worker process sends instead of a :class:`ManifestResult` when the JSON
    report is the run's only reader of findings (no other format, no waiver file, no
    baseline): the findings are then neither packed, sent and rebuilt nor encoded by the
    parent, which only copies the bytes into the report.

    ``json_lines`` is UTF-8: each finding as one line of the report's ``findings`` array,
    each after the separator the report writes before it (``",\\n    "``), empty for a
    manifest without findings. ``counts`` is :meth:`SummaryTally.counts` of the findings.
    Only the JSON report reads it (:func:`auditor.reporters.json_report.render`).

    A manifest with more findings than the report writes at once has its lines in the file
    ``spilled`` instead (``json_lines`` is then empty): written a run at a time by the
    worker, copied a piece at a time by the report, which then deletes it, so that neither
    process holds them whole (29 MB for 35,039 findings).
    """

    path: str
    app: str
    counts: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    json_lines: bytes
    spilled: str | None = None


@dataclass(frozen=True)
class PackInfo:
    id: str
    version: str
    title: str
    rules: int
    source: str


@dataclass(frozen=True)
class Summary:
    """Counts by status, and failures (and incomplete findings) by severity; a value computed
    once from the findings (:meth:`of`), so a verdict never depends on rendering having run."""

    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(dict.fromkeys(STATUSES, 0)))
    fail_by_severity: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(dict.fromkeys(SEVERITIES, 0)))
    incomplete_by_severity: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(SEVERITIES, 0)))

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Summary:
        tally = SummaryTally()
        tally.add(findings)
        return tally.summary()

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


_FAIL, _INCOMPLETE = Status.FAIL, Status.INCOMPLETE


class SummaryTally:
    """Counts findings as they stream past; :meth:`summary` freezes what it has seen."""

    def __init__(self) -> None:
        self._counts = dict.fromkeys(STATUSES, 0)
        self._fail = dict.fromkeys(SEVERITIES, 0)
        self._incomplete = dict.fromkeys(SEVERITIES, 0)

    def add(self, findings: Iterable[Finding]) -> None:
        # Runs for every finding of a batch: local names, and the rule's severity read
        # directly rather than through the finding's property (three times quicker).
        counts, failed, incomplete = self._counts, self._fail, self._incomplete
        for finding in findings:
            status = finding.status
            counts[status] += 1
            if status == _FAIL:
                failed[finding.rule.severity] += 1
            elif status == _INCOMPLETE:
                incomplete[finding.rule.severity] += 1

    def counts(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """What has been counted, as plain numbers: by status (in ``STATUSES`` order),
        failures and incomplete findings by severity (in ``SEVERITIES`` order)."""
        return tuple(self._counts.values()), tuple(self._fail.values()), tuple(self._incomplete.values())

    def add_counts(self, counts: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]) -> None:
        """Add what another tally counted (its :meth:`counts`)."""
        for table, numbers in zip((self._counts, self._fail, self._incomplete), counts):
            for key, number in zip(table, numbers):
                table[key] += number

    def summary(self) -> Summary:
        return Summary(MappingProxyType(dict(self._counts)), MappingProxyType(dict(self._fail)),
                       MappingProxyType(dict(self._incomplete)))


@dataclass(frozen=True)
class WaiverNote:
    """A waiver or baseline record worth a reviewer's attention: an expired waiver
    (``expired``), a waiver matching nothing (``unmatched``), or a baseline record matching
    no finding any more (``stale_baseline``).

    ``message`` is the English wording the JSON report keeps; the other formats word the
    note by its ``kind`` from the report's language catalog, filled with ``expires`` and
    ``no_longer_waives`` (an expired waiver that still matches a finding)."""

    kind: str
    rule_id: str
    manifest: str
    pointer: str | None
    source: str
    line: int
    message: str
    expires: str | None = None
    no_longer_waives: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule_id": self.rule_id, "manifest": self.manifest, "pointer": self.pointer,
                "source": self.source, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Report:
    """What a judging command produced: every result, the summary computed from them, and
    what each format may add. An immutable value: render it any number of times, in any
    order; :class:`ReportStream` is the one-pass variant for batches too large to hold.

    ``errors`` are the inputs that could not be judged (a manifest that does not load), each
    an :class:`~auditor.model.errors.AuditorError`; they are not findings and no format shows them.
    """

    tool_version: str
    packs: tuple[PackInfo, ...]
    as_of: str
    results: tuple[ManifestResult, ...]
    summary: Summary
    # Expired or unmatched waivers and stale baseline records.
    notes: tuple[WaiverNote, ...] = ()
    # The loaded rules (``auditor.rules.packs.Rule`` or :class:`RuleInfo`), for formats that
    # describe each rule once (SARIF); empty when the caller has none to give.
    rules: tuple[Any, ...] = ()
    # The apps of a domain (``auditor.probe.inventory_model.DomainInventory``) when the
    # report is the live probe's inventory; its drift findings are among ``results``.
    # JSON adds it as ``inventory``; text, Markdown and HTML show it from a template.
    domain_inventory: Any = None
    # The comparison behind a ``wsaudit diff`` report (``auditor.diff.compliance_diff.ComplianceDiff``);
    # its findings are among ``results``. JSON adds it as ``diff``; text and Markdown show
    # it whole.
    diff: Any = None
    # The language the findings are worded in, and the reports' fixed strings with them
    # (``auditor.rules.i18n``); JSON keys and enum values stay English whatever it is.
    lang: str = "en"
    # What ``wsaudit scan-code`` found (``auditor.scan.report.CodeScanSummary``): its
    # findings are among ``results``; JSON adds its keys (``least_privilege``, ``uses``, …)
    # at the top level; text, Markdown and HTML show its least-privilege section.
    code_scan: Any = None
    errors: tuple[Any, ...] = ()

    @classmethod
    def of(cls, tool_version: str, packs: tuple[PackInfo, ...], as_of: str, results: Iterable[ManifestResult],
           notes: Iterable[WaiverNote] = (), **extras: Any) -> Report:
        """A report of ``results``, its summary counted here."""
        held = tuple(results)
        summary = Summary.of(finding for result in held for finding in result.findings)
        return cls(tool_version, tuple(packs), as_of, held, summary, tuple(notes), **extras)

    # The reading interface every renderer uses, shared with :class:`ReportStream`.
    def iter_results(self) -> Iterator[ManifestResult]:
        return iter(self.results)

    def materialize(self) -> list[ManifestResult]:
        return list(self.results)

    def waiver_notes(self) -> list[WaiverNote]:
        return list(self.notes)

    def failed(self, fail_on: str, strict: bool = False) -> bool:
        return self.summary.failed(fail_on, strict)


class ReportStream:
    """A report whose results arrive one at a time, so that a renderer can write a batch of
    thousands of manifests in flat memory.

    Iterate :meth:`iter_results` once; :attr:`summary`, the waiver notes and the errors are
    known after that, and asking before raises instead of answering wrongly. :meth:`collect`
    turns the stream into a :class:`Report`; :meth:`with_results` gives each of several
    readers (several formats in one pass) a stream of its own.

    ``expected`` is how many results the stream should yield (the inputs given; a manifest
    that does not load yields none), or ``None``: a renderer may choose a layout by size.
    """

    def __init__(self, tool_version: str, packs: tuple[PackInfo, ...], as_of: str,
                 results: Iterable[ManifestResult], waiver_notes: Callable[[], Iterable[WaiverNote]] | None = None,
                 errors: Callable[[], Iterable[Any]] | None = None, **extras: Any) -> None:
        self.tool_version = tool_version
        self.packs = tuple(packs)
        self.as_of = as_of
        self.rules = tuple(extras.pop("rules", ()))
        self.lang = extras.pop("lang", "en")
        self.domain_inventory = extras.pop("domain_inventory", None)
        self.diff = extras.pop("diff", None)
        self.code_scan = extras.pop("code_scan", None)
        self.expected: int | None = extras.pop("expected", None)
        if extras:
            raise TypeError(f"unknown report fields: {', '.join(sorted(extras))}")
        self._results = iter(results)
        self._tally = SummaryTally()
        self._done = False
        self._started = False
        self._notes = waiver_notes
        self._errors = errors

    def iter_results(self) -> Iterator[ManifestResult]:
        if self._started:
            raise RuntimeError("a report stream can be read once; collect() it to read it again")
        self._started = True
        tally = self._tally
        for result in self._results:
            if result.__class__ is EncodedResult:
                tally.add_counts(result.counts)
            else:
                tally.add(result.findings)
            yield result
        self._done = True

    results = iter_results

    def materialize(self) -> list[ManifestResult]:
        """Every result, read in one pass (for a renderer that needs them all at once)."""
        return list(self.iter_results())

    def _check_done(self) -> None:
        if not self._done:
            raise RuntimeError("the report stream has not been read to its end yet")

    @property
    def summary(self) -> Summary:
        self._check_done()
        return self._tally.summary()

    def waiver_notes(self) -> list[WaiverNote]:
        self._check_done()
        return list(self._notes()) if self._notes is not None else []

    @property
    def errors(self) -> tuple[Any, ...]:
        self._check_done()
        return tuple(self._errors()) if self._errors is not None else ()

    def failed(self, fail_on: str, strict: bool = False) -> bool:
        return self.summary.failed(fail_on, strict)

    def with_results(self, results: Iterable[ManifestResult]) -> ReportStream:
        """The same report with its results read from ``results`` (a copy of this stream's,
        handed over one at a time); its waiver notes and errors are this stream's, known once
        this stream has been read to its end."""
        return ReportStream(self.tool_version, self.packs, self.as_of, results, self.waiver_notes,
                            lambda: self.errors, rules=self.rules, lang=self.lang,
                            domain_inventory=self.domain_inventory, diff=self.diff, code_scan=self.code_scan,
                            expected=self.expected)

    def collect(self) -> Report:
        """Read the rest of the stream into an immutable :class:`Report`."""
        held = tuple(self.iter_results())
        return Report(self.tool_version, self.packs, self.as_of, held, self.summary, tuple(self.waiver_notes()),
                      self.rules, self.domain_inventory, self.diff, self.lang, self.code_scan, self.errors)
