"""Render a domain inventory as text (for people) or JSON (for scripts).

The inventory is a table of apps, not findings about manifests, so it has its own two
renderings; the drift findings of apps that have a manifest are the same
:class:`~auditor.findings.Finding` objects the other reports render, and appear in the JSON
with the same fields. Output is deterministic: apps by number of users, then client id.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from auditor.findings import SEVERITIES, Finding
from auditor.probe.inventory import AppReport, Inventory
from auditor.text_safety import printable

INVENTORY_FORMATS = ("text", "json")
REPORT_VERSION = 1
UNREVIEWED = "no manifest: unreviewed app"
_CLASS_WORDS = {"restricted": "restricted", "sensitive": "sensitive", "non_sensitive": "non-sensitive",
                "unknown": "unknown"}


def _printable(text: str) -> str:
    """App names and client ids come from third parties; none of their control or bidi
    characters may reach the reader's terminal."""
    return printable(text)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _failed(findings: list[Finding] | tuple[Finding, ...]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        if finding.status == "fail":
            counts[finding.severity] += 1
    return counts


def status_line(inventory: Inventory) -> str:
    """One line on how far the run got."""
    scanned = f"{inventory.users_scanned} of {inventory.users_listed} listed users scanned"
    if inventory.complete:
        return f"complete: {_plural(inventory.users_scanned, 'user')} scanned"
    failed = len(inventory.failed_users)
    if failed:
        scanned += f"; the token lookup failed for {_plural(failed, 'user')} (the JSON report names them)"
    if inventory.interrupted:
        return f"INCOMPLETE: interrupted, {scanned}"
    if inventory.stopped_by or not failed:
        scanned += f"; stopped by: {_printable(inventory.stopped_by or 'an unknown problem')}"
    return f"INCOMPLETE: {scanned}"


def summary(inventory: Inventory) -> dict[str, Any]:
    apps = inventory.apps
    return {
        "apps": len(apps),
        "unreviewed": sum(1 for app in apps if not app.reviewed),
        "with_restricted_scopes": sum(1 for app in apps if app.restricted_scopes),
        "unreviewed_with_restricted_scopes": sum(1 for app in apps if app.restricted_scopes and not app.reviewed),
        "drift_fail_by_severity": _failed(inventory.drift_findings()),
    }


def render_text(inventory: Inventory, out: TextIO, verbose: bool = False) -> None:
    counts = summary(inventory)
    out.write(f"Domain inventory ({status_line(inventory)})\n")
    out.write(f"{_plural(counts['apps'], 'third-party app')}: {counts['unreviewed']} unreviewed, "
              f"{counts['with_restricted_scopes']} holding restricted scopes "
              f"({counts['unreviewed_with_restricted_scopes']} of them unreviewed)\n")
    if inventory.users_gone:
        out.write(f"{_plural(inventory.users_gone, 'user')} disappeared between listing and lookup\n")
    for app in inventory.apps:
        out.write("\n")
        _app_text(app, out, verbose)


def _app_text(app: AppReport, out: TextIO, verbose: bool) -> None:
    name = _printable(app.display_name) or "(no display name)"
    out.write(f"{name}  [client {_printable(app.client_id)}]\n")
    out.write(f"  users: {app.users}\n")
    if app.reviewed:
        out.write(f"  manifest: {_printable(app.manifest or '')} ({_printable(app.app_name or '')})\n")
    else:
        out.write(f"  {UNREVIEWED}\n")
    out.write("  scopes:\n")
    for use in app.scopes:
        out.write(f"    {_CLASS_WORDS[use.classification]:<14} {_printable(use.scope)}  ({_plural(use.users, 'user')})\n")
    restricted = ", ".join(app.restricted_scopes) or "none"
    out.write(f"  restricted scopes: {_printable(restricted)}\n")
    if app.reviewed:
        failed = [finding for finding in app.drift if finding.status == "fail"]
        out.write(f"  drift: {'none' if not failed else _plural(len(failed), 'finding')}\n")
        for finding in app.drift:
            if finding.status == "fail" or verbose:
                status = "" if finding.status == "fail" else f"[{finding.status}] "
                out.write(f"    {_printable(finding.manifest)}:{finding.line}:{finding.column}  {finding.severity.upper():<8}  "
                          f"{finding.rule_id}  {status}{_printable(finding.message)}\n")


def inventory_json(inventory: Inventory, tool_version: str) -> dict[str, Any]:
    return {
        "report_version": REPORT_VERSION,
        "kind": "domain_inventory",
        "tool": {"name": "wsaudit", "version": tool_version},
        "complete": inventory.complete,
        "interrupted": inventory.interrupted,
        "stopped_by": inventory.stopped_by,
        "users": {"listed": inventory.users_listed, "scanned": inventory.users_scanned,
                  "gone": inventory.users_gone, "failed": len(inventory.failed_users)},
        "failed_users": [{"id": user.key, "email": user.email, "reason": user.reason}
                         for user in inventory.failed_users],
        "apps": [
            {
                "client_id": app.client_id,
                "display_name": app.display_name,
                "users": app.users,
                "scopes": [{"scope": use.scope, "classification": use.classification, "users": use.users}
                           for use in app.scopes],
                "restricted_scopes": list(app.restricted_scopes),
                "review": "reviewed" if app.reviewed else "unreviewed",
                "manifest": app.manifest,
                "app": app.app_name,
                "drift": [finding.to_json() for finding in app.drift],
            }
            for app in inventory.apps
        ],
        "summary": summary(inventory),
    }


def render_json(inventory: Inventory, out: TextIO, tool_version: str) -> None:
    out.write(json.dumps(inventory_json(inventory, tool_version), sort_keys=True, indent=2, ensure_ascii=False))
    out.write("\n")
