"""The HTML report: one self-contained page a security reviewer can open offline.

Rendered from ``reports/templates/report.html.j2`` (and its ``report.*`` partials) with
autoescaping, so every value from a manifest or a policy pack is text, never markup. The
style sheet and the filter script are inlined from ``report.css`` and ``report.js``; a
Content-Security-Policy allows exactly those two (by hash) and nothing else, so the page
loads nothing from anywhere, and a value that somehow became markup could not run.

The filter (severity and status check boxes) is an enhancement: without scripts the form
stays hidden and every finding is shown.

The page opens with the run's summary, known only once every manifest is in. Each manifest's
pieces (its line in the navigation, its scorecard row, its section) are rendered as it
arrives into spooled files, which the page copies once the summary is known: memory holds
one manifest at a time, however large the batch. A report of more than
:data:`PASS_LISTING_LIMIT` manifests, and a manifest of more than
:data:`MANIFEST_PASS_LISTING_LIMIT` passed findings, count passed findings instead of
listing them (each manifest and the summary say how many), so that the page stays one a
browser can open.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any, Iterator, TextIO

from auditor.model.findings import SEVERITIES, SEVERITY_RANK, STATUS_RANK, STATUSES, Finding
from auditor.model.report import Detail, DetailValue, FlowStep, ManifestResult, Report
from auditor.reporters import RenderOptions

SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
STATUS_LABELS = {"fail": "Failed", "incomplete": "Incomplete", "pass": "Passed", "waived": "Waived",
                 "baselined": "Baselined"}
OUTCOME_LABELS = {"fail": "Failed", "incomplete": "Incomplete", "pass": "Passed"}
CLASSIFICATION_LABELS = {"restricted": "Restricted", "sensitive": "Sensitive", "non_sensitive": "Non-sensitive",
                         "unknown": "Unknown"}
REQUESTED_LABELS = {"at_sign_in": "at sign-in", "incremental": "incrementally"}
# Above this many manifests, passes are counted, not listed: ten thousand manifests hold some
# half a million passes, a page no browser opens comfortably; the JSON report has them all.
PASS_LISTING_LIMIT = 200
# A manifest with more passed findings than this counts them instead of listing them,
# whatever the size of the report: one manifest with thousands of data elements holds tens
# of thousands of passes (35,039 for 5,000 elements), which no reader scrolls through.
MANIFEST_PASS_LISTING_LIMIT = 1000
# Each spool of rendered pieces stays in memory up to this size, on disk beyond it.
_SPOOL_IN_MEMORY = 4 * 1024 * 1024
# A manifest's section comes from its template in many small pieces, written this many at a time.
_PIECES_AT_A_TIME = 4096


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class FlowRow:
    """A data element and the storage, transfers and human access that involve it."""

    data: FlowStep
    storage: tuple[FlowStep, ...]
    transfers: tuple[FlowStep, ...]
    human_access: tuple[FlowStep, ...]


@dataclass(frozen=True)
class ManifestView:
    anchor: str
    result: ManifestResult
    counts: dict[str, int]
    failed: dict[str, int]
    outcome: str
    verdict: str
    categories: tuple[Category, ...]
    flow_rows: tuple[FlowRow, ...]
    # Sections by key (``storage``, ``human_access``…); the template words them.
    unplaced: tuple[tuple[str, tuple[FlowStep, ...]], ...]
    not_stated: tuple[str, ...]
    # Passed findings counted but not listed (a large report, or a manifest with very many
    # passes, lists only the others).
    passes_unlisted: int = 0


def _is_web_link(value: Any) -> bool:
    """Only http(s) URLs become links; anything else (``javascript:``, ``data:``) stays text."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def _outcome(counts: dict[str, int]) -> str:
    if counts["fail"]:
        return "fail"
    return "incomplete" if counts["incomplete"] else "pass"


def _english() -> Any:
    from auditor.rules.i18n import report_text

    return report_text("en")


def _verdict(counts: dict[str, int], failed: dict[str, int], t: Any = None) -> str:
    t = t or _english()
    by_severity = ", ".join(t("html.failed_severity", failed[s], severity=t.word("severity", s))
                            for s in SEVERITIES if failed[s])
    text = t("html.verdict", fail=t.number(counts["fail"]),
             by_severity=t("html.by_severity", list=by_severity) if by_severity else "",
             incomplete=t.number(counts["incomplete"]), passed=t.number(counts["pass"]),
             waived=t.number(counts["waived"]))
    if counts["baselined"]:
        text += t("html.verdict_baselined", counts["baselined"])
    return text


def _labels(t: Any, group: str) -> dict[str, str]:
    """A group of labels (``severity_labels``…) from the report's language catalog."""
    prefix = f"html.{group}."
    return {key[len(prefix):]: value for key, value in t.strings.items() if key.startswith(prefix)}


def _categories(anchor: str, findings: tuple[Finding, ...], t: Any = None) -> tuple[Category, ...]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.category, []).append(finding)

    def worst(name: str) -> tuple[Any, ...]:
        items = groups[name]
        return (min(STATUS_RANK[f.status] for f in items),
                min(SEVERITY_RANK[f.severity] for f in items if f.status == items[0].status), name)

    ordered = sorted(groups, key=worst)
    titles = _labels(t or _english(), "categories")
    return tuple(Category(f"{anchor}-c{index}",
                          titles.get(name) or name.replace("-", " ").replace("_", " ").capitalize(),
                          tuple(groups[name]))
                 for index, name in enumerate(ordered, 1))


def _flow(result: ManifestResult) -> tuple[tuple[FlowRow, ...], tuple[tuple[str, tuple[FlowStep, ...]], ...],
                                          tuple[str, ...]]:
    inventory = result.inventory
    if inventory is None:
        return (), (), ()
    sections = (("storage", inventory.storage), ("transfers", inventory.transfers),
                ("human_access", inventory.human_access))

    storage, transfers, human_access = (_steps_by_element(steps) for _key, steps in sections)
    rows = tuple(FlowRow(data, storage.get(data.name, ()), transfers.get(data.name, ()), human_access.get(data.name, ()))
                 for data in inventory.data or ())
    # Without data elements to hang them on, storage, transfers and access are listed alone.
    unplaced = () if rows else tuple((key, steps) for key, steps in sections if steps)
    not_stated = tuple(key for key, steps in (("data", inventory.data), *sections) if steps is None)
    return rows, unplaced, not_stated


def _steps_by_element(steps: tuple[FlowStep, ...] | None) -> dict[str, tuple[FlowStep, ...]]:
    """The steps that involve each data element, by its id, in the steps' order (a step that
    names an element twice, once). One pass over what the steps name, rather than a pass
    over every step for every element: a storage place, transfer or grant may name all of
    a manifest's elements."""
    found: dict[str, list[FlowStep]] = {}
    for step in steps or ():
        for ident in dict.fromkeys(step.data):
            found.setdefault(ident, []).append(step)
    return {ident: tuple(involved) for ident, involved in found.items()}


def _value_words(value: DetailValue, t: Any) -> str:
    if value.kind == "text":
        return str(value.raw)
    if value.kind == "flag":
        return t("html.manifest.answer_yes" if value.raw else "html.manifest.answer_no")
    if value.kind == "tls_min_version":
        return t("html.manifest.tls_min_version", version=value.raw)
    # A manifest vocabulary's word; English shows the word as the manifest writes it.
    return t.word(f"html.manifest.vocabulary.{value.kind}", str(value.raw))


def detail_words(detail: Detail, t: Any) -> tuple[str, str]:
    """A data-flow detail as a reader sees it in ``t``'s language: its label and its value
    (the manifest's own text kept as written, every other word from the catalog)."""
    words = ", ".join(_value_words(value, t) for value in detail.values) or t("html.manifest.none")
    if detail.qualifiers:
        words += f" ({', '.join(_value_words(value, t) for value in detail.qualifiers)})"
    return t(f"html.manifest.details.{detail.key}"), words


def manifest_view(index: int, result: ManifestResult, t: Any = None, list_passes: bool = True) -> ManifestView:
    counts = dict.fromkeys(STATUSES, 0)
    failed = dict.fromkeys(SEVERITIES, 0)
    for finding in result.findings:
        counts[finding.status] += 1
        if finding.status == "fail":
            failed[finding.severity] += 1
    anchor = f"manifest-{index}"
    rows, unplaced, not_stated = _flow(result)
    list_passes = list_passes and counts["pass"] <= MANIFEST_PASS_LISTING_LIMIT
    listed = result.findings if list_passes else tuple(f for f in result.findings if f.status != "pass")
    return ManifestView(anchor, result, counts, failed, _outcome(counts), _verdict(counts, failed, t),
                        _categories(anchor, listed, t), rows, unplaced, not_stated,
                        0 if list_passes else counts["pass"])


def _asset(environment: Any, name: str) -> str:
    """A style sheet or script from the templates folder, verbatim (not a template)."""
    source, _, _ = environment.loader.get_source(environment, name)
    return source.strip()


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def lists_passes(report: Report) -> bool:
    """Whether the page lists passed findings: unless the report covers more than
    :data:`PASS_LISTING_LIMIT` manifests (a stream says how many it expects, when it knows)."""
    results = getattr(report, "results", None)
    expected = len(results) if isinstance(results, tuple) else getattr(report, "expected", None)
    return expected is None or expected <= PASS_LISTING_LIMIT


class _Spool:
    """Rendered HTML written once and read back in chunks, in memory while small."""

    def __init__(self) -> None:
        import tempfile

        self.file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY, mode="w+", encoding="utf-8",
                                                  newline="\n")

    def chunks(self) -> Iterator[Any]:
        """The whole content as markup, 64 KiB at a time (autoescaping must not touch it)."""
        import markupsafe

        self.file.seek(0)
        while chunk := self.file.read(1 << 16):
            yield markupsafe.Markup(chunk)


class _ByRule:
    """The parts of a finding's markup that its rule and status alone decide (its badges and
    title, its clause, its remediation and citation), rendered once per rule and status of a
    page rather than for each finding: most of a listed finding's markup.

    Called from a template as ``by_rule(macro, finding, *arguments)``, the arguments being
    the page's own, the same at every call."""

    def __init__(self) -> None:
        # By macro, ``id`` of the rule and status; the rule is kept so that its id cannot be reused.
        self._parts: dict[tuple[str, int, str], tuple[Any, Any]] = {}

    def __call__(self, macro: Any, finding: Finding, *arguments: Any) -> Any:
        key = (macro.name, id(finding.rule), finding.status)
        known = self._parts.get(key)
        if known is None or known[0] is not finding.rule:
            known = self._parts[key] = (finding.rule, macro(finding, *arguments))
        return known[1]


class _SharedSteps:
    """The markup of one manifest's data-flow steps that name several data elements, each
    rendered once: such a step (a storage place, transfer or grant shared by elements) is
    shown in the row of every element it names, the same markup each time. A step that
    names one element has one row and is rendered there.

    Called from a template as ``flow_step(step)``; made anew for each manifest, so that the
    steps it keeps die with the manifest."""

    def __init__(self, macro: Any, labels: dict[str, str]) -> None:
        self._macro = macro
        self._labels = labels
        # By ``id`` of the step, with the step kept so that its id cannot be reused.
        self._parts: dict[int, tuple[Any, Any]] = {}

    def __call__(self, step: Any) -> Any:
        if len(step.data) < 2:
            return self._macro(step, self._labels)
        known = self._parts.get(id(step))
        if known is None:
            known = self._parts[id(step)] = (step, self._macro(step, self._labels))
        return known[1]


def _page_values(t: Any) -> dict[str, Any]:
    """What every template of the page reads besides its own subject: the language, labels
    and helpers."""
    from auditor.rules.i18n import evidence_notes, waiver_text

    status_labels = _labels(t, "status_labels")
    return {
        "t": t,
        "evidence_notes": evidence_notes,
        "waiver_text": waiver_text,
        "severities": SEVERITIES,
        "statuses": STATUSES,
        "severity_labels": _labels(t, "severity_labels"),
        "status_labels": status_labels,
        "outcome_labels": {status: label for status, label in status_labels.items() if status in OUTCOME_LABELS},
        "classification_labels": _labels(t, "classification_labels"),
        "requested_labels": _labels(t, "requested_labels"),
        "detail_words": lambda detail: detail_words(detail, t),
        "by_rule": _ByRule(),
    }


def _render_manifests(report: Report, environment: Any, values: dict[str, Any], spools: dict[str, _Spool],
                      list_passes: bool) -> tuple[int, int]:
    """Render each manifest's navigation line, scorecard row and section into ``spools`` as
    it arrives; how many manifests there were and how many passes went unlisted (all of
    them without ``list_passes``, else those of manifests with too many to list)."""
    rows = environment.get_template("report.rows.html.j2").make_module(values)
    section = environment.get_template("report.manifest.html.j2")
    finding_parts = environment.get_template("report.finding.html.j2").make_module(values)
    section_values = {**values, "finding_parts": finding_parts}
    count = unlisted = 0
    sections = spools["manifest_sections"].file
    for count, result in enumerate(report.iter_results(), 1):
        view = manifest_view(count, result, values["t"], list_passes)
        unlisted += view.passes_unlisted
        spools["nav_items"].file.write(rows.nav_item(view))
        spools["scorecard_rows"].file.write(rows.scorecard_row(view))
        pieces: list[str] = []
        flow_step = _SharedSteps(finding_parts.step, values["classification_labels"])
        for piece in section.generate(section_values, view=view, flow_step=flow_step):
            pieces.append(piece)
            if len(pieces) >= _PIECES_AT_A_TIME:
                sections.write("".join(pieces))
                pieces.clear()
        sections.write("".join(pieces))
    return count, unlisted


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    import markupsafe

    from auditor.reporters.templating import html_environment
    from auditor.rules.i18n import report_language, waiver_note_text

    environment = html_environment()
    environment.tests.setdefault("web_link", _is_web_link)
    # Every fixed string comes from the report's language catalog (reports/i18n).
    t = report_language(report)
    values = _page_values(t)
    spools = {name: _Spool() for name in ("nav_items", "scorecard_rows", "manifest_sections")}
    try:
        list_passes = lists_passes(report)
        count, unlisted = _render_manifests(report, environment, values, spools, list_passes)
        summary = report.summary
        css = _asset(environment, "report.css")
        js = _asset(environment, "report.js")
        csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
               "base-uri 'none'; form-action 'none'")
        counts = summary.counts
        page = environment.get_template("report.html.j2").generate(
            values, version=report.tool_version, as_of=report.as_of, packs=report.packs, summary=summary,
            outcome=_outcome(counts), verdict=_verdict(counts, summary.fail_by_severity, t),
            verdict_short=t("html.verdict_short", count, fail=t.number(counts["fail"]),
                            incomplete=t.number(counts["incomplete"])),
            manifest_count=count, passes_unlisted=unlisted, lists_passes=list_passes,
            pass_listing_limit=PASS_LISTING_LIMIT, manifest_pass_listing_limit=MANIFEST_PASS_LISTING_LIMIT,
            **{name: spool.chunks() for name, spool in spools.items()},
            waiver_notes=report.waiver_notes(), waiver_note_text=lambda note: waiver_note_text(note, t),
            # A ``wsaudit diff`` report names the two sides it compared.
            comparison=getattr(report, "diff", None),
            domain_inventory=getattr(report, "domain_inventory", None),
            code_scan=getattr(report, "code_scan", None),
            csp=csp, css=markupsafe.Markup(css), js=markupsafe.Markup(js))
        for chunk in page:
            out.write(chunk)
    finally:
        for spool in spools.values():
            spool.file.close()
    out.write("\n")  # the environment drops the template's final line break
