"""Scanning many files fast: a byte-level prefilter, then lexing, over every core.

Most files of a tree cannot hold a scope or a Google API call. Each file's bytes are first
searched with one RE2 pattern (linear time, no decoding) for the few fragments every scope
spelling and every recognised call contains; only the files that match are decoded, lexed
and scanned. Files are spread over a process pool in fixed-size chunks and the results are
merged in the order of the file list, so the output does not depend on scheduling.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.scan.source_files import SkippedFile, read_source_bytes

if TYPE_CHECKING:
    from auditor.catalog.scope_catalog import ScopeCatalog

PARALLEL_MIN_FILES = 400
CHUNK_FILES = 64
_CALL_FRAGMENTS = (
    r"googleapis", r"google\.golang\.org/api", r"com\.google\.api\.services", r"build\(", r"google\.[a-z]",
    r"[A-Z][a-z]+App\.", r"Session\.", r"\.show(?:Sidebar|Modal|Modeless)",
)
_ADVANCED_FRAGMENT = r"(?:Admin[A-Za-z]*|Calendar|Chat|Classroom|Docs|Drive[A-Za-z]*|Forms|Gmail|Meet|People|Sheets|Slides|Tasks)\s*\.\s*[A-Z]"


@dataclass(frozen=True)
class FileJob:
    """One file to scan: its path, the lexer syntax name and whether it is Apps Script code."""

    path: str
    syntax: str
    apps_script: bool


@dataclass(frozen=True)
class FileResult:
    """What one file gave: scope uses, calls and unresolved chains, or why it was skipped."""

    path: str
    scanned: bool
    skipped: SkippedFile | None = None
    uses: tuple = ()
    calls: tuple = ()
    unresolved: tuple = ()


def prefilter_pattern(catalog: ScopeCatalog) -> str:
    """One pattern that every scope spelling and every recognised call matches (bytes, RE2 syntax)."""
    from auditor.scan.scope_recognition import ScopeNames

    names = ScopeNames(catalog)
    prefixes = sorted({short.split(".", 1)[0] for short in names.dotted})
    hosts = sorted({url.split("://", 1)[1].split("/", 1)[0] for url in names._by_bare_url.values()})
    parts = [r"(?i:scope)", "(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\.",
             *(re.escape(host) for host in hosts), *_CALL_FRAGMENTS, _ADVANCED_FRAGMENT,
             "openid"]
    return "|".join(parts)


class FileScanner:
    """Scans one file at a time; built once per process."""

    def __init__(self, catalog: ScopeCatalog) -> None:
        import re2

        from auditor.scan.calls import CallFinder
        from auditor.scan.methods import load_method_table
        from auditor.scan.scope_recognition import CodeScanner

        self.scopes = CodeScanner(catalog)
        self.calls = CallFinder(load_method_table())
        options = re2.Options()
        options.max_mem = 64 << 20
        self.prefilter = re2.compile(prefilter_pattern(catalog).encode(), options)

    def scan(self, job: FileJob, max_bytes: int) -> FileResult:
        from auditor.scan.lexer import SYNTAXES, lex
        from auditor.scan.scope_recognition import is_own_report

        raw = read_source_bytes(job.path, max_bytes)
        if isinstance(raw, SkippedFile):
            return FileResult(job.path, False, raw)
        if self.prefilter.search(raw) is None:
            return FileResult(job.path, True)
        text = raw.decode("utf-8", errors="replace")
        syntax = SYNTAXES[job.syntax]
        if is_own_report(text, syntax):
            return FileResult(job.path, False)
        uses = self.scopes.scan_text(job.path, text, syntax)
        calls: list = []
        unresolved: list = []
        if syntax.name in ("python", "javascript", "java", "kotlin", "go"):
            source = lex(text, syntax)
            calls, unresolved = self.calls.find(job.path, source, syntax.name, job.apps_script)
        return FileResult(job.path, True, None, tuple(uses), tuple(calls), tuple(unresolved))


_WORKER: dict[str, Any] = {}


def _worker_scan(chunk: list[FileJob], max_bytes: int) -> list[FileResult]:
    scanner = _WORKER.get("scanner")
    if scanner is None:
        from auditor.catalog.scope_catalog import ScopeCatalog

        scanner = _WORKER["scanner"] = FileScanner(ScopeCatalog.load())
    return [scanner.scan(job, max_bytes) for job in chunk]


def scan_files(jobs: list[FileJob], catalog: ScopeCatalog, max_bytes: int) -> list[FileResult]:
    """Scan every job, in parallel when there are many files and more than one core.

    Worker processes load the packaged catalog themselves; a scan with another catalog
    (tests, custom builds) runs in this process.
    """
    from auditor.catalog.scope_catalog import ScopeCatalog

    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2 or catalog is not ScopeCatalog.load():
        scanner = FileScanner(catalog)
        return [scanner.scan(job, max_bytes) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [jobs[start:start + CHUNK_FILES] for start in range(0, len(jobs), CHUNK_FILES)]
    # fork shares the parent's loaded modules; elsewhere spawn re-imports them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        results: list[FileResult] = []
        for part in pool.map(_worker_scan, chunks, [max_bytes] * len(chunks)):
            results.extend(part)
    return results
