"""SARIF 2.1.0 for code scanning (GitHub and other SARIF consumers).

One run. The driver describes every loaded rule once; each result refers to its rule by id
and index, points at the manifest (a URI relative to ``%SRCROOT%``, the folder the audit ran
in) and at the element (its JSON Pointer as the logical location), and carries the
finding's line-independent fingerprint, so an alert survives edits elsewhere in the file.

Which findings become results:

- ``fail``: a result of kind ``fail``, its level from the severity.
- ``incomplete``: a result of kind ``open`` (the rule could not decide), whose level SARIF
  requires to be ``none``.
- ``waived`` and ``baselined``: a ``fail`` result with an ``external`` suppression of status
  ``accepted`` (a waiver's justification names its reason, approver and expiry), so
  consumers show them as dismissed rather than dropping them silently.
- ``pass``: no result; a code scanning consumer would turn every result into an alert.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from json.encoder import encode_basestring
from typing import Any, TextIO
from urllib.parse import quote

from auditor.model.findings import Finding
from auditor.model.report import Report
from auditor.reporters import RenderOptions
from auditor.reporters.templating import escape_markdown_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "wsaudit/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks security-severity as critical above 9.0, high from 7.0, medium from 4.0 and
# low from 0.1; each severity sits inside its band. ``info`` stays below every band.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0", "info": "0.0"}


def _camel_name(title: str) -> str:
    """``Broad scope is justified`` → ``BroadScopeIsJustified``: SARIF's readable rule name."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[^\W_]+", title))


# Why each category of obligation matters, in one sentence: the second half of a rule's
# fullDescription (the first is the obligation, quoted from the policy). A custom pack's own
# categories have no sentence and their rules say only what the pack says.


def _obligation(clause: str | None, citation: Any) -> str:
    """The policy's words and where they stand: ``“quote” (policy, clause, section)``."""
    where = ", ".join(part for part in (citation.policy, clause, citation.section) if part)
    return f"\u201c{citation.quote}\u201d ({where})"


def _full_description(title: str, description: str, category: str, clause: str | None, citation: Any,
                      t: Any) -> str:
    """What a code scanning alert's rule panel shows: the obligation in the policy's words,
    what the rule checks of it, and why it matters; never only the title again."""
    parts = [f"{title}.", t("sarif.obligation", obligation=_obligation(clause, citation))]
    if description.strip():
        parts.append(description.strip())
    # Why an obligation of this category matters is worded per language in the catalog.
    why = t.strings.get(f"sarif.why_it_matters.{category}")
    if why:
        parts.append(t("sarif.why", why=why))
    return " ".join(parts)


def _rule_help(title: str, remediation: str, clause: str | None, citation: Any, t: Any) -> dict[str, str]:
    """How to fix it and where the policy says so, as text and as Markdown."""
    text = t("sarif.how_to_fix", remediation=remediation) + "\n\n" + t("sarif.policy", obligation=_obligation(clause, citation))
    where = ", ".join(escape_markdown_text(part) for part in (clause, citation.section) if part)
    markdown = (f"{t('sarif.how_to_fix_md')} {escape_markdown_text(remediation)}\n\n"
                f"{t('sarif.policy_md')} {escape_markdown_text(citation.policy)}{f' ({where})' if where else ''}\n\n"
                f"> {escape_markdown_text(citation.quote)}")
    if citation.url:
        text += f"\n{citation.url}"
        markdown += f"\n\n{t('sarif.source_md')} {escape_markdown_text(citation.url)}"
    return {"text": text, "markdown": markdown}


def _descriptor(rule_id: str, title: str, description: str, severity: str, category: str, tags: tuple[str, ...],
                clause: str | None, remediation: str, citation: Any, t: Any) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": _camel_name(title) or rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": _full_description(title, description, category, clause, citation, t)},
        "help": _rule_help(title, remediation, clause, citation, t),
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "severity": severity,
            "category": category,
            "tags": sorted({"security", category, *tags}),
        },
    }
    if clause:
        descriptor["properties"]["clause"] = clause
    if citation.url:
        descriptor["helpUri"] = citation.url
    return descriptor


def _rule_descriptor(rule: Any, t: Any) -> dict[str, Any]:
    return _descriptor(rule.id, rule.title, rule.description, rule.severity, rule.category, tuple(rule.tags),
                       rule.clause, rule.remediation, rule.citation, t)


def _finding_descriptor(finding: Finding, t: Any) -> dict[str, Any]:
    """A rule described from one of its findings, for a report built without its rules."""
    return _descriptor(finding.rule_id, finding.title, "", finding.severity, finding.category, (),
                       finding.clause, finding.remediation, finding.citation, t)


def artifact_location(path: str) -> dict[str, str]:
    """The manifest as a URI relative to ``%SRCROOT%`` when it lies below the working folder,
    else as an absolute ``file:`` URI."""
    local = path.replace(os.sep, "/")
    if not os.path.isabs(path):
        relative = posixpath.normpath(local)
        if relative != ".." and not relative.startswith("../"):
            return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    if relative != ".." and not relative.startswith(".." + os.sep):
        return {"uri": quote(relative.replace(os.sep, "/"), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": "file://" + quote(absolute.replace(os.sep, "/"), safe="/")}


def _pointer_name(pointer: str) -> str:
    """``/scopes/0/requested`` → ``scopes[0].requested``."""
    name = ""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        name += f"[{token}]" if token.isdigit() else (f".{token}" if name else token)
    return name or "(manifest)"


def _suppression(finding: Finding, t: Any) -> dict[str, str] | None:
    from auditor.rules.i18n import waiver_text

    if finding.status == "waived":
        waiver = finding.waiver
        justification = t.word("status", "waived") if waiver is None else waiver_text(waiver, t)
        return {"kind": "external", "status": "accepted", "justification": justification}
    if finding.status == "baselined":
        return {"kind": "external", "status": "accepted", "justification": t("notes.baselined")}
    return None


def _result(finding: Finding, rule_index: int, t: Any, location: dict[str, str]) -> dict[str, Any]:
    """The SARIF result of ``finding``, whose manifest's :func:`artifact_location` is ``location``."""
    from auditor.rules.i18n import evidence_notes

    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "message": {"text": "\n".join([finding.message, *(t("sarif.note", note=note) for note in evidence_notes(finding, t))])},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": location,
                # SARIF positions start at 1; a producer without a position says line 1.
                "region": {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)},
            },
            "logicalLocations": [{"name": _pointer_name(finding.pointer), "fullyQualifiedName": finding.pointer}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": finding.severity, "status": finding.status},
    }
    if finding.inferred:
        result["properties"]["inferred"] = [item.to_json() for item in finding.inferred]
    if finding.status == "incomplete":
        result["kind"] = "open"
        result["level"] = "none"
    else:
        result["kind"] = "fail"
        result["level"] = LEVELS[finding.severity]
    suppression = _suppression(finding, t)
    if suppression is not None:
        result["suppressions"] = [suppression]
    return result


# Results wait in a spooled file while the run is read (see :func:`render`): in memory up to
# this size, on disk beyond it.
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
# Stands for the results array in the document written around it; a JSON string can hold no
# raw quote, so only the run's own member can read like _RESULTS_MARK.
_RESULTS_PLACEHOLDER = "wsaudit:results"
_RESULTS_MARK = f'"results": "{_RESULTS_PLACEHOLDER}"'
# json.dumps(indent=2) puts each result at this depth: document, runs, run, results.
_RESULT_INDENT = " " * 8
_JSON_WORDS = {True: "true", False: "false", None: "null"}


def indented_json(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` for a value of
    JSON's types whose mappings have text keys, its lines after the first indented by
    ``indent`` as well. Given an indent, ``json`` leaves its C encoder for a generator per
    container; this writes the same text with a sixth fewer instructions for a whole SARIF
    run (500 manifests: 8.0 G instead of 9.6 G)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        return ("{\n" + ",\n".join([inner + encode_basestring(key) + ": " + indented_json(item, inner)
                                     for key, item in sorted(value.items())])
                + "\n" + indent + "}")
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join([inner + indented_json(item, inner) for item in value]) + "\n" + indent + "]"
    if value is None or value is True or value is False:
        return _JSON_WORDS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)  # a float (or a type json refuses, with its error)


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    """Write the log, results as they arrive.

    The document is written with sorted keys, so ``invocations`` (which carries the waiver
    notes, known only once every result is in) comes before ``results``: each result is
    serialised as it arrives into a spooled file, and the document is written around it at the
    end. Memory holds the rules and one result, however many manifests the run covers.
    """
    import tempfile

    from auditor.rules.i18n import report_language

    t = report_language(report)
    rules = [_rule_descriptor(rule, t) for rule in report.rules]
    index = {descriptor["id"]: position for position, descriptor in enumerate(rules)}
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY, mode="w+", encoding="utf-8",
                                       newline="\n") as spool:
        written = _spool_results(report, spool, rules, index, t)
        head, mark, tail = _document(report, rules, t).partition(_RESULTS_MARK)
        if not mark:
            raise RuntimeError("the SARIF document has no place for its results")
        out.write(head + '"results": [')
        if written:
            spool.seek(0)
            while chunk := spool.read(1 << 16):
                out.write(chunk)
            out.write("\n      ")
        out.write("]" + tail)


def _spool_results(report: Report, spool: TextIO, rules: list[dict[str, Any]], index: dict[str, int],
                   t: Any) -> int:
    """Serialise every result that is not a pass into ``spool``, each indented as it stands in
    the document; a rule missing from ``rules`` is described from its finding. The count."""
    written = 0
    for manifest in report.iter_results():
        # The findings of a manifest share its path, and so its location.
        path, location = None, None
        for finding in manifest.findings:
            if finding.status == "pass":
                continue
            if finding.rule_id not in index:
                index[finding.rule_id] = len(rules)
                rules.append(_finding_descriptor(finding, t))
            if finding.manifest != path:
                path, location = finding.manifest, artifact_location(finding.manifest)
            text = indented_json(_result(finding, index[finding.rule_id], t, location), _RESULT_INDENT)
            spool.write(("\n" if not written else ",\n") + _RESULT_INDENT + text)
            written += 1
    return written


def _document(report: Report, rules: list[dict[str, Any]], t: Any) -> str:
    """The whole log, its results array standing as :data:`_RESULTS_MARK`."""
    from auditor.rules.i18n import waiver_note_text

    notifications = [
        {
            "level": "warning",
            "message": {"text": t("sarif.waiver_for", rule=note.rule_id, manifest=note.manifest,
                                   message=waiver_note_text(note, t))},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(note.source),
                                                "region": {"startLine": max(1, note.line)}}}],
            "properties": {"kind": note.kind},
        }
        for note in report.waiver_notes()
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolConfigurationNotifications"] = notifications
    run = {
        "tool": {"driver": {
            "name": "wsaudit",
            "fullName": "Workspace Auditor",
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
            "rules": rules,
        }},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The folder the audit ran in, normally the top of the repository."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": _RESULTS_PLACEHOLDER,
        "properties": {"asOf": report.as_of, "policies": [
            {"id": pack.id, "version": pack.version, "rules": pack.rules} for pack in report.packs]},
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
