"""Plain text for a terminal or a CI log: failures first, one line each, then a summary."""

from __future__ import annotations

from functools import cache
from typing import Any, TextIO

from auditor.model.findings import SEVERITIES, Finding
from auditor.model.report import Report
from auditor.reporters import RenderOptions
from auditor.model.text_safety import printable

# Paths, app names, messages and waiver text come from outside and pass through printable:
# a control or bidi character in them (an ESC from a YAML "\\e", say) must not drive the
# reader's terminal, nor a line break split a finding in two.
_SEVERITY_COLOR = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}
_STATUS_SHOWN = ("fail", "incomplete", "waived", "baselined")


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _line(finding: Finding, options: RenderOptions, t: Any) -> str:
    """One finding: ``path:line:col  SEVERITY  RULE  message``, fitted to the terminal's width.
    A finding that could not be decided shows its severity in lower case: it is not a failure."""
    word = t.word("severity", finding.severity)
    word = word.upper() if finding.status == "fail" else f"({word})"
    status = "" if finding.status in ("fail", "incomplete") else t("text.status_tag",
                                                                   status=t.word("status", finding.status))
    text = (f"  {printable(finding.manifest)}:{finding.line}:{finding.column}  {word:<8}  {printable(finding.rule_id)}  "
            f"{status}{printable(finding.message)}")
    if finding.waiver is not None:
        waiver = finding.waiver
        text += printable(t("text.waived", expires=t.date(waiver.expires), approver=waiver.approved_by,
                            reason=waiver.reason))
    text = _fit(text, options.width, "      ")
    # Colour goes on after fitting, so escape codes never count towards the width.
    return text.replace(f"{word:<8}", _paint(f"{word:<8}", _SEVERITY_COLOR[finding.severity], options.color), 1)


def _fit(text: str, width: int | None, indent: str) -> str:
    """``text`` wrapped to ``width`` columns with a hanging ``indent`` (unchanged with no width)."""
    if width is None or len(text) <= width:
        return text
    import textwrap

    return textwrap.fill(text, width=max(width, 40), subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def _remedy(finding: Finding, options: RenderOptions, t: Any) -> list[str]:
    """Under a failing finding: its clause and what to change; all of it, and the citation,
    with -v (the first sentence otherwise)."""
    remediation = " ".join(printable(finding.remediation).split())
    if not options.verbose:
        first, dot, rest = remediation.partition(". ")
        remediation = first + ("." if dot and not first.endswith(".") else "") + (" …" if rest else "")
    clause = t("text.clause", clause=printable(finding.clause)) if finding.clause else ""
    lines = [_fit(t("text.fix", clause=clause, remediation=remediation), options.width, "        ")]
    citation = finding.citation
    if options.verbose and citation is not None and citation.quote:
        lines.append(_fit(t("text.citation", section=printable(citation.section), quote=printable(citation.quote),
                            url=printable(citation.url or "")).rstrip(), options.width, "        "))
    return lines


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    from auditor.rules.i18n import evidence_notes, report_language, waiver_note_text

    # Every fixed string comes from the report's language catalog (reports/i18n).
    t = report_language(report)
    inventory = getattr(report, "domain_inventory", None)
    if inventory is not None:
        out.write(_inventory_section(inventory, t))
    diff = getattr(report, "diff", None)
    # Every finding of a comparison is news (a change, an introduced or a fixed finding).
    shown = _STATUS_SHOWN + (("pass",) if options.verbose or diff is not None else ())
    manifests = 0
    for result in report.iter_results():
        manifests += 1
        counts = {status: 0 for status in ("fail", "incomplete", "pass")}
        for finding in result.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        header = t("text.header", path=printable(result.path), app=printable(result.app), fail=counts["fail"],
                   incomplete=counts["incomplete"], passed=counts["pass"])
        if not options.quiet:
            out.write(_paint(_fit(header, options.width, "    "), "1", options.color) + "\n")
        undecided_said = False
        for finding in result.findings:
            if options.quiet and not (finding.status == "fail" or (options.strict and finding.status == "incomplete")):
                continue
            if finding.status in shown:
                if finding.status == "incomplete" and not undecided_said and not options.quiet:
                    out.write(t("text.undecided_strict" if options.strict else "text.undecided") + "\n")
                    undecided_said = True
                out.write(_line(finding, options, t) + "\n")
                if finding.status == "fail" and diff is None:
                    out.write("".join(line + "\n" for line in _remedy(finding, options, t)))
                for note in evidence_notes(finding, t):
                    out.write(_fit(t("text.note") + printable(note), options.width, "        ") + "\n")
    if options.quiet:
        return
    for note in report.waiver_notes():
        out.write(_fit(t("text.waiver_warning", source=printable(note.source), line=note.line,
                         rule=printable(note.rule_id), manifest=printable(note.manifest),
                         message=printable(waiver_note_text(note, t))), options.width, "    ") + "\n")
    code_scan = getattr(report, "code_scan", None)
    if code_scan is not None:
        out.write(_scan_section(code_scan, t))
    summary = report.summary
    failed = ", ".join(t("text.failed_severity", count=summary.fail_by_severity[s], severity=t.word("severity", s))
                       for s in SEVERITIES if summary.fail_by_severity[s])
    counts = summary.counts
    line = t("text.summary", manifests=manifests, fail=counts["fail"],
             by_severity=t("text.by_severity", list=failed) if failed else "", incomplete=counts["incomplete"],
             passed=counts["pass"], waived=counts["waived"])
    if counts["baselined"]:
        line += t("text.baselined", count=counts["baselined"])
    stale = sum(1 for note in report.waiver_notes() if note.kind == "stale_baseline")
    if stale:
        line += t("text.stale_baseline", count=stale)
    if counts["incomplete"] and not options.strict and options.fail_on != "never":
        line += t("text.strict_hint")
    out.write(_paint(_fit(line, options.width, "    "), "1", options.color) + "\n")
    if diff is not None:
        out.write(_paint(diff_verdict(diff, options.fail_on, t), "1", options.color) + "\n")


def diff_verdict(diff: Any, fail_on: str, t: Any) -> str:
    """The comparison's verdict in ``t``'s language: what changed, and whether the change
    fails the gate (the text report's last line, and the pull-request comment's)."""
    counts = diff.counts()
    blocking = len(diff.blocking(fail_on))
    return t("diff.verdict", outcome=t("diff.outcome_fail" if blocking else "diff.outcome_ok"),
             changed=t.number(counts["changed"]), manifests=t.number(counts["manifests"]),
             escalations=t.number(counts["escalations"]), introduced=t.number(counts["introduced"]),
             blocking=t.number(blocking), fail_on=gate_word(fail_on, t), fixed=t.number(counts["fixed"]))


def gate_word(fail_on: str, t: Any) -> str:
    """``--fail-on``'s value as the report's language names it (a severity, or never)."""
    return t("diff.never") if fail_on == "never" else t.word("severity", fail_on)


def _inventory_section(inventory: Any, t: Any) -> str:
    """The live probe's domain inventory (apps, users, what failed), from
    ``reports/templates/inventory.txt.j2`` in ``t``'s language; its drift findings follow as usual."""
    return _text_templates().get_template("inventory.txt.j2").render(inventory=inventory, summary=inventory.summary(),
                                                                     t=t)


def _scan_section(code_scan: Any, t: Any) -> str:
    """What ``wsaudit scan-code`` found beyond its findings (counts, least privilege), from
    ``reports/templates/report.scan.txt.j2``, in ``t``'s language."""
    return _text_templates().get_template("report.scan.txt.j2").render(scan=code_scan, t=t)


@cache
def _text_templates() -> Any:
    """Plain-text templates: no escaping, but every printed value made printable."""
    import jinja2

    from auditor.reporters.template_cache import bytecode_cache
    from auditor.resources import templates_dir

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=False,
                              bytecode_cache=bytecode_cache("text"),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined,
                              finalize=lambda value: printable(value) if isinstance(value, str) else value)
