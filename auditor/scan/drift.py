"""Scope drift: the OAuth scopes a code base asks for, compared with what its manifest declares.

The files of a tree are listed here (with their syntax, and whether they are Apps Script
code) and read by :mod:`auditor.scan.files`; each file's scopes are recognised by
:mod:`auditor.scan.scope_recognition`. The scan of a tree is made once and compared with
each manifest: the scopes used but not declared, the scopes declared but never used, and
the least-privilege comparison of the API calls found with the declared scopes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.scan.lexer import JSON, PLAIN, Syntax, syntax_for
from auditor.catalog.scope_names import canonical_scope
from auditor.scan.scope_recognition import ScopeUse
from auditor.scan.source_files import SkippedFile, read_source_bytes, walk_tree

# A word of an advanced service's entry (its name in the script, its API, its version).
_SERVICE_WORD = re.compile(r"[A-Za-z_$][\w$]{0,100}")

if TYPE_CHECKING:
    from auditor.manifest.load import Manifest
    from auditor.scan.calls import ApiCall, UnresolvedCall
    from auditor.scan.least import LeastPrivilege


@dataclass(frozen=True)
class DeclaredScope:
    """One entry of the manifest's ``scopes`` list, canonicalised, with its position."""

    scope: str
    written: str
    pointer: str
    line: int
    column: int


@dataclass(frozen=True)
class ScanReport:
    """What a scan found, and how it compares with the manifest.

    ``calls`` are the Google API calls found, ``unresolved`` the call-like chains that match
    no method, ``least`` the least-privilege comparison of the calls with the declared scopes.
    """

    manifest: str
    paths: tuple[str, ...]
    files_scanned: int
    skipped: tuple[SkippedFile, ...]
    uses: tuple[ScopeUse, ...]
    declared: tuple[DeclaredScope, ...]
    catalog: ScopeCatalog = field(repr=False, compare=False)
    calls: tuple[ApiCall, ...] = ()
    unresolved: tuple[UnresolvedCall, ...] = ()
    least: LeastPrivilege | None = field(default=None, repr=False, compare=False)
    app: str = ""

    def relative_path(self, path: str) -> str:
        """``path`` relative to the scanned folder it was found in, with ``/`` separators."""
        return relative_to_roots(self.paths, path)

    @property
    def undeclared(self) -> tuple[ScopeUse, ...]:
        declared = {item.scope for item in self.declared}
        return tuple(use for use in self.uses if use.scope not in declared)

    @property
    def unused(self) -> tuple[DeclaredScope, ...]:
        """Declared scopes that no scope string names and no call found is authorized by."""
        used = {use.scope for use in self.uses} | (set(self.least.serving) if self.least else set())
        seen: set[str] = set()
        unused = []
        for item in self.declared:
            if item.scope not in used and item.scope not in seen:
                unused.append(item)
            seen.add(item.scope)
        return tuple(unused)

    @property
    def failed(self) -> bool:
        return bool(self.undeclared) or bool(self.least and self.least.unauthorized)

def declared_scopes(manifest: Manifest) -> tuple[DeclaredScope, ...]:
    """The scopes a loaded manifest declares, with their positions."""
    declared = []
    for index, item in enumerate(manifest.data.get("scopes") or []):
        pointer = f"/scopes/{index}"
        line, column = manifest.locate(pointer)
        declared.append(DeclaredScope(canonical_scope(item["scope"]), item["scope"], pointer, line, column))
    return tuple(declared)


def _jobs(paths: tuple[str, ...], excluded: frozenset[str]) -> list:
    """The files to scan, each with its syntax and whether it is Apps Script code."""
    import os

    from auditor.scan.files import FileJob

    listed: list[tuple[str, Syntax]] = []
    for given in paths:
        if os.path.isdir(given):
            for path in walk_tree(given, lambda name: syntax_for(name) is not None or name == "appsscript.json"):
                listed.append((path, syntax_for(path.rsplit("/", 1)[-1]) or JSON))
        else:
            name = given.replace(os.sep, "/").rsplit("/", 1)[-1]
            listed.append((given, syntax_for(name) or PLAIN))
    # Script files of an Apps Script project: .gs files, and the files below a folder that
    # holds appsscript.json (clasp projects keep .js or .ts files there).
    projects = sorted({os.path.dirname(os.path.abspath(path)) for path, _ in listed
                       if path.replace(os.sep, "/").rsplit("/", 1)[-1] == "appsscript.json"})
    services = {project: advanced_services(os.path.join(project, "appsscript.json")) for project in projects}
    jobs = []
    seen: set[str] = set()
    for path, syntax in listed:
        absolute = os.path.abspath(path)
        if absolute in seen or absolute in excluded:
            continue
        seen.add(absolute)
        # The innermost project the file is in gives its advanced services.
        project = max((project for project in projects if absolute.startswith(project + os.sep)), key=len, default=None)
        apps_script = path.endswith(".gs") or project is not None
        jobs.append(FileJob(path, syntax.name, apps_script, services.get(project, ()) if project else ()))
    return jobs


def advanced_services(manifest: str) -> tuple[tuple[str, str, str], ...]:
    """The advanced services an Apps Script project's manifest (``appsscript.json``)
    enables, as (the name the script calls it by, the API, its version): a project that
    still calls Drive's ``v2`` (``Drive.Files.insert``), or names a service otherwise
    (``DriveAPI``). Nothing for a manifest that cannot be read, or an entry that is not
    three plain words; the scan of the file as JSON reports what it holds."""
    import json

    raw = read_source_bytes(manifest, 1 << 20)
    if isinstance(raw, SkippedFile):
        return ()
    try:
        document = json.loads(raw.decode("utf-8"))
        listed = document["dependencies"]["enabledAdvancedServices"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return ()
    found = set()
    for entry in listed if isinstance(listed, list) else ():
        words = [entry.get(key) for key in ("userSymbol", "serviceId", "version")] if isinstance(entry, dict) else []
        if len(words) == 3 and all(isinstance(word, str) and _SERVICE_WORD.fullmatch(word) for word in words):
            found.add((words[0], words[1], words[2]))
    return tuple(sorted(found))


@dataclass(frozen=True)
class CodeScan:
    """What a code tree holds, before any manifest is compared with it.

    Scanned once and compared with each manifest of a run (``audit --code`` with several
    manifests); ``needs`` are the calls with the scopes that really authorize each (after
    the restrictions their stated arguments trigger), which do not depend on a manifest.
    """

    paths: tuple[str, ...]
    files_scanned: int
    skipped: tuple[SkippedFile, ...]
    uses: tuple[ScopeUse, ...]
    calls: tuple[ApiCall, ...] = ()
    unresolved: tuple[UnresolvedCall, ...] = ()
    needs: tuple = ()

    def relative_path(self, path: str) -> str:
        """``path`` relative to the scanned folder it was found in, with ``/`` separators."""
        return relative_to_roots(self.paths, path)


def relative_to_roots(roots: tuple[str, ...], path: str) -> str:
    """``path`` relative to the first of ``roots`` (folders as given) that holds it, with
    ``/`` separators; as found when no folder holds it (a file named on the command line)."""
    import os

    for given in roots:
        root = given.replace(os.sep, "/").rstrip("/") or "/"
        if not os.path.isdir(given):
            continue
        if root == ".":
            return path
        if path.startswith(root + "/"):
            return path[len(root) + 1:]
    return path.replace(os.sep, "/")


def scan_code(paths: Iterable[str], catalog: ScopeCatalog, max_bytes: int,
              exclude: Iterable[str] = ()) -> CodeScan:
    """Scan files and folders (folders honour ``.gitignore`` and skip vendored code);
    ``exclude`` names files never to read (the manifests the code is compared with)."""
    import os

    from auditor.scan.files import scan_files
    from auditor.scan.least import needs_of

    paths = tuple(paths)
    excluded = frozenset(os.path.abspath(path) for path in exclude)
    uses: list[ScopeUse] = []
    calls: list = []
    unresolved: list = []
    skipped: list[SkippedFile] = []
    scanned = 0
    for result in scan_files(_jobs(paths, excluded), catalog, max_bytes):
        if result.skipped is not None:
            skipped.append(result.skipped)
        scanned += result.scanned
        uses.extend(result.uses)
        calls.extend(result.calls)
        unresolved.extend(result.unresolved)
    unique = {(use.path, use.line, use.column, use.scope): use for use in uses}
    calls = sorted({call.sort_key(): call for call in calls}.values(), key=lambda call: call.sort_key())
    unresolved = sorted({item.sort_key(): item for item in unresolved}.values(), key=lambda item: item.sort_key())
    return CodeScan(paths, scanned, tuple(sorted(skipped, key=lambda s: s.path)),
                    tuple(sorted(unique.values(), key=ScopeUse.sort_key)), tuple(calls), tuple(unresolved),
                    needs_of(calls) if calls else ())


def least_privilege(scan: CodeScan, declared: Iterable[str], catalog: ScopeCatalog) -> LeastPrivilege | None:
    """The calls' least-privileged scopes and how the ``declared`` scopes (canonical) compare;
    ``None`` when the code makes no call."""
    if not scan.needs:
        return None
    from auditor.scan.least import ScopeCost, compare
    from auditor.scan.methods import load_method_table

    return compare(scan.needs, declared, ScopeCost(catalog, load_method_table().breadth))


def compare_with_manifest(scan: CodeScan, manifest: Manifest, catalog: ScopeCatalog) -> ScanReport:
    """The scan judged against one manifest's declared scopes."""
    declared = declared_scopes(manifest)
    least = least_privilege(scan, [item.scope for item in declared], catalog)
    return ScanReport(manifest.path, scan.paths, scan.files_scanned, scan.skipped, scan.uses, declared, catalog,
                      scan.calls, scan.unresolved, least, str((manifest.data.get("app") or {}).get("name") or ""))


def scan_paths(paths: Iterable[str], manifest: Manifest, catalog: ScopeCatalog, max_bytes: int) -> ScanReport:
    """Scan files and folders and compare what they hold with ``manifest``."""
    import os

    manifest_file = os.path.abspath(manifest.path) if manifest.path != "-" else None
    scan = scan_code(paths, catalog, max_bytes, () if manifest_file is None else (manifest_file,))
    return compare_with_manifest(scan, manifest, catalog)
