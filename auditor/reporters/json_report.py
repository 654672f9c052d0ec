"""The JSON report of the command-line contract, streamed one finding per line.

Keys are written in sorted order, so the document reads the same as ``json.dumps(...,
sort_keys=True)`` would order it, but findings are written as they are produced: a batch of
any size streams through in bounded memory.

Most of a finding's bytes are its rule's text (title, remediation, citation), the same in
every finding of the rule: :class:`FindingEncoder` encodes that text once per rule and
writes each finding from those pieces and its own few values, byte for byte what
``json.dumps(finding.to_json(), sort_keys=True, ensure_ascii=False)`` would write.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any, TextIO

from auditor.model.findings import Finding, RuleInfo
from auditor.model.report import Report
from auditor.reporters import RenderOptions
from auditor.model.text_safety import json_safe

REPORT_VERSION = 1


def _dump(value: Any) -> str:
    # Values stay exact; control and bidi characters are written as \u escapes, never raw.
    return json_safe(json.dumps(value, sort_keys=True, ensure_ascii=False))


def _string(text: str) -> str:
    """``_dump(text)`` for a string: what ``json.dumps`` writes for one, made safe."""
    encoded = encode_basestring(text)
    # ASCII text leaves only DEL to make safe (the other controls are escaped already):
    # most texts are ASCII, and two scans in C cost less than the pattern's substitution.
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    return json_safe(encoded)


class FindingEncoder:
    """Encodes findings as :func:`_dump` of :meth:`Finding.to_json` would, reusing the
    encoded text of each rule (shared by all its findings) and of each manifest path.

    The members of a finding in sorted key order interleave the rule's (category, citation,
    clause; remediation, rule_id, severity; title) with the finding's own (column,
    fingerprint, inferred, line, manifest, message, pointer; status; waiver), so a rule is
    held as the three runs of its members, each ending where the finding's own begin.
    """

    def __init__(self) -> None:
        # By ``id`` of the RuleInfo, which is kept so that the id cannot be reused.
        self._rules: dict[int, tuple[RuleInfo, str, str, str]] = {}
        # Manifest paths, pointers and statuses, which repeat from finding to finding, and the
        # inferred classifications behind an element (the same for each rule that reads them).
        self._texts: dict[str, str] = {}
        self._inferred: dict[tuple[Any, ...], str] = {}

    def _rule(self, rule: RuleInfo) -> tuple[RuleInfo, str, str, str]:
        known = self._rules.get(id(rule))
        if known is None or known[0] is not rule:
            head = _dump({"category": rule.category, "citation": rule.citation.to_json(), "clause": rule.clause})
            middle = _dump({"remediation": rule.remediation, "rule_id": rule.id, "severity": rule.severity})
            title = _dump({"title": rule.title})
            known = self._rules[id(rule)] = (rule, head[:-1] + ', "column": ', ", " + middle[1:-1] + ', "status": ',
                                             ", " + title[1:-1])
        return known

    def _text(self, text: str) -> str:
        encoded = self._texts.get(text)
        if encoded is None:
            if len(self._texts) >= 4096:
                self._texts.clear()  # paths and pointers repeat in runs: only the recent ones matter
            encoded = self._texts[text] = _string(text)
        return encoded

    def encode(self, finding: Finding) -> str:
        """The finding as one line of JSON, as ``_dump(finding.to_json())``."""
        _, head, middle, title = self._rule(finding.rule)
        parts = [head, str(finding.column), ', "fingerprint": ', _string(finding.fingerprint)]
        if finding.inferred:
            inferred = self._inferred.get(finding.inferred)
            if inferred is None:
                if len(self._inferred) >= 4096:
                    self._inferred.clear()
                inferred = self._inferred[finding.inferred] = _dump([item.to_json() for item in finding.inferred])
            parts += [', "inferred": ', inferred]
        parts += [', "line": ', str(finding.line), ', "manifest": ', self._text(finding.manifest),
                  ', "message": ', _string(finding.message), ', "pointer": ', self._text(finding.pointer), middle,
                  self._text(finding.status), title]
        if finding.waiver is not None:
            parts += [', "waiver": ', _dump(finding.waiver.to_json())]
        parts.append("}")
        return "".join(parts)


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    out.write('{\n  "as_of": ' + _dump(report.as_of) + ',\n  "findings": [')
    manifests = []
    first = True
    encoder = FindingEncoder()
    for result in report.iter_results():
        manifests.append({"app": result.app, "path": result.path})
        # One write per manifest rather than per finding: still streamed, in bounded pieces.
        lines = []
        for finding in result.findings:
            lines.append(("\n    " if first else ",\n    ") + encoder.encode(finding))
            first = False
        out.write("".join(lines))
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
