"""The JSON report of the command-line contract, streamed one finding per line.

Keys are written in sorted order, so the document reads the same as ``json.dumps(...,
sort_keys=True)`` would order it, but findings are written as they are produced: a batch of
any size streams through in bounded memory.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from auditor.model.findings import Report
from auditor.reporters import RenderOptions
from auditor.model.text_safety import json_safe

REPORT_VERSION = 1


def _dump(value: Any) -> str:
    # Values stay exact; control and bidi characters are written as \u escapes, never raw.
    return json_safe(json.dumps(value, sort_keys=True, ensure_ascii=False))


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    out.write('{\n  "as_of": ' + _dump(report.as_of) + ',\n  "findings": [')
    manifests = []
    first = True
    for result in report.iter_results():
        manifests.append({"app": result.app, "path": result.path})
        for finding in result.findings:
            out.write(("\n    " if first else ",\n    ") + _dump(finding.to_json()))
            first = False
    out.write("\n  ],\n" if not first else "],\n")
    policies = [{"id": pack.id, "rules": pack.rules, "source": pack.source, "title": pack.title,
                 "version": pack.version} for pack in report.packs]
    tail = {
        "manifests": manifests,
        "policies": policies,
        "report_version": REPORT_VERSION,
        "summary": report.summary.to_json(),
        "tool": {"name": "wsaudit", "version": report.tool_version},
        "waivers": [note.to_json() for note in report.waiver_notes()],
    }
    inventory = getattr(report, "domain_inventory", None)
    if inventory is not None:
        # The live probe's domain inventory: apps, users scanned, failed users (docs/probe.md).
        tail["inventory"] = inventory.to_json()
    code_scan = getattr(report, "code_scan", None)
    if code_scan is not None:
        # scan-code: the least-privileged scopes, the scope uses and the files (docs/ci.md).
        tail.update(code_scan.to_json())
    if getattr(report, "diff", None) is not None:
        # A comparison's own data: each pair's changes, introduced and fixed findings.
        tail["diff"] = report.diff.to_json(options.fail_on)
    body = json_safe(json.dumps(tail, sort_keys=True, ensure_ascii=False, indent=2))
    # Splice the tail's members into the open document.
    out.write(body[2:] + "\n")
