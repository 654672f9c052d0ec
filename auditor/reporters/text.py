"""Plain text for a terminal or a CI log: failures first, one line each, then a summary."""

from __future__ import annotations

from functools import cache
from typing import Any, TextIO

from auditor.findings import SEVERITIES, Finding, Report
from auditor.reporters import RenderOptions
from auditor.text_safety import printable

# Paths, app names, messages and waiver text come from outside and pass through printable:
# a control or bidi character in them (an ESC from a YAML "\\e", say) must not drive the
# reader's terminal, nor a line break split a finding in two.
_SEVERITY_COLOR = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}
_STATUS_SHOWN = ("fail", "incomplete", "waived", "baselined")


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _line(finding: Finding, color: bool) -> str:
    severity = _paint(f"{finding.severity.upper():<8}", _SEVERITY_COLOR[finding.severity], color)
    status = "" if finding.status == "fail" else f"[{finding.status}] "
    text = (f"{printable(finding.manifest)}:{finding.line}:{finding.column}  {severity}  {printable(finding.rule_id)}  "
            f"{status}{printable(finding.message)}")
    if finding.waiver is not None:
        waiver = finding.waiver
        text += printable(f" (waived until {waiver.expires} by {waiver.approved_by}: {waiver.reason})")
    return text


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    inventory = getattr(report, "domain_inventory", None)
    if inventory is not None:
        out.write(_inventory_section(inventory))
    diff = getattr(report, "diff", None)
    # Every finding of a comparison is news (a change, an introduced or a fixed finding).
    shown = _STATUS_SHOWN + (("pass",) if options.verbose or diff is not None else ())
    manifests = 0
    for result in report.iter_results():
        manifests += 1
        counts = {status: 0 for status in ("fail", "incomplete", "pass")}
        for finding in result.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        header = f"{printable(result.path)} ({printable(result.app)}): {counts['fail']} failed, {counts['incomplete']} incomplete, {counts['pass']} passed"
        out.write(_paint(header, "1", options.color) + "\n")
        for finding in result.findings:
            if finding.status in shown:
                out.write("  " + _line(finding, options.color) + "\n")
                for note in finding.evidence_notes():
                    out.write("      note: " + printable(note) + "\n")
    for note in report.waiver_notes():
        out.write(f"{printable(note.source)}:{note.line}: warning: {printable(note.rule_id)} for "
                  f"{printable(note.manifest)}: {printable(note.message)}\n")
    summary = report.summary
    failed = ", ".join(f"{summary.fail_by_severity[s]} {s}" for s in SEVERITIES if summary.fail_by_severity[s])
    counts = summary.counts
    line = (f"{manifests} manifest(s): {counts['fail']} failed" + (f" ({failed})" if failed else "")
            + f", {counts['incomplete']} incomplete, {counts['pass']} passed, {counts['waived']} waived")
    if counts["baselined"]:
        line += f", {counts['baselined']} baselined"
    stale = sum(1 for note in report.waiver_notes() if note.kind == "stale_baseline")
    if stale:
        line += f", {stale} stale baseline record(s)"
    out.write(_paint(line, "1", options.color) + "\n")
    if diff is not None:
        out.write(_paint(_diff_verdict(diff, options.fail_on), "1", options.color) + "\n")


def _diff_verdict(diff: Any, fail_on: str) -> str:
    """The comparison's verdict: what changed, and whether the change fails the gate."""
    counts = diff.counts()
    blocking = len(diff.blocking(fail_on))
    return (f"{'FAIL' if blocking else 'OK'}: {counts['changed']} of {counts['manifests']} manifest(s) changed, "
            f"{counts['escalations']} escalation(s), {counts['introduced']} finding(s) introduced, "
            f"{blocking} failing at or above {fail_on}, {counts['fixed']} fixed")


def _inventory_section(inventory: Any) -> str:
    """The live probe's domain inventory (apps, users, what failed), from
    ``reports/templates/inventory.txt.j2``; its drift findings follow as usual."""
    return _text_templates().get_template("inventory.txt.j2").render(inventory=inventory, summary=inventory.summary())


@cache
def _text_templates() -> Any:
    """Plain-text templates: no escaping, but every printed value made printable."""
    import jinja2

    from auditor.resources import templates_dir

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=False,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined,
                              finalize=lambda value: printable(value) if isinstance(value, str) else value)
