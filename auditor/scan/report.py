"""A scope-drift scan (``wsaudit scan-code``) as the report model every format renders.

The scan's findings take the :class:`~auditor.model.findings.Finding` shape: a finding about code
points into the source file (its ``manifest`` field is the file's path relative to the
scanned folder, with ``/`` separators, as ``least_privilege.calls[].file`` is), one about a
declared scope into the manifest. :func:`scan_report` groups them into one result per file
(the manifest's first) and attaches a :class:`CodeScanSummary`: the JSON report's extra
top-level keys (``least_privilege``, ``uses``, ``scopes``, …) and the least-privilege
section that text, Markdown and HTML show from ``reports/templates/report.scan.*.j2``.

The rules' titles, remediation and citation, and the messages around the values, are the
report catalog's (``reports/i18n/<lang>.yaml``, group ``scan``), so a scan reported in French
says everything in French; the values (scopes, methods, paths) are the scan's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from auditor.model.findings import Citation, Finding, RuleInfo, Severity, Status
from auditor.model.report import ManifestResult, Report
from auditor.rules.i18n import ReportText, report_text, worded
from auditor.scan.drift import DeclaredScope, ScanReport
from auditor.scan.scope_recognition import ScopeUse
from auditor.scan.evidence import caveat_phrase

if TYPE_CHECKING:
    from auditor.scan.calls import UnresolvedCall
    from auditor.scan.least import Broader, CallNeed

_RANK = {"non_sensitive": 0, "sensitive": 1, "restricted": 2}


def _classification(report: ScanReport, scope: str) -> str | None:
    return report.catalog.classify(scope)


def _describe(report: ScanReport, scope: str, t: ReportText) -> str:
    classification = _classification(report, scope)
    if classification is None:
        return t("scan.messages.described_unknown", scope=scope)
    return t("scan.messages.described", scope=scope,
             classification=t.word("scan.classification", classification.replace("_", "-")))


def undeclared_message(report: ScanReport, use: ScopeUse, t: ReportText) -> str:
    if use.written == use.scope:
        return t("scan.messages.undeclared", scope=_describe(report, use.scope, t), manifest=report.manifest)
    return t("scan.messages.undeclared_as", scope=_describe(report, use.scope, t), written=use.written,
             manifest=report.manifest)


def unused_message(report: ScanReport, item: DeclaredScope, t: ReportText) -> str:
    return t("scan.messages.unused", scope=_describe(report, item.scope, t))


def _short(scope: str) -> str:
    from auditor.catalog.scope_names import short_scope

    return short_scope(scope)


def _scopes_text(report: ScanReport, scopes: Iterable[str], t: ReportText) -> str:
    return ", ".join(_describe(report, scope, t) for scope in scopes)


def unauthorized_message(report: ScanReport, need: CallNeed, t: ReportText) -> str:
    options = sorted(need.options, key=lambda scope: (_RANK.get(report.catalog.classify(scope) or "", 3), scope))
    return t("scan.messages.unauthorized", method=need.call.method, manifest=report.manifest,
             options=", ".join(_short(scope) for scope in options))


def broader_message(report: ScanReport, item: Broader, t: ReportText) -> str:
    values = {"scope": _describe(report, item.scope, t), "instead": _scopes_text(report, item.instead, t),
              "methods": ", ".join(sorted({call.method for call in item.calls}))}
    if item.caveats:
        caveats = t("engine.separator").join(caveat_phrase(caveat).worded(t) for caveat in item.caveats)
        return t("scan.messages.broader_caveats", caveats=caveats, **values)
    return t("scan.messages.broader", **values)


def unresolved_message(item: UnresolvedCall, t: ReportText) -> str:
    return t("scan.messages.unresolved", written=item.written, reason=worded(item.reason, t))


def _use_record(report: ScanReport, use: ScopeUse, declared: set[str]) -> dict[str, Any]:
    return {"scope": use.scope, "classification": _classification(report, use.scope), "path": use.path,
            "line": use.line, "column": use.column, "form": use.form, "written": use.written,
            "declared": use.scope in declared}


_POLICY = "Workspace API User Data and Developer Policy"
_POLICY_URL = "https://developers.google.com/workspace/workspace-api-user-data-developer-policy"

# The code scan's rules by the kind of thing found: id, clause and severity; their words are
# the report catalog's (scan.rules.<kind>).
RULE_KINDS = {
    "undeclared": ("SCAN-001", None, "high"),
    "unauthorized": ("SCAN-002", None, "high"),
    "broader": ("SCAN-003", "SC-4", "medium"),
    "unused": ("SCAN-004", "SC-6", "info"),
    "unresolved": ("SCAN-005", None, "low"),
}


def scan_rules(t: ReportText) -> dict[str, RuleInfo]:
    """The code scan's rules by kind, worded in ``t``'s language."""
    citation = Citation(_POLICY, t("scan.citation.section"), t("scan.citation.quote"), _POLICY_URL)
    return {kind: RuleInfo(rule_id, clause, t(f"scan.rules.{kind}.title"), Severity(severity), "scopes",
                           t(f"scan.rules.{kind}.remediation"), citation)
            for kind, (rule_id, clause, severity) in RULE_KINDS.items()}


def _finding(rules: dict[str, RuleInfo], kind: str, status: str, path: str, pointer: str, line: int, column: int,
             message: str, key: str) -> Finding:
    import hashlib

    rule = rules[kind]
    fingerprint = hashlib.sha256("\x1f".join((rule.id, path, key)).encode("utf-8")).hexdigest()[:32]
    return Finding(rule, Status(status), path, pointer, line, column, message, fingerprint)


def scan_findings(report: ScanReport, lang: str = "en") -> list[Finding]:
    """The scan's findings in the report model's Finding shape: ``manifest`` is the source
    file relative to the scanned folder for a finding about code, the manifest for one about
    a declared scope; worded in ``lang``."""
    t = report_text(lang)
    rules = scan_rules(t)
    relative = report.relative_path
    findings = [_finding(rules, "undeclared", "fail", relative(use.path), "", use.line, use.column,
                         undeclared_message(report, use, t), use.scope) for use in report.undeclared]
    positions = {item.scope: item for item in report.declared}
    least = report.least
    if least is not None:
        findings += [_finding(rules, "unauthorized", "fail", relative(need.call.path), "", need.call.line,
                              need.call.column, unauthorized_message(report, need, t), need.call.method)
                     for need in least.unauthorized]
        findings += [_finding(rules, "broader", "fail", report.manifest, positions[item.scope].pointer,
                              positions[item.scope].line, positions[item.scope].column,
                              broader_message(report, item, t), item.scope) for item in least.broader]
    findings += [_finding(rules, "unused", "fail", report.manifest, item.pointer, item.line, item.column,
                          unused_message(report, item, t), item.scope) for item in report.unused]
    findings += [_finding(rules, "unresolved", "incomplete", relative(item.path), "", item.line, item.column,
                          unresolved_message(item, t), item.written) for item in report.unresolved]
    return sorted(findings, key=Finding.sort_key)


def least_privilege_record(report: ScanReport) -> dict[str, Any]:
    """The ``least_privilege`` object of the JSON report (see the command-line contract)."""
    least = report.least
    relative = report.relative_path
    excluded = {need.call: need.excluded for need in least.needs} if least else {}
    return {
        "calls": [{"file": relative(call.path), "line": call.line, "column": call.column, "api": call.api,
                   "method": call.method, "kind": call.kind,
                   "ruled_out": [{"scope": item.scope, "reason": str(item.reason)}
                                 for item in sorted(excluded.get(call, ()), key=lambda item: item.scope)]}
                  for call in report.calls],
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


# ---------------------------------------------------------------------------- report model


@dataclass(frozen=True)
class NeededScope:
    """A scope of the least-privileged set, with the calls it is chosen for."""

    scope: str
    short: str
    classification: str
    declared: bool
    calls: tuple[str, ...]


@dataclass(frozen=True)
class BroaderScope:
    """A declared scope broader than the calls it serves need, and what would suffice."""

    scope: str
    short: str
    classification: str
    instead: tuple[str, ...]
    calls: tuple[str, ...]
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class RuledOutScope:
    """Scopes cheaper than the chosen one that some calls rule out (short names), why, and
    those calls."""

    scopes: tuple[str, ...]
    reason: str
    calls: tuple[str, ...]


@dataclass(frozen=True)
class CodeScanSummary:
    """What a scan found beyond its findings: counts, the least-privileged scopes, and the
    JSON report's extra top-level keys (:meth:`to_json`)."""

    paths: tuple[str, ...]
    files_scanned: int
    skipped: tuple[tuple[str, str], ...]
    uses: int
    scopes_seen: int
    undeclared: int
    unused: int
    calls: int
    unauthorized: int
    unresolved: int
    needed: tuple[NeededScope, ...]
    exact: bool
    broader: tuple[BroaderScope, ...]
    ruled_out: tuple[RuledOutScope, ...]
    document: dict[str, Any] = field(repr=False, compare=False)

    @property
    def has_calls(self) -> bool:
        return bool(self.calls or self.unresolved)

    def to_json(self) -> dict[str, Any]:
        return self.document


def _label(report: ScanReport, scope: str) -> str:
    return (_classification(report, scope) or "unknown").replace("_", "-")


def _place(report: ScanReport, call: Any) -> str:
    return f"{call.method} ({report.relative_path(call.path)}:{call.line})"


def code_scan_summary(report: ScanReport, lang: str = "en") -> CodeScanSummary:
    """The summary of ``report`` that the report formats show (see :class:`CodeScanSummary`);
    its words (what a narrower scope gives up, why a file was not scanned) in ``lang``, the
    JSON document's in English."""
    t = report_text(lang)
    declared = {item.scope for item in report.declared}
    least = report.least
    needed: list[NeededScope] = []
    broader: list[BroaderScope] = []
    ruled_out: list[RuledOutScope] = []
    if least is not None:
        chosen = set(least.needed.scopes)
        for scope in least.needed.scopes:
            calls = [_place(report, need.call) for need in least.needs
                     if scope in need.options and sorted(need.options & chosen)[0] == scope]
            needed.append(NeededScope(scope, _short(scope), _label(report, scope), scope in declared, tuple(calls)))
        for item in least.broader:
            broader.append(BroaderScope(item.scope, _short(item.scope), _label(report, item.scope),
                                        tuple(_short(scope) for scope in item.instead),
                                        tuple(_place(report, call) for call in item.calls),
                                        tuple(caveat_phrase(c).worded(t) for c in item.caveats)))
        ruled_out = [RuledOutScope(tuple(_short(scope) for scope in item.scopes), item.reason.worded(t),
                                   tuple(_place(report, call) for call in item.calls)) for item in least.ruled_out]
    counts: dict[str, int] = {}
    for use in report.uses:
        counts[use.scope] = counts.get(use.scope, 0) + 1
    document = {
        "paths": list(report.paths),
        "files_scanned": report.files_scanned,
        "skipped": [{"path": item.path, "reason": item.reason} for item in report.skipped],
        "scopes": [{"scope": scope, "classification": _classification(report, scope), "declared": scope in declared,
                    "uses": counts.get(scope, 0)} for scope in sorted(set(counts) | declared)],
        "uses": [_use_record(report, use, declared) for use in report.uses],
        "least_privilege": least_privilege_record(report),
    }
    return CodeScanSummary(
        paths=report.paths, files_scanned=report.files_scanned,
        skipped=tuple((item.path, worded(item.reason, t)) for item in report.skipped),
        uses=len(report.uses), scopes_seen=len(counts), undeclared=len({use.scope for use in report.undeclared}),
        unused=len(report.unused), calls=len(report.calls), unauthorized=len(least.unauthorized) if least else 0,
        unresolved=len(report.unresolved), needed=tuple(needed), exact=least.needed.exact if least else True,
        broader=tuple(broader), ruled_out=tuple(ruled_out), document=document)


def scan_report(report: ScanReport, tool_version: str, as_of: str, lang: str = "en") -> Report:
    """The scan as a :class:`~auditor.model.report.Report`: one result per file with findings,
    the manifest's first (and always there), then the source files by path; its fixed
    strings in ``lang``."""
    by_file: dict[str, list[Finding]] = {report.manifest: []}
    for finding in scan_findings(report, lang):
        by_file.setdefault(finding.manifest, []).append(finding)
    order = [report.manifest] + sorted(path for path in by_file if path != report.manifest)
    results = [ManifestResult(path, report.app, tuple(by_file[path])) for path in order]
    return Report.of(tool_version, (), as_of, results, code_scan=code_scan_summary(report, lang), lang=lang)
