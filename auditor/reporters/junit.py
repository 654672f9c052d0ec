"""JUnit XML for CI servers: a test suite per manifest, a test case per rule applied.

A rule applies to a manifest when it produced at least one finding there (one per element
it judged). Its test case takes the worst status among those findings:

- any ``fail``: a ``<failure>`` (type = the severity) whose text lists every failed element
  with its ``path:line:column``;
- else any ``incomplete``: ``<skipped>``, the message saying what the manifest leaves out
  (the rule could not decide; ``--strict`` is what makes these fail the run);
- else any ``waived`` or ``baselined``: ``<skipped>``, with the waiver's reason, approver
  and expiry, or a note that the baseline accepts it;
- else (every element passed): a plain, passing test case.

Counts on ``<testsuite>`` and ``<testsuites>`` follow: ``tests`` rules applied, ``failures``
and ``skipped`` test cases, ``errors`` always 0 (a manifest that cannot be read is reported
on standard error and exits 2, not rendered here). Times are 0 so output is reproducible.
"""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from typing import Any, Iterable, TextIO
from xml.sax.saxutils import escape, quoteattr

from auditor.model.findings import SEVERITY_RANK, Finding
from auditor.model.report import ManifestResult, Report
from auditor.reporters import RenderOptions

# XML 1.0 forbids most control characters even as character references; a manifest value
# may still hold one (a YAML "\e"), so it is shown the way the text report shows it.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _FORBIDDEN.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _attr(value: object) -> str:
    # quoteattr keeps tabs and line breaks as character references, so they survive parsing.
    return quoteattr(_clean(str(value)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


# A rule's test-case name and a manifest's path recur from test case to test case: each is
# quoted once (the quoting is pure Python).
_recurring_attr = lru_cache(maxsize=4096)(_attr)


def _text(value: str) -> str:
    return escape(_clean(value))


def _where(finding: Finding) -> str:
    return f"{finding.manifest}:{finding.line}:{finding.column}"


def _with_notes(finding: Finding, t: Any) -> str:
    """The message with the evidence notes in brackets, for one-line attributes."""
    from auditor.rules.i18n import evidence_notes

    return finding.message + "".join(t("junit.bracket_note", note=note) for note in evidence_notes(finding, t))


def _testcase(rule_findings: list[Finding], t: Any) -> tuple[str, str]:
    """The XML of one test case and its outcome: ``passed``, ``failed`` or ``skipped``."""
    first = rule_findings[0]
    failed = [f for f in rule_findings if f.status == "fail"]
    # The line of the first element that failed, else of the first element judged.
    line = min(f.line for f in (failed or rule_findings))
    manifest = _recurring_attr(first.manifest)
    head = (f"    <testcase name={_recurring_attr(f'{first.rule_id} {first.title}')} classname={manifest} "
            f"file={manifest} line=\"{line}\" time=\"0\"")
    if failed:
        failed.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.line, f.column, f.pointer))
        worst = failed[0]
        from auditor.rules.i18n import evidence_notes

        message = worst.message if len(failed) == 1 else t("junit.elements_fail", len(failed), message=worst.message)
        lines = []
        for f in failed:
            lines.append(f"{_where(f)} {t.word('severity', f.severity)} {f.pointer}{t('colon')} {f.message}")
            lines.extend(t("junit.note", note=note) for note in evidence_notes(f, t))
        lines.append(t("junit.remediation", remediation=worst.remediation))
        lines.append(t("junit.policy", policy=worst.citation.policy, section=worst.citation.section,
                       quote=worst.citation.quote))
        body = (f"      <failure message={_attr(message)} type={_attr(worst.severity)}>"
                f"{_text(chr(10).join(lines))}</failure>\n")
        return f"{head}>\n{body}    </testcase>\n", "failed"
    incomplete = [f for f in rule_findings if f.status == "incomplete"]
    if incomplete:
        message = t("junit.incomplete") + t("junit.separator").join(_with_notes(f, t) for f in incomplete)
        return f"{head}>\n      <skipped message={_attr(message)}/>\n    </testcase>\n", "skipped"
    accepted = [f for f in rule_findings if f.status in ("waived", "baselined")]
    if accepted:
        reasons = []
        for finding in accepted:
            if finding.status == "waived" and finding.waiver is not None:
                from auditor.rules.i18n import waiver_text

                reasons.append(waiver_text(finding.waiver, t))
            else:
                reasons.append(t("junit.accepted", status=t.word("status", finding.status), message=_with_notes(finding, t)))
        return (f"{head}>\n      <skipped message={_attr(t('junit.separator').join(reasons))}/>\n    </testcase>\n",
                "skipped")
    return f"{head}/>\n", "passed"


def _by_rule(findings: Iterable[Finding]) -> list[list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    return [groups[rule_id] for rule_id in sorted(groups)]


def _testsuite(result: ManifestResult, counts: dict[str, int], t: Any) -> str:
    cases, outcomes = [], {"passed": 0, "failed": 0, "skipped": 0}
    for rule_findings in _by_rule(result.findings):
        xml, outcome = _testcase(rule_findings, t)
        cases.append(xml)
        outcomes[outcome] += 1
    tests = len(cases)
    counts["tests"] += tests
    counts["failures"] += outcomes["failed"]
    counts["skipped"] += outcomes["skipped"]
    head = (f"  <testsuite name={_attr(result.path)} tests=\"{tests}\" failures=\"{outcomes['failed']}\" "
            f"errors=\"0\" skipped=\"{outcomes['skipped']}\" time=\"0\">\n"
            f"    <properties>\n"
            f"      <property name=\"app\" value={_attr(result.app)}/>\n"
            f"    </properties>\n")
    return head + "".join(cases) + "  </testsuite>\n"


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    from auditor.rules.i18n import report_language

    t = report_language(report)
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    # The totals on <testsuites> are known only after the last suite; suites wait in a
    # spooled file so that a large batch does not have to fit in memory.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8", newline="\n") as body:
        for result in report.iter_results():
            body.write(_testsuite(result, counts, t))
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f"<testsuites name=\"wsaudit\" tests=\"{counts['tests']}\" failures=\"{counts['failures']}\" "
                  f"errors=\"0\" skipped=\"{counts['skipped']}\" time=\"0\">\n")
        body.seek(0)
        while chunk := body.read(1 << 16):
            out.write(chunk)
        out.write("</testsuites>\n")
