"""Text and JSON renderings of a scope-drift scan (``wsaudit scan-code``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from auditor.findings import SEVERITY_RANK, Citation, Finding, Summary
from auditor.scan_code import DeclaredScope, ScanReport, ScopeUse
from auditor.text_safety import json_safe, printable

if TYPE_CHECKING:
    from auditor.scan.calls import UnresolvedCall
    from auditor.scan.least import Broader, CallNeed

REPORT_VERSION = 1
FORMATS = ("text", "json")
_RANK = {"non_sensitive": 0, "sensitive": 1, "restricted": 2}


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


def _short(scope: str) -> str:
    from auditor.scope_names import short_scope

    return short_scope(scope)


def _scopes_text(report: ScanReport, scopes: Iterable[str]) -> str:
    return ", ".join(_describe(report, scope) for scope in scopes)


def unauthorized_message(report: ScanReport, need: CallNeed) -> str:
    options = sorted(need.options, key=lambda scope: (_RANK.get(report.catalog.classify(scope) or "", 3), scope))
    return (f"{need.call.method} is called here but no scope declared in {report.manifest} authorizes it; "
            f"any one of these would: {', '.join(_short(scope) for scope in options)}")


def broader_message(report: ScanReport, item: Broader) -> str:
    methods = sorted({call.method for call in item.calls})
    text = (f"{_describe(report, item.scope)} is broader than the calls it serves need: "
            f"{_scopes_text(report, item.instead)} would suffice for {', '.join(methods)}")
    if item.caveats:
        text += "; but " + "; ".join(f"{_short(c.scope)} reaches {c.cost}" for c in item.caveats)
    return text


def unresolved_message(item: UnresolvedCall) -> str:
    return f"{item.written} looks like a Google API call but was not matched: {item.reason}"


def _failed(report: ScanReport, fail_on: str) -> list[tuple[str, int, int, str, str, str]]:
    """Every finding as (path, line, column, status, severity, message), in report order."""
    rows = [(use.path, use.line, use.column, "fail", "high", undeclared_message(report, use))
            for use in report.undeclared]
    least = report.least
    if least is not None:
        rows += [(need.call.path, need.call.line, need.call.column, "fail", "high", unauthorized_message(report, need))
                 for need in least.unauthorized]
        positions = {item.scope: item for item in report.declared}
        rows += [(report.manifest, positions[item.scope].line, positions[item.scope].column, "fail", "medium",
                  broader_message(report, item)) for item in least.broader]
    rows += [(report.manifest, item.line, item.column, "fail", "info", unused_message(report, item))
             for item in report.unused]
    rows += [(item.path, item.line, item.column, "incomplete", "low", unresolved_message(item))
             for item in report.unresolved]
    return rows


def failed(report: ScanReport, fail_on: str = "high") -> bool:
    """Whether the scan fails at ``fail_on``: a failing finding of that severity or above."""
    if fail_on == "never":
        return False
    threshold = SEVERITY_RANK[fail_on]
    return any(status == "fail" and SEVERITY_RANK[severity] <= threshold
               for _, _, _, status, severity, _ in _failed(report, fail_on))


def render_text(report: ScanReport) -> str:
    """One ``path:line:col: status: message`` line per finding, then a summary line."""
    # File names and the code's own spelling of a scope are outside text: printable keeps
    # each finding on one line and no control character of theirs reaches the terminal.
    lines = []
    for path, line, column, status, severity, message in _failed(report, "high"):
        word = "info" if severity == "info" else status
        lines.append(f"{printable(path)}:{line}:{column}: {word}: {printable(message)}")
    lines += [f"{printable(skipped.path)}: note: not scanned, {printable(skipped.reason)}" for skipped in report.skipped]
    scopes = {use.scope for use in report.uses}
    undeclared = {use.scope for use in report.undeclared}
    summary = (
        f"scanned {report.files_scanned} file(s): {len(report.uses)} use(s) of {len(scopes)} scope(s); "
        f"{len(undeclared)} undeclared, {len(report.unused)} declared but unused"
        + (f", {len(report.skipped)} file(s) skipped" if report.skipped else "")
    )
    if report.calls or report.unresolved:
        least = report.least
        summary += (f"; {len(report.calls)} API call(s), {len(least.unauthorized) if least else 0} unauthorized, "
                    f"{len(least.broader) if least else 0} declared scope(s) broader than needed, "
                    f"{len(report.unresolved)} unresolved")
        if least is not None:
            summary += "; least privilege: " + (", ".join(_short(scope) for scope in least.needed.scopes) or "none")
            if not least.needed.exact:
                summary += " (approximate: too many calls for an exact search)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _use_record(report: ScanReport, use: ScopeUse, declared: set[str]) -> dict[str, Any]:
    return {"scope": use.scope, "classification": _classification(report, use.scope), "path": use.path,
            "line": use.line, "column": use.column, "form": use.form, "written": use.written,
            "declared": use.scope in declared}


_POLICY = "Workspace API User Data and Developer Policy"
_POLICY_URL = "https://developers.google.com/workspace/workspace-api-user-data-developer-policy"
_MINIMUM = Citation(_POLICY, "Request the minimum relevant permissions",
                    "You may only request access to permissions that are critical to implementing your "
                    "application or service's functionality.", _POLICY_URL)
_RULES = {
    # kind: (rule id, clause, title, remediation)
    "undeclared": ("SCAN-001", None, "Scope used in code is declared",
                   "Declare the scope in the manifest, or stop requesting it in code."),
    "unauthorized": ("SCAN-002", None, "Every API call is authorized by a declared scope",
                     "Declare one of the scopes that authorize the call (the least-privileged one), or remove the call."),
    "broader": ("SCAN-003", "SC-4", "Declared scope is no broader than the calls it serves need",
                "Request the sufficient scopes instead, or state in the manifest why they do not suffice."),
    "unused": ("SCAN-004", "SC-6", "Declared scope is used by the code",
               "Remove the scope from the manifest and the consent screen, or show where the code uses it."),
    "unresolved": ("SCAN-005", None, "Call on a Google client matches an API method",
                   "Check the call; if it is a real API method, the method table may need a refresh."),
}


def _finding(kind: str, severity: str, status: str, path: str, pointer: str, line: int, column: int,
             message: str, key: str) -> Finding:
    import hashlib

    rule_id, clause, title, remediation = _RULES[kind]
    fingerprint = hashlib.sha256("\x1f".join((rule_id, path, key)).encode("utf-8")).hexdigest()[:32]
    return Finding(rule_id, clause, title, severity, "scopes", status, path, pointer, line, column, message,
                   remediation, _MINIMUM, fingerprint)


def scan_findings(report: ScanReport) -> list[Finding]:
    """The scan's findings in the report model's Finding shape (``manifest`` is the file)."""
    findings = [_finding("undeclared", "high", "fail", use.path, "", use.line, use.column,
                         undeclared_message(report, use), use.scope) for use in report.undeclared]
    positions = {item.scope: item for item in report.declared}
    least = report.least
    if least is not None:
        findings += [_finding("unauthorized", "high", "fail", need.call.path, "", need.call.line, need.call.column,
                              unauthorized_message(report, need), need.call.method) for need in least.unauthorized]
        findings += [_finding("broader", "medium", "fail", report.manifest, positions[item.scope].pointer,
                              positions[item.scope].line, positions[item.scope].column, broader_message(report, item),
                              item.scope) for item in least.broader]
    findings += [_finding("unused", "info", "fail", report.manifest, item.pointer, item.line, item.column,
                          unused_message(report, item), item.scope) for item in report.unused]
    findings += [_finding("unresolved", "low", "incomplete", item.path, "", item.line, item.column,
                          unresolved_message(item), item.written) for item in report.unresolved]
    return sorted(findings, key=Finding.sort_key)


def least_privilege_record(report: ScanReport) -> dict[str, Any]:
    """The ``least_privilege`` object of the JSON report (see the command-line contract)."""
    least = report.least
    relative = report.relative_path
    return {
        "calls": [{"file": relative(call.path), "line": call.line, "column": call.column, "api": call.api,
                   "method": call.method, "kind": call.kind} for call in report.calls],
        "needed": sorted(least.needed.scopes) if least else [],
        "exact": least.needed.exact if least else True,
        "broader_than_needed": [
            {"scope": item.scope, "instead": sorted(item.instead),
             "calls": sorted({call.method for call in item.calls}),
             "caveats": [{"scope": c.scope, "cost": c.cost, "source": c.source} for c in item.caveats]}
            for item in (least.broader if least else ())],
        "unauthorized_calls": [
            {"file": relative(need.call.path), "line": need.call.line, "method": need.call.method,
             "any_of": sorted(need.options)} for need in (least.unauthorized if least else ())],
        "unresolved": [{"file": relative(item.path), "line": item.line, "column": item.column, "api": item.api,
                        "written": item.written, "reason": item.reason} for item in report.unresolved],
    }


def render_json(report: ScanReport, tool_version: str, fail_on: str = "high") -> str:
    """The scan as the JSON report of the contract plus ``least_privilege`` (sorted keys, no timestamps)."""
    declared = {item.scope for item in report.declared}
    findings = scan_findings(report)
    summary = Summary()
    summary.add(findings)
    counts: dict[str, int] = {}
    for use in report.uses:
        counts[use.scope] = counts.get(use.scope, 0) + 1
    scopes = [{"scope": scope, "classification": _classification(report, scope), "declared": scope in declared,
               "uses": counts.get(scope, 0)} for scope in sorted(set(counts) | declared)]
    document = {
        "report_version": REPORT_VERSION,
        "tool": {"name": "wsaudit", "version": tool_version},
        "policies": [],
        "manifests": [{"path": report.manifest, "app": report.app}],
        "paths": list(report.paths),
        "files_scanned": report.files_scanned,
        "skipped": [{"path": item.path, "reason": item.reason} for item in report.skipped],
        "findings": [finding.to_json() for finding in findings],
        "scopes": scopes,
        "uses": [_use_record(report, use, declared) for use in report.uses],
        "least_privilege": least_privilege_record(report),
        "summary": summary.to_json(),
    }
    return json_safe(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
