"""The JSON report of the command-line contract, streamed one finding per line.

Keys are written in sorted order, so the document reads the same as ``json.dumps(...,
sort_keys=True)`` would order it, but findings are written as they are produced: a batch of
any size streams through in bounded memory.

Most of a finding's bytes are its rule's text (title, remediation, citation), the same in
every finding of the rule: :class:`FindingEncoder` encodes that text once per rule and
writes each finding from those pieces and its own few values, byte for byte what
``json.dumps(finding.to_json(), sort_keys=True, ensure_ascii=False)`` would write. When
this report is a batch's only reader of findings, each worker process writes its manifests'
lines itself (:func:`encoded_result`) and the report copies their bytes.
"""

from __future__ import annotations

import io
import json
import os
from json.encoder import encode_basestring
from typing import Any, Iterable, TextIO

from auditor.model.findings import Finding, RuleInfo
from auditor.model.report import EncodedResult, ManifestResult, Report, SummaryTally
from auditor.reporters import RenderOptions
from auditor.model.text_safety import json_safe

REPORT_VERSION = 1
# Not any finding's manifest path.
_NOTHING = object()


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
    held as its members before the finding's own, and, for each status, everything after
    the pointer: the rule's middle run, the status and its title.
    """

    def __init__(self) -> None:
        # By ``id`` of the RuleInfo, which is kept so that the id cannot be reused: the rule,
        # its head, and its ends by status (filled as statuses show up).
        self._rules: dict[int, tuple[RuleInfo, str, dict[str, str]]] = {}
        # Manifest paths, pointers and statuses, which repeat from finding to finding; messages
        # (a few thousand kinds); and the inferred classifications behind an element (the same
        # for each rule that reads them), by value and by the identity of their tuple.
        self._texts: dict[str, str] = {}
        self._messages: dict[str, str] = {}
        self._inferred: dict[tuple[Any, ...], str] = {}
        self._inferred_by_id: dict[int, tuple[tuple[Any, ...], str]] = {}

    def _rule(self, rule: RuleInfo) -> tuple[RuleInfo, str, dict[str, str]]:
        known = self._rules.get(id(rule))
        if known is None or known[0] is not rule:
            head = _dump({"category": rule.category, "citation": rule.citation.to_json(), "clause": rule.clause})
            known = self._rules[id(rule)] = (rule, head[:-1] + ', "column": ', {})
        return known

    def _end(self, rule: RuleInfo, status: str) -> str:
        """What follows the pointer in a finding of ``rule`` with ``status``, waiver aside."""
        middle = _dump({"remediation": rule.remediation, "rule_id": rule.id, "severity": rule.severity})
        title = _dump({"title": rule.title})
        return ", " + middle[1:-1] + ', "status": ' + self._text(status) + ", " + title[1:-1]

    def _text(self, text: str) -> str:
        encoded = self._texts.get(text)
        if encoded is None:
            if len(self._texts) >= 4096:
                self._texts.clear()  # paths and pointers repeat in runs: only the recent ones matter
            encoded = self._texts[text] = _string(text)
        return encoded

    def _inferred_text(self, inferred: tuple[Any, ...]) -> str:
        # The findings about one element share its tuple: looking it up by identity spares
        # hashing its classifications (a Python call each) for every finding.
        known = self._inferred_by_id.get(id(inferred))
        if known is not None and known[0] is inferred:
            return known[1]
        encoded = self._inferred.get(inferred)
        if encoded is None:
            if len(self._inferred) >= 4096:
                self._inferred.clear()
            encoded = self._inferred[inferred] = ', "inferred": ' + _dump([item.to_json() for item in inferred])
        if len(self._inferred_by_id) >= 4096:
            self._inferred_by_id.clear()
        # The tuple is kept with its text, so that its id cannot be reused meanwhile.
        self._inferred_by_id[id(inferred)] = (inferred, encoded)
        return encoded

    def encode(self, finding: Finding) -> str:
        """The finding as one line of JSON, as ``_dump(finding.to_json())``."""
        return self.lines((finding,))[0]

    def lines(self, findings: Iterable[Finding]) -> list[str]:
        """Each finding as one line of JSON, as :meth:`encode` writes it."""
        # Written for speed (a batch has about sixty findings per manifest): the encoder's
        # tables looked up once per call, one look-up per repeated piece, and one f-string
        # per finding instead of a list to join.
        rules, texts, messages, text = self._rules, self._texts, self._messages, self._text
        encoded: list[str] = []
        manifest: Any = _NOTHING
        for finding in findings:
            rule = finding.rule
            known = rules.get(id(rule))
            if known is None or known[0] is not rule:
                known = self._rule(rule)
            _, head, ends = known
            status = finding.status
            end = ends.get(status)
            if end is None:
                end = ends[status] = self._end(rule, status)
            if finding.manifest is not manifest:  # the findings of a manifest share its path
                manifest = finding.manifest
                manifest_member = ', "manifest": ' + text(manifest) + ', "message": '
            message = messages.get(finding.message)
            if message is None:
                # Most messages recur (the same verdict on the same kind of element), in any order.
                if len(messages) >= 8192:
                    messages.clear()
                message = messages[finding.message] = _string(finding.message)
            # An encoded text is never empty, so ``or`` falls back only when it is not cached.
            pointer = texts.get(finding.pointer) or text(finding.pointer)
            # ``_string`` inline: a fingerprint is different in every finding.
            fingerprint = encode_basestring(finding.fingerprint)
            if not fingerprint.isascii() or "\x7f" in fingerprint:
                fingerprint = json_safe(fingerprint)
            inferred = self._inferred_text(finding.inferred) if finding.inferred else ""
            waiver = ', "waiver": ' + _dump(finding.waiver.to_json()) if finding.waiver is not None else ""
            encoded.append(f'{head}{finding.column}, "fingerprint": {fingerprint}{inferred}, "line": {finding.line}'
                           f'{manifest_member}{message}, "pointer": {pointer}{end}{waiver}}}')
        return encoded


# Between two findings of the report's ``findings`` array.
_SEPARATOR = ",\n    "
# How many findings are written at once: a few hundred kilobytes of text.
_WRITTEN_TOGETHER = 512
# The encoder of the process that encodes results (:func:`encoded_result`): its tables fill
# once and serve every manifest the process judges.
_result_encoder: FindingEncoder | None = None


def encoded_result(result: ManifestResult, folder: str | None = None) -> EncodedResult:
    """``result`` as its lines of the JSON report and its counts: what a worker sends when
    the JSON report is the run's only reader of findings (see
    :class:`~auditor.model.report.EncodedResult`). The lines of a manifest with more
    findings than the report writes at once go to a new file in ``folder``, when given."""
    global _result_encoder
    if _result_encoder is None:
        _result_encoder = FindingEncoder()
    tally = SummaryTally()
    findings = result.findings
    tally.add(findings)
    if folder is not None and len(findings) > _WRITTEN_TOGETHER:
        spilled = _spilled_lines(findings, folder)
        if spilled is not None:
            return EncodedResult(result.path, result.app, tally.counts(), b"", spilled)
    lines = _result_encoder.lines(findings)
    encoded = (_SEPARATOR + _SEPARATOR.join(lines)).encode("utf-8") if lines else b""
    return EncodedResult(result.path, result.app, tally.counts(), encoded)


def _spilled_lines(findings: tuple[Finding, ...], folder: str) -> str | None:
    """The path of a new file in ``folder`` holding the UTF-8 lines of ``findings``, each
    after its separator, written a run at a time; ``None`` when it cannot be written (the
    lines are then sent as they are)."""
    import tempfile

    assert _result_encoder is not None
    lines = _result_encoder.lines
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, suffix=".lines", delete=False) as spill:
            try:
                for start in range(0, len(findings), _WRITTEN_TOGETHER):
                    spill.write((_SEPARATOR + _SEPARATOR.join(lines(findings[start:start + _WRITTEN_TOGETHER])))
                                .encode("utf-8"))
            except BaseException:
                spill.close()
                os.unlink(spill.name)
                raise
    except OSError:
        return None
    return spill.name


def _copy_spilled(path: str, start: int, out: TextIO, raw: Any) -> None:
    """Copy the lines a worker spilled to ``path`` (from byte ``start``) to ``out`` (to
    ``raw``, its byte stream, when given) a piece at a time, then delete the file."""
    import shutil

    try:
        if raw is None:
            with open(path, encoding="utf-8", newline="") as spilled:
                spilled.read(start)  # the first character, when skipped, is a comma
                shutil.copyfileobj(spilled, out, 1 << 16)
        else:
            with open(path, "rb") as spilled:
                spilled.seek(start)
                shutil.copyfileobj(spilled, raw, 1 << 16)
    finally:
        os.unlink(path)


def _bytes_of(out: TextIO) -> Any:
    """The byte stream under ``out`` when the UTF-8 lines of an :class:`EncodedResult` can be
    written to it as they are: ``out`` is a UTF-8 text file and a line end is written as
    ``\\n`` (the report's own files, and standard output on a system whose line end that is;
    a text file opened with another ``newline`` is not expected here). ``None`` otherwise:
    the lines are then decoded and written as text."""
    import codecs

    buffer = getattr(out, "buffer", None)
    if buffer is None or out.__class__ is not io.TextIOWrapper or os.linesep != "\n":
        return None
    try:
        return buffer if codecs.lookup(out.encoding).name == "utf-8" else None
    except LookupError:
        return None


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    out.write('{\n  "as_of": ' + _dump(report.as_of) + ',\n  "findings": [')
    manifests = []
    first = True
    lines = FindingEncoder().lines
    raw = _bytes_of(out)
    for result in report.iter_results():
        manifests.append({"app": result.app, "path": result.path})
        if result.__class__ is EncodedResult:
            encoded = result.json_lines
            # Each line comes after its separator: the first line of all after a line end.
            start = 1 if first else 0
            if encoded:
                if raw is None:
                    out.write(encoded[start:].decode("utf-8"))
                else:
                    out.flush()  # the text written so far goes first
                    raw.write(memoryview(encoded)[start:] if start else encoded)
                first = False
            elif result.spilled is not None:
                if raw is not None:
                    out.flush()
                _copy_spilled(result.spilled, start, out, raw)
                first = False
        elif result.findings:
            # One write per run of findings rather than per finding, and no larger than a run:
            # a manifest's findings written at once would be held three times (their lines,
            # joined, encoded) however many there are.
            findings = result.findings
            for start in range(0, len(findings), _WRITTEN_TOGETHER):
                out.write(("\n    " if first else _SEPARATOR)
                          + _SEPARATOR.join(lines(findings[start:start + _WRITTEN_TOGETHER])))
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
