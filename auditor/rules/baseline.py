"""Baselines: accept today's findings so that a gate fails only on new ones.

``--write-baseline FILE`` records every failing and incomplete finding; ``--baseline FILE``
reports a finding that matches a record as ``baselined`` (shown, not failing). A record
matches on rule id, manifest path and JSON Pointer plus the fingerprint of the element's
content — never on line numbers — so edits elsewhere in the file neither hide nor
resurrect findings. A record whose element moved in its list (same content, new pointer)
still matches; a changed element does not, so its finding comes back for review.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from typing import Iterable, TextIO

from auditor.model.errors import PolicyError
from auditor.model.findings import Finding
from auditor.model.report import ManifestResult, WaiverNote

BASELINE_VERSION = 1
# What a baseline accepts, and what a new baseline records (a finding already baselined
# stays accepted when the baseline is written again).
RECORDED = frozenset({"fail", "incomplete"})
WRITTEN = RECORDED | {"baselined"}


@dataclass(frozen=True)
class BaselineEntry:
    rule_id: str
    manifest: str
    pointer: str
    fingerprint: str


def _key(manifest: str) -> str:
    return manifest.removeprefix("./")


def render_baseline(results: Iterable[ManifestResult], tool_version: str) -> str:
    """The baseline file for these results: deterministic JSON, one record per finding."""
    import io

    out = io.StringIO()
    write_baseline(results, tool_version, out)
    return out.getvalue()


def _record_order(record: dict[str, str]) -> tuple[str, str, str, str]:
    return record["manifest"], record["rule_id"], record["pointer"], record["fingerprint"]


def write_baseline(results: Iterable[ManifestResult], tool_version: str, out: TextIO) -> None:
    """Write :func:`render_baseline`'s file to ``out`` in flat memory: each result's records,
    sorted, wait in a temporary file (one JSON line each) under their manifest, and are
    written in manifest order at the end; memory holds one manifest's records at a time.

    The spool is bytes of ASCII-only JSON: offsets are exact, and a message holding a line
    separator of Unicode (U+2028, U+0085…) or a lone surrogate stays on its one line."""
    import tempfile

    runs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    with tempfile.TemporaryFile("w+b") as spool:
        for result in results:
            by_manifest: dict[str, list[dict[str, str]]] = defaultdict(list)
            for f in result.findings:
                if f.status in WRITTEN:
                    by_manifest[_key(f.manifest)].append(
                        {"rule_id": f.rule_id, "manifest": _key(f.manifest), "pointer": f.pointer,
                         "fingerprint": f.fingerprint, "severity": f.severity, "status": f.status,
                         "message": f.message})
            for manifest, records in by_manifest.items():
                start = spool.tell()
                spool.write("".join(json.dumps(record) + "\n"
                                    for record in sorted(records, key=_record_order)).encode("ascii"))
                runs[manifest].append((start, spool.tell()))
        document = {"baseline_version": BASELINE_VERSION, "findings": "", "tool": {"name": "wsaudit",
                                                                                   "version": tool_version}}
        head, _, tail = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).partition('""')
        out.write(head + "[")
        first = True
        for manifest in sorted(runs):
            records = []
            for start, end in runs[manifest]:
                spool.seek(start)
                records.extend(json.loads(line) for line in spool.read(end - start).split(b"\n") if line)
            for record in sorted(records, key=_record_order):
                text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n    ")
                out.write(("\n    " if first else ",\n    ") + text)
                first = False
        out.write(("]" if first else "\n  ]") + tail + "\n")


# A baseline holds one short record per accepted finding; this bounds what is read into
# memory, far above any real baseline.
MAX_BASELINE_BYTES = 256 * 1024 * 1024
_RECORD_FIELDS = ("rule_id", "manifest", "pointer", "fingerprint")


def load_baseline(path: str) -> list[BaselineEntry]:
    """Read a baseline file written by ``--write-baseline``; any other shape is a located error."""
    from auditor.manifest.json_source import load_json_file

    document = load_json_file(path, MAX_BASELINE_BYTES, PolicyError, "baseline")
    if not isinstance(document, dict) or document.get("baseline_version") != BASELINE_VERSION:
        raise PolicyError("not a wsaudit baseline (expected baseline_version: 1); write one with --write-baseline",
                          path, 1, 1)
    records = document.get("findings", [])
    if not isinstance(records, list):
        raise PolicyError("the baseline's findings must be a list of records; write one with --write-baseline", path)
    entries = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise PolicyError(f"baseline record findings[{index}] must be a mapping with rule_id, manifest, pointer "
                              "and fingerprint", path)
        for name in _RECORD_FIELDS:
            if not isinstance(record.get(name), str):
                problem = "lacks" if name not in record else "has a non-string"
                raise PolicyError(f"baseline record findings[{index}] {problem} {name}", path)
        entries.append(BaselineEntry(record["rule_id"], _key(record["manifest"]), record["pointer"],
                                     record["fingerprint"]))
    return entries


@dataclass
class Baseline:
    """Marks findings recorded in a baseline as ``baselined``, each record used once."""

    entries: list[BaselineEntry]
    _exact: dict[tuple[str, str, str, str], int] = field(init=False)
    _moved: dict[tuple[str, str, str], deque[int]] = field(init=False)
    _used: set[int] = field(init=False, default_factory=set)
    # Manifests this run audited: only their records can be judged stale.
    _audited: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self._exact = {}
        self._moved = defaultdict(deque)
        for index, entry in enumerate(self.entries):
            self._exact.setdefault((entry.rule_id, entry.manifest, entry.pointer, entry.fingerprint), index)
            self._moved[(entry.rule_id, entry.manifest, entry.fingerprint)].append(index)

    def _claim(self, finding: Finding) -> bool:
        manifest = _key(finding.manifest)
        exact = self._exact.get((finding.rule_id, manifest, finding.pointer, finding.fingerprint))
        if exact is not None and exact not in self._used:
            self._used.add(exact)
            return True
        # Records already used leave the front of the queue for good, so many identical
        # records cost linear time, not a rescan per finding.
        queue = self._moved.get((finding.rule_id, manifest, finding.fingerprint))
        while queue:
            index = queue.popleft()
            if index not in self._used:
                self._used.add(index)
                return True
        return False

    def apply(self, result: ManifestResult) -> ManifestResult:
        if not self.entries:
            return result
        self._audited.add(_key(result.path))
        # Exact matches first, so a moved element cannot take another's record.
        ordered = sorted(range(len(result.findings)), key=[finding.pointer for finding in result.findings].__getitem__)
        marked: dict[int, Finding] = {}
        for index in ordered:
            finding = result.findings[index]
            if finding.status in RECORDED and (finding.rule_id, _key(finding.manifest), finding.pointer,
                                               finding.fingerprint) in self._exact and self._claim(finding):
                marked[index] = finding.with_status("baselined")
        for index in ordered:
            finding = result.findings[index]
            if index not in marked and finding.status in RECORDED and self._claim(finding):
                marked[index] = finding.with_status("baselined")
        if not marked:
            return result
        findings = sorted((marked.get(i, f) for i, f in enumerate(result.findings)), key=Finding.sort_key)
        return replace(result, findings=tuple(findings))

    def stale_notes(self, source: str) -> list[WaiverNote]:
        """Records of audited manifests that matched no finding: what they accepted was fixed
        (or changed beyond recognition), so ``--write-baseline`` would drop them. Records of
        manifests this run did not audit are not judged. Call after every result was applied."""
        return [WaiverNote("stale_baseline", entry.rule_id, entry.manifest, entry.pointer, source, 1,
                           "baseline record matches no finding any more; --write-baseline drops it")
                for index, entry in enumerate(self.entries)
                if index not in self._used and entry.manifest in self._audited]

    def unused(self) -> int:
        """How many records matched nothing (findings fixed since the baseline was written)."""
        return len(self.entries) - len(self._used)
