"""The HTML report: one self-contained page a security reviewer can open offline.

Rendered from ``reports/templates/report.html.j2`` (and its ``report.*`` partials) with
autoescaping, so every value from a manifest or a policy pack is text, never markup. The
style sheet and the filter script are inlined from ``report.css`` and ``report.js``; a
Content-Security-Policy allows exactly those two (by hash) and nothing else, so the page
loads nothing from anywhere, and a value that somehow became markup could not run.

The filter (severity and status check boxes) is an enhancement: without scripts the form
stays hidden and every finding is shown.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any, TextIO

from auditor.model.findings import SEVERITIES, SEVERITY_RANK, STATUS_RANK, STATUSES, Finding, FlowStep, ManifestResult, Report
from auditor.reporters import RenderOptions

SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
STATUS_LABELS = {"fail": "Failed", "incomplete": "Incomplete", "pass": "Passed", "waived": "Waived",
                 "baselined": "Baselined"}
OUTCOME_LABELS = {"fail": "Failed", "incomplete": "Incomplete", "pass": "Passed"}
CLASSIFICATION_LABELS = {"restricted": "Restricted", "sensitive": "Sensitive", "non_sensitive": "Non-sensitive",
                         "unknown": "Unknown"}
REQUESTED_LABELS = {"at_sign_in": "at sign-in", "incremental": "incrementally"}


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
    unplaced: tuple[tuple[str, tuple[FlowStep, ...]], ...]
    not_stated: tuple[str, ...]


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
                ("human access", inventory.human_access))

    def involving(steps: tuple[FlowStep, ...] | None, ident: str) -> tuple[FlowStep, ...]:
        return tuple(step for step in steps or () if ident in step.data)

    rows = tuple(FlowRow(data, involving(inventory.storage, data.name), involving(inventory.transfers, data.name),
                         involving(inventory.human_access, data.name))
                 for data in inventory.data or ())
    # Without data elements to hang them on, storage, transfers and access are listed alone.
    unplaced = () if rows else tuple((title.capitalize(), steps) for title, steps in sections if steps)
    not_stated = tuple(title for title, steps in (("data", inventory.data), *sections) if steps is None)
    return rows, unplaced, not_stated


def manifest_view(index: int, result: ManifestResult, t: Any = None) -> ManifestView:
    counts = dict.fromkeys(STATUSES, 0)
    failed = dict.fromkeys(SEVERITIES, 0)
    for finding in result.findings:
        counts[finding.status] += 1
        if finding.status == "fail":
            failed[finding.severity] += 1
    anchor = f"manifest-{index}"
    rows, unplaced, not_stated = _flow(result)
    return ManifestView(anchor, result, counts, failed, _outcome(counts), _verdict(counts, failed, t),
                        _categories(anchor, result.findings, t), rows, unplaced, not_stated)


def _asset(environment: Any, name: str) -> str:
    """A style sheet or script from the templates folder, verbatim (not a template)."""
    source, _, _ = environment.loader.get_source(environment, name)
    return source.strip()


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    import markupsafe

    from auditor.reporters.templating import html_environment

    environment = html_environment()
    environment.tests.setdefault("web_link", _is_web_link)
    from auditor.rules.i18n import evidence_notes, report_language, waiver_note_text, waiver_text

    # Every fixed string comes from the report's language catalog (reports/i18n).
    t = report_language(report)
    views = [manifest_view(index, result, t) for index, result in enumerate(report.materialize(), 1)]
    summary = report.summary
    css = _asset(environment, "report.css")
    js = _asset(environment, "report.js")
    csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
           "base-uri 'none'; form-action 'none'")
    counts = summary.counts
    outcome = _outcome(counts)
    verdict = _verdict(counts, summary.fail_by_severity, t)
    template = environment.get_template("report.html.j2")
    for chunk in template.generate(
        version=report.tool_version,
        as_of=report.as_of,
        packs=report.packs,
        summary=summary,
        outcome=outcome,
        verdict=verdict,
        verdict_short=t("html.verdict_short", len(views), fail=t.number(counts["fail"]),
                        incomplete=t.number(counts["incomplete"])),
        t=t,
        evidence_notes=evidence_notes,
        waiver_text=waiver_text,
        manifests=views,
        waiver_notes=report.waiver_notes(),
        waiver_note_text=lambda note: waiver_note_text(note, t),
        # A ``wsaudit diff`` report names the two sides it compared.
        comparison=getattr(report, "diff", None),
        domain_inventory=getattr(report, "domain_inventory", None),
        code_scan=getattr(report, "code_scan", None),
        severities=SEVERITIES,
        statuses=STATUSES,
        severity_labels=_labels(t, "severity_labels"),
        status_labels=_labels(t, "status_labels"),
        outcome_labels={status: label for status, label in _labels(t, "status_labels").items()
                        if status in OUTCOME_LABELS},
        classification_labels=_labels(t, "classification_labels"),
        requested_labels=_labels(t, "requested_labels"),
        csp=csp,
        css=markupsafe.Markup(css),
        js=markupsafe.Markup(js),
    ):
        out.write(chunk)
    out.write("\n")  # the environment drops the template's final line break
