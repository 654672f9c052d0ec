"""Render a :class:`DiffReport` as text, JSON or Markdown (the pull-request comment).

Names, paths, change details and finding messages come from the manifests (and from git):
text output shows their control and bidi characters as escapes (:func:`printable`), JSON
writes them as ``\\u`` escapes, and Markdown makes them inert, mentions included.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.findings import Finding
from auditor.manifest_diff import ESCALATION, REDUCTION, DiffReport, ManifestDiff
from auditor.templating import escape_markdown_html as md_html
from auditor.templating import escape_markdown_text as md
from auditor.text_safety import json_safe, printable

_RISK_MARK = {ESCALATION: "+", REDUCTION: "-"}
_RISK_WORD = {ESCALATION: "escalation", REDUCTION: "reduction"}


def _name(diff: ManifestDiff) -> str:
    return diff.head or diff.base or ""


def _finding_line(finding: Finding) -> str:
    return (f"{printable(finding.manifest)}:{finding.line}:{finding.column}  {finding.severity.upper():<8}  "
            f"{printable(finding.rule_id)}  {printable(finding.message)}")


def render_diff_text(report: DiffReport, fail_on: str) -> str:
    lines: list[str] = []
    for diff in report.manifests:
        if diff.state == "unchanged":
            continue
        lines.append(f"{printable(_name(diff))} ({printable(diff.app)}): {diff.state}")
        for change in diff.changes:
            mark = _RISK_MARK.get(change.risk, "~")
            lines.append(f"  {mark} {printable(change.area)}: {printable(change.subject)}: {printable(change.detail)}")
        for finding in diff.introduced:
            lines.append(f"  introduced  {_finding_line(finding)}")
        for finding in diff.fixed:
            lines.append(f"  fixed       {_finding_line(finding)}")
    lines.append(_verdict(report, fail_on))
    return "\n".join(lines) + "\n"


def _counts(report: DiffReport) -> tuple[int, int, int, int]:
    changed = sum(1 for diff in report.manifests if diff.state != "unchanged")
    escalations = sum(1 for diff in report.manifests for change in diff.changes if change.risk == ESCALATION)
    introduced = sum(len(diff.introduced) for diff in report.manifests)
    fixed = sum(len(diff.fixed) for diff in report.manifests)
    return changed, escalations, introduced, fixed


def _verdict(report: DiffReport, fail_on: str) -> str:
    changed, escalations, introduced, fixed = _counts(report)
    blocking = len(report.introduced_at_or_above(fail_on))
    head = "FAIL" if blocking else "OK"
    return (f"{head}: {changed} of {len(report.manifests)} manifest(s) changed, {escalations} escalation(s), "
            f"{introduced} finding(s) introduced ({blocking} at or above {fail_on}), {fixed} fixed")


def render_diff_json(report: DiffReport, fail_on: str) -> str:
    changed, escalations, introduced, fixed = _counts(report)
    document: dict[str, Any] = {
        "diff_version": 1,
        "base": report.base_label,
        "head": report.head_label,
        "manifests": [
            {
                "base": diff.base, "head": diff.head, "app": diff.app, "state": diff.state,
                "changes": [change.to_json() for change in diff.changes],
                "introduced": [finding.to_json() for finding in diff.introduced],
                "fixed": [finding.to_json() for finding in diff.fixed],
            }
            for diff in report.manifests
        ],
        "summary": {"changed": changed, "escalations": escalations, "introduced": introduced, "fixed": fixed,
                    "blocking": len(report.introduced_at_or_above(fail_on)), "fail_on": fail_on},
    }
    return json_safe(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def render_diff_markdown(report: DiffReport, fail_on: str) -> str:
    changed, escalations, introduced, fixed = _counts(report)
    blocking = len(report.introduced_at_or_above(fail_on))
    icon = ":x:" if blocking else (":warning:" if escalations or introduced else ":white_check_mark:")
    lines = [
        f"### {icon} wsaudit: {blocking} new finding(s) at or above {fail_on}, {escalations} escalation(s)",
        "",
        f"Compared {md(report.base_label)} with {md(report.head_label)}.",
        "",
        "| manifest | state | escalations | introduced | fixed |",
        "|---|---|---|---|---|",
    ]
    for diff in report.manifests:
        if diff.state == "unchanged":
            continue
        ups = sum(1 for change in diff.changes if change.risk == ESCALATION)
        lines.append(f"| {md(_name(diff))} | {diff.state} | {ups} | {len(diff.introduced)} | {len(diff.fixed)} |")
    if not changed:
        lines.append("| (no manifest changed) | | | | |")
    for diff in report.manifests:
        if diff.state == "unchanged":
            continue
        # Inside the HTML of <summary>, Markdown escapes are not read: character references are.
        lines += ["", f"<details><summary>{md_html(_name(diff))} ({md_html(diff.app)})</summary>", ""]
        if diff.changes:
            lines += ["| change | area | subject | detail |", "|---|---|---|---|"]
            for change in diff.changes:
                lines.append(f"| {_RISK_WORD.get(change.risk, 'change')} | {md(change.area)} | {md(change.subject)} "
                             f"| {md(change.detail)} |")
            lines.append("")
        for title, findings in (("Introduced", diff.introduced), ("Fixed", diff.fixed)):
            if findings:
                lines += [f"**{title}**", "", "| severity | rule | line | message |", "|---|---|---|---|"]
                for finding in findings:
                    lines.append(f"| {finding.severity} | {md(finding.rule_id)} | {finding.line} | {md(finding.message)} |")
                lines.append("")
        lines.append("</details>")
    lines += ["", _verdict(report, fail_on)]
    return "\n".join(lines) + "\n"
