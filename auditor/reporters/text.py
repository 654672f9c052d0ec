"""Plain text for a terminal or a CI log: failures first, one line each, then a summary."""

from __future__ import annotations

from typing import TextIO

from auditor.findings import SEVERITIES, Finding, Report
from auditor.reporters import RenderOptions

_SEVERITY_COLOR = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}
_STATUS_SHOWN = ("fail", "incomplete", "waived", "baselined")
# Manifest values reach messages verbatim; control characters (an ESC from a YAML "\\e",
# say) must not drive the reader's terminal.
_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _line(finding: Finding, color: bool) -> str:
    severity = _paint(f"{finding.severity.upper():<8}", _SEVERITY_COLOR[finding.severity], color)
    status = "" if finding.status == "fail" else f"[{finding.status}] "
    text = f"{finding.manifest}:{finding.line}:{finding.column}  {severity}  {finding.rule_id}  {status}{_printable(finding.message)}"
    if finding.waiver is not None:
        waiver = finding.waiver
        text += _printable(f" (waived until {waiver.expires} by {waiver.approved_by}: {waiver.reason})")
    return text


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    shown = _STATUS_SHOWN + (("pass",) if options.verbose else ())
    manifests = 0
    for result in report.iter_results():
        manifests += 1
        counts = {status: 0 for status in ("fail", "incomplete", "pass")}
        for finding in result.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        header = f"{result.path} ({_printable(result.app)}): {counts['fail']} failed, {counts['incomplete']} incomplete, {counts['pass']} passed"
        out.write(_paint(header, "1", options.color) + "\n")
        for finding in result.findings:
            if finding.status in shown:
                out.write("  " + _line(finding, options.color) + "\n")
    for note in report.waiver_notes():
        out.write(f"{note.source}:{note.line}: warning: {note.rule_id} for {note.manifest}: {note.message}\n")
    summary = report.summary
    failed = ", ".join(f"{summary.fail_by_severity[s]} {s}" for s in SEVERITIES if summary.fail_by_severity[s])
    counts = summary.counts
    line = (f"{manifests} manifest(s): {counts['fail']} failed" + (f" ({failed})" if failed else "")
            + f", {counts['incomplete']} incomplete, {counts['pass']} passed, {counts['waived']} waived")
    if counts["baselined"]:
        line += f", {counts['baselined']} baselined"
    out.write(_paint(line, "1", options.color) + "\n")
