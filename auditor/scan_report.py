"""Text and JSON renderings of a scope-drift scan (``wsaudit scan-code``)."""

from __future__ import annotations

import json
from typing import Any

from auditor.scan_code import DeclaredScope, ScanReport, ScopeUse
from auditor.text_safety import printable

SCAN_REPORT_VERSION = 1
FORMATS = ("text", "json")


def _classification(report: ScanReport, scope: str) -> str | None:
    return report.catalog.classify(scope)


def _describe(report: ScanReport, scope: str) -> str:
    classification = _classification(report, scope)
    if classification is None:
        return f"{scope} (not in the scope catalog)"
    return f"{scope} ({classification.replace('_', '-')})"


def undeclared_message(report: ScanReport, use: ScopeUse) -> str:
    written = "" if use.written == use.scope else f" as {use.written}"
    return f"{_describe(report, use.scope)} is used here{written} but not declared in {report.manifest}"


def unused_message(report: ScanReport, item: DeclaredScope) -> str:
    return f"{_describe(report, item.scope)} is declared but never seen in the scanned code"


def render_text(report: ScanReport) -> str:
    """One ``path:line:col: status: message`` line per finding, then a summary line."""
    # File names and the code's own spelling of a scope are outside text: printable keeps
    # each finding on one line and no control character of theirs reaches the terminal.
    lines = [f"{printable(use.path)}:{use.line}:{use.column}: fail: {printable(undeclared_message(report, use))}"
             for use in report.undeclared]
    lines += [f"{printable(report.manifest)}:{item.line}:{item.column}: info: {printable(unused_message(report, item))}"
              for item in report.unused]
    lines += [f"{printable(skipped.path)}: note: not scanned, {printable(skipped.reason)}" for skipped in report.skipped]
    scopes = {use.scope for use in report.uses}
    undeclared = {use.scope for use in report.undeclared}
    lines.append(
        f"scanned {report.files_scanned} file(s): {len(report.uses)} use(s) of {len(scopes)} scope(s); "
        f"{len(undeclared)} undeclared, {len(report.unused)} declared but unused"
        + (f", {len(report.skipped)} file(s) skipped" if report.skipped else "")
    )
    return "\n".join(lines) + "\n"


def _use_record(report: ScanReport, use: ScopeUse, declared: set[str]) -> dict[str, Any]:
    return {"scope": use.scope, "classification": _classification(report, use.scope), "path": use.path,
            "line": use.line, "column": use.column, "form": use.form, "written": use.written,
            "declared": use.scope in declared}


def render_json(report: ScanReport, tool_version: str) -> str:
    """The scan as one deterministic JSON document (sorted keys, no timestamps)."""
    declared = {item.scope for item in report.declared}
    findings: list[dict[str, Any]] = []
    for use in report.undeclared:
        findings.append({"status": "fail", "kind": "undeclared_scope", **_use_record(report, use, declared),
                         "message": undeclared_message(report, use)})
    for item in report.unused:
        findings.append({"status": "info", "kind": "unused_scope", "scope": item.scope,
                         "classification": _classification(report, item.scope), "path": report.manifest,
                         "pointer": item.pointer, "line": item.line, "column": item.column,
                         "message": unused_message(report, item)})
    counts: dict[str, int] = {}
    for use in report.uses:
        counts[use.scope] = counts.get(use.scope, 0) + 1
    scopes = [{"scope": scope, "classification": _classification(report, scope), "declared": scope in declared,
               "uses": counts.get(scope, 0)} for scope in sorted(set(counts) | declared)]
    document = {
        "scan_report_version": SCAN_REPORT_VERSION,
        "tool": {"name": "wsaudit", "version": tool_version},
        "manifest": report.manifest,
        "paths": list(report.paths),
        "files_scanned": report.files_scanned,
        "skipped": [{"path": item.path, "reason": item.reason} for item in report.skipped],
        "findings": findings,
        "scopes": scopes,
        "uses": [_use_record(report, use, declared) for use in report.uses],
        "summary": {"fail": len(report.undeclared), "info": len(report.unused), "uses": len(report.uses),
                    "undeclared_scopes": len({use.scope for use in report.undeclared})},
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
