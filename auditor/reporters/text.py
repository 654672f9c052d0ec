"""Plain text for a terminal or a CI log: failures first, one line each, then a summary."""

from __future__ import annotations

from typing import TextIO

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
    shown = _STATUS_SHOWN + (("pass",) if options.verbose else ())
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
    out.write(_paint(line, "1", options.color) + "\n")
