"""Scanning many files fast: a byte-level prefilter, then lexing, over every core.

Most files of a tree cannot hold a scope or a Google API call. Each file's bytes are first
searched with one RE2 pattern (linear time, no decoding) for the few fragments every scope
spelling and every recognised call contains (and for a Python module's constant that names
an API, which another module may build a client of); only the files that match are decoded,
lexed and scanned. Files are spread over a process pool in fixed-size chunks and the results
are merged in the order of the file list, so the output does not depend on scheduling.

A function that returns a client may be defined in one file and called in others (see
:mod:`auditor.scan.factories`), and a module may bind a client, a constant naming an API
or a class whose instances hold a client, that other files import. Once every file is
scanned, the files that name a factory another file defines (or a module's client, constant
or class and that module) are scanned again with those known, in as many rounds as new ones
turn up (at most ``FACTORY_ROUNDS``): a file that mentions none is not read again.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.scan.factories import FAMILIES, factory_table, module_table
from auditor.scan.source_files import SkippedFile, read_source_bytes

if TYPE_CHECKING:
    from auditor.catalog.scope_catalog import ScopeCatalog

PARALLEL_MIN_FILES = 400
# Past this many sets of words that make a file scan again (FileScanner._mentions), a file's
# words are looked up among them rather than each set looked for in the file.
_FEW_WORDS = 32
_CODE_WORD = re.compile(rb"[A-Za-z_$][\w$]*")
CHUNK_FILES = 64
FACTORY_ROUNDS = 3
_CALL_FRAGMENTS = (
    r"googleapis", r"google\.golang\.org/api", r"com\.google\.api\.services", r"build\(", r"google\.[a-z]",
    r"[A-Z][a-z]+App\.", r"Session\.", r"\.show(?:Sidebar|Modal|Modeless)", r"@google-apps/", r"Google\.Apis\.",
)
_ADVANCED_FRAGMENT = r"(?:Admin[A-Za-z]*|Calendar|Chat|Classroom|Docs|Drive[A-Za-z]*|Forms|Gmail|Meet|People|Sheets|Slides|Tasks)\s*\.\s*[A-Z]"


@dataclass(frozen=True)
class FileJob:
    """One file to scan: its path, the lexer syntax name and whether it is Apps Script code."""

    path: str
    syntax: str
    apps_script: bool
    # The advanced services its project's appsscript.json enables: (the name the script
    # calls it by, the API, its version), e.g. ("Drive", "drive", "v2").
    services: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class FileResult:
    """What one file gave: scope uses, calls and unresolved chains, or why it was skipped."""

    path: str
    scanned: bool
    skipped: SkippedFile | None = None
    uses: tuple = ()
    calls: tuple = ()
    unresolved: tuple = ()
    # The client factories the file defines, the clients and API constants it binds at its
    # top level, and its classes' client attributes (``auditor.scan.factories.ClientFactory``).
    factories: tuple = ()
    # The names of other modules' constants it needs (``auditor.scan.calls.FileCalls.wanted``).
    wanted: tuple = ()


# The factories of a scan's files, by family of languages: the table of each family, the
# factories and clients of each family by module, and what a file must mention to be scanned
# again: a new factory's name, or a new client's name and its module's.
KnownFactories = tuple[dict[str, dict[str, tuple[str, str]]], dict[str, dict[tuple[str, str], tuple[str, str, str]]],
                       dict[str, frozenset[tuple[str, ...]]]]


def prefilter_pattern(catalog: ScopeCatalog) -> str:
    """One pattern that every scope spelling and every recognised call matches (bytes, RE2 syntax)."""
    from auditor.scan.scope_recognition import ScopeNames

    names = ScopeNames(catalog)
    prefixes = sorted({short.split(".", 1)[0] for short in names.dotted})
    hosts = sorted({url.split("://", 1)[1].split("/", 1)[0] for url in names._by_bare_url.values()})
    parts = [r"(?i:scope)", "(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\.",
             *(re.escape(host) for host in hosts), *_CALL_FRAGMENTS, _ADVANCED_FRAGMENT,
             "openid", _constant_fragment()]
    return "|".join(parts)


def _constant_fragment() -> str:
    """A Python module's constant naming an API (``API_NAME = "gmail"``), which another
    module may import and build a client of (see ``CallFinder._python_constants``)."""
    from auditor.scan.methods import load_method_table

    names = sorted({name for name, _ in load_method_table().apis})
    return r"(?m:^[A-Za-z_]\w*[ \t]*(?::[^=\n]*)?=[ \t]*[\"'](?:" + "|".join(names) + r")[\"'])"


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
        # The last set of words that make a file scan again, indexed by first word.
        self._indexed: tuple[frozenset[tuple[str, ...]] | None, dict[bytes, list[list[bytes]]]] = (None, {})

    def _mentions(self, raw: bytes, words: frozenset[tuple[str, ...]]) -> bool:
        """Whether the file ``raw`` mentions all the words of one of ``words`` (a name of
        code, and the name of its module). A few are each looked for in the file; past that,
        each set is filed under its word that fewest sets share, and only the sets filed
        under a word of the file are looked for, so that the work does not grow with the
        number of sets (most module clients share one name, ``service``)."""
        if len(words) <= _FEW_WORDS:
            return any(all(word.encode() in raw for word in group) for group in words)
        if self._indexed[0] is not words:
            shared = Counter(word for group in words for word in group)
            index: dict[bytes, list[list[bytes]]] = {}
            for group in sorted(words):
                # A word that is no ASCII name of code (`gmail-client`) is looked for in the text.
                keys = [word for word in group if word.isascii() and _CODE_WORD.fullmatch(word.encode())]
                key = min(keys, key=lambda word: (shared[word], word)).encode() if keys else b""
                index.setdefault(key, []).append([word.encode() for word in group])
            self._indexed = (words, index)
        index = self._indexed[1]
        keys = set(_CODE_WORD.findall(raw)) & index.keys()
        if b"" in index:
            keys.add(b"")
        return any(all(word in raw for word in group) for key in keys for group in index[key])

    def scan(self, job: FileJob, max_bytes: int, known: KnownFactories | None = None) -> FileResult | None:
        """What the file holds. With ``known`` (the factories of other files), ``None`` when
        the file names none of the new ones: what it held before stands."""
        from auditor.scan.lexer import SYNTAXES, lex
        from auditor.scan.scope_recognition import is_own_report

        raw = read_source_bytes(job.path, max_bytes)
        if isinstance(raw, SkippedFile):
            return FileResult(job.path, False, raw) if known is None else None
        family = FAMILIES.get(job.syntax, "")
        if known is not None:
            if not self._mentions(raw, known[2].get(family, frozenset())):
                return None
        elif self.prefilter.search(raw) is None and not any(symbol.encode() in raw for symbol, _, _ in job.services):
            return FileResult(job.path, True)
        text = raw.decode("utf-8", errors="replace")
        syntax = SYNTAXES[job.syntax]
        if is_own_report(text, syntax):
            return FileResult(job.path, False)
        uses = self.scopes.scan_text(job.path, text, syntax)
        if not family:
            return FileResult(job.path, True, None, tuple(uses))
        tables = (known[0].get(family), known[1].get(family)) if known is not None else (None, None)
        found = self.calls.find_all(job.path, lex(text, syntax), syntax.name, job.apps_script, *tables,
                                    services=job.services)
        return FileResult(job.path, True, None, tuple(uses), tuple(found.calls), tuple(found.unresolved),
                          tuple(found.factories), tuple(found.wanted))


_WORKER: dict[str, Any] = {}


def _worker_known(known: KnownFactories | None) -> None:
    """A worker's start: the factories of the round it scans, given once rather than with
    each chunk (their tables grow with the tree)."""
    _WORKER["known"] = known


def _worker_scan(chunk: list[FileJob], max_bytes: int) -> list[FileResult | None]:
    scanner = _WORKER.get("scanner")
    if scanner is None:
        from auditor.catalog.scope_catalog import ScopeCatalog

        scanner = _WORKER["scanner"] = FileScanner(ScopeCatalog.load())
    known = _WORKER.get("known")
    return [scanner.scan(job, max_bytes, known) for job in chunk]


def scan_files(jobs: list[FileJob], catalog: ScopeCatalog, max_bytes: int) -> list[FileResult]:
    """Scan every job, in parallel when there are many files and more than one core, then
    again the files that call a client factory another file defines or import a client
    another module binds.

    Worker processes load the packaged catalog themselves; a scan with another catalog
    (tests, custom builds) runs in this process.
    """
    scanners: list[FileScanner] = []
    results: list[FileResult] = _scanned(jobs, catalog, max_bytes, None, scanners)  # type: ignore[assignment]
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    modules: dict[str, dict[tuple[str, str], tuple[str, str, str]]] = {}
    families = sorted(set(FAMILIES.values()))
    # A module's constant is shared only when a file needs it: most constants that happen to
    # equal an API's name (`ROLE = "admin"`) name no API, and scanning again every file that
    # mentions them would cost more than the whole first round. Once needed, always shared.
    wanted: set[str] = set()
    for _ in range(FACTORY_ROUNDS):
        wanted.update(name for result in results for name in result.wanted)
        named = sorted({(result.path, factory) for result in results for factory in result.factories
                        if factory.kind != "constant" or factory.name in wanted})
        if not named:
            break
        new_tables = {family: factory_table((factory for _, factory in named), family) for family in families}
        new_modules = {family: module_table(named, family) for family in families}
        fresh = {family: _fresh(tables.get(family, {}), modules.get(family, {}), new_tables[family],
                                new_modules[family]) for family in families}
        fresh = {family: words for family, words in fresh.items() if words}
        tables, modules = new_tables, new_modules
        if not fresh:
            break
        picked = [index for index, (job, result) in enumerate(zip(jobs, results))
                  if result.scanned and FAMILIES.get(job.syntax) in fresh]
        again = _scanned([jobs[index] for index in picked], catalog, max_bytes, (tables, modules, fresh), scanners)
        for index, result in zip(picked, again):
            if result is not None:
                results[index] = result
    return results


def _fresh(tables: dict[str, tuple[str, str]], modules: dict[tuple[str, str], tuple[str, str, str]],
           new_tables: dict[str, tuple[str, str]], new_modules: dict[tuple[str, str], tuple[str, str, str]]
           ) -> frozenset[tuple[str, ...]]:
    """What a file must mention to be scanned again for what a round found new: a
    factory's name (when no other factory has it), else the name and its module's (a module's
    client, constant or class, or a factory whose name several share, which only an import
    names)."""
    words = {(name,) for name, api in new_tables.items() if tables.get(name) != api}
    # (A Go package's field, by its name alone: a file of the package need not name its folder.)
    words.update((name,) for (module, name), entry in new_modules.items()
                 if entry[2] == "field" and modules.get((module, name)) != entry)
    # (A class's attribute, `Gmail.service`, by the class's name: what an importing file calls.)
    words.update((name.partition(".")[0], module.rsplit("/", 1)[-1]) for (module, name), entry in new_modules.items()
                 if modules.get((module, name)) != entry and entry[2] != "field"
                 and (entry[2] == "client" or name not in new_tables))
    return frozenset(words)


def _scanned(jobs: list[FileJob], catalog: ScopeCatalog, max_bytes: int, known: KnownFactories | None,
             scanners: list[FileScanner]) -> list[FileResult | None]:
    """``FileScanner.scan`` of every job with ``known``, in order; ``scanners`` keeps this
    process's scanner from one call to the next."""
    from auditor.catalog.scope_catalog import ScopeCatalog

    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2 or catalog is not ScopeCatalog.load():
        if not scanners:
            scanners.append(FileScanner(catalog))
        return [scanners[0].scan(job, max_bytes, known) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [jobs[start:start + CHUNK_FILES] for start in range(0, len(jobs), CHUNK_FILES)]
    # fork shares the parent's loaded modules; elsewhere spawn re-imports them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                             initializer=_worker_known, initargs=(known,)) as pool:
        results: list[FileResult | None] = []
        for part in pool.map(_worker_scan, chunks, [max_bytes] * len(chunks)):
            results.extend(part)
    return results
