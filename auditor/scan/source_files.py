"""Which files of a source tree to read: ``.gitignore`` rules, vendored folders, size and content.

The walk implements the parts of git's ignore rules that matter for reading a working tree,
without running git, so the same tree gives the same file list on a laptop, in CI and in a
source archive that has no ``.git`` folder:

* every ``.gitignore`` from the repository top (the nearest folder above the scanned one that
  holds ``.git``) down to each scanned folder, deeper files taking precedence, and the
  repository's ``.git/info/exclude`` below them all;
* blank lines, ``#`` comments, ``!`` negation, a trailing ``/`` for folders only, a leading or
  inner ``/`` anchoring the pattern to its ``.gitignore``'s folder, ``*``, ``?``, ``[...]``
  classes, ``**`` across folders, backslash escapes and trailing-space trimming;
* a file inside an ignored folder stays ignored whatever a later ``!`` says (git does not
  descend into an ignored folder either).

The user's global excludes file (``core.excludesFile``) is not read: it differs between
machines, and a CI gate must not. A file git tracks although a pattern matches it is skipped
all the same. Folders of vendored code (``VENDORED_DIRS``) are skipped by name wherever they
are, and symbolic links are not followed.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Callable, Iterator

# Folders of other people's code, skipped by name at any depth. Names that are as often a
# project's own source folder (``build``, ``out``, ``dist``, ``target``) are not listed: a
# project that generates code there says so in its ``.gitignore``, which the walk honours.
VENDORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "site-packages", "node_modules", "bower_components",
    "jspm_packages", ".yarn", ".pnpm-store", "vendor", "third_party", "third-party", "Pods",
    ".gradle", ".next", ".nuxt", ".terraform",
})
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
BINARY_SNIFF_BYTES = 8192

_POSIX_CLASSES = {
    "alnum": "A-Za-z0-9", "alpha": "A-Za-z", "blank": " \\t", "digit": "0-9", "lower": "a-z",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z", "xdigit": "0-9A-Fa-f",
}


@dataclass(frozen=True)
class IgnoreRule:
    """One pattern line of a ``.gitignore`` file, compiled."""

    pattern: str
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    basename_only: bool

    def matches(self, relative: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        subject = relative.rsplit("/", 1)[-1] if self.basename_only else relative
        return self.regex.fullmatch(subject) is not None


def _bracket(glob: str, start: int) -> tuple[str, int] | None:
    """Translate the ``[...]`` class opening at ``start``; ``None`` when it never closes."""
    i = start + 1
    negated = i < len(glob) and glob[i] in "!^"
    if negated:
        i += 1
    parts: list[str] = []
    first = True
    while i < len(glob):
        char = glob[i]
        if char == "]" and not first:
            body = "".join(parts)
            # A class never matches the folder separator.
            return ("[^/" + body + "]" if negated else "[" + body + "]"), i + 1
        first = False
        if char == "[" and glob.startswith("[:", i):
            end = glob.find(":]", i + 2)
            name = glob[i + 2:end] if end > 0 else ""
            if name in _POSIX_CLASSES:
                parts.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
        if char == "\\" and i + 1 < len(glob):
            i += 1
            char = glob[i]
        if i + 2 < len(glob) and glob[i + 1] == "-" and glob[i + 2] != "]":
            high = glob[i + 2]
            parts.append(f"{re.escape(char)}-{re.escape(high)}")
            i += 3
            continue
        parts.append(re.escape(char))
        i += 1
    return None


def translate_glob(glob: str) -> str:
    """The regular expression (for ``fullmatch``) of one gitignore glob."""
    out: list[str] = []
    i, length = 0, len(glob)
    while i < length:
        char = glob[i]
        if char == "*":
            j = i
            while j < length and glob[j] == "*":
                j += 1
            whole_segment = (i == 0 or glob[i - 1] == "/") and (j == length or glob[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == length:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            translated = _bracket(glob, i)
            if translated is None:
                out.append(re.escape(char))
                i += 1
            else:
                out.append(translated[0])
                i = translated[1]
        elif char == "\\":
            if i + 1 < length:
                out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def parse_ignore_line(line: str) -> IgnoreRule | None:
    """Compile one line of a ``.gitignore`` file; ``None`` for blank lines and comments."""
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        return None
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    if dir_only:
        line = line[:-1]
    if not line:
        return None
    anchored = "/" in line
    glob = line[1:] if line.startswith("/") else line
    if not glob:
        return None
    return IgnoreRule(line, re.compile(translate_glob(glob), re.DOTALL), negated, dir_only, not anchored)


@dataclass(frozen=True)
class IgnoreFile:
    """The rules of one ignore file and the folder (absolute) they are relative to."""

    base: str
    rules: tuple[IgnoreRule, ...]

    @classmethod
    def read(cls, path: str, base: str) -> IgnoreFile | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return None
        rules = tuple(rule for rule in map(parse_ignore_line, lines) if rule is not None)
        return cls(base, rules) if rules else None


def is_ignored(stack: list[IgnoreFile], path: str, is_dir: bool) -> bool:
    """Whether the last rule matching ``path`` (absolute) ignores it; outer files come first."""
    verdict = False
    for ignore_file in stack:
        relative = os.path.relpath(path, ignore_file.base).replace(os.sep, "/")
        if relative.startswith("../"):
            continue
        for rule in ignore_file.rules:
            if rule.matches(relative, is_dir):
                verdict = not rule.negated
    return verdict


def _repository_top(folder: str) -> str | None:
    current = folder
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def inherited_ignores(folder: str) -> list[IgnoreFile]:
    """Ignore files that apply to ``folder`` (absolute) from the folders above it."""
    top = _repository_top(folder)
    if top is None:
        return []
    stack: list[IgnoreFile] = []
    exclude = IgnoreFile.read(os.path.join(top, ".git", "info", "exclude"), top)
    if exclude:
        stack.append(exclude)
    chain = []
    current = os.path.dirname(folder)
    while len(current) >= len(top):
        chain.append(current)
        if current == top:
            break
        current = os.path.dirname(current)
    for above in reversed(chain):
        found = IgnoreFile.read(os.path.join(above, ".gitignore"), above)
        if found:
            stack.append(found)
    return stack


def walk_tree(root: str, wanted: Callable[[str], bool] = lambda name: True) -> Iterator[str]:
    """Yield the files below ``root`` that are neither ignored nor vendored, in sorted order.

    Paths are ``root`` joined with the relative path, with ``/`` separators. ``wanted``
    filters by file name before anything else is looked at.
    """
    top = os.path.abspath(root)
    stack = inherited_ignores(top)
    display_root = root.replace(os.sep, "/").rstrip("/") or "/"

    def visit(folder: str, shown: str) -> Iterator[str]:
        own = IgnoreFile.read(os.path.join(folder, ".gitignore"), folder)
        if own:
            stack.append(own)
        try:
            with os.scandir(folder) as entries:
                listing = sorted(entries, key=lambda entry: entry.name)
        except OSError:
            listing = []
        for entry in listing:
            if entry.is_symlink():
                continue
            child = os.path.join(folder, entry.name)
            child_shown = entry.name if shown == "." else f"{shown}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if entry.name in VENDORED_DIRS or is_ignored(stack, child, True):
                    continue
                yield from visit(child, child_shown)
            elif entry.is_file(follow_symlinks=False) and wanted(entry.name) and not is_ignored(stack, child, False):
                yield child_shown
        if own:
            stack.pop()

    yield from visit(top, display_root)


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


def read_source(path: str, max_bytes: int) -> str | SkippedFile:
    """The text of ``path`` (UTF-8, undecodable bytes replaced), or why it was not read."""
    raw = read_source_bytes(path, max_bytes)
    return raw if isinstance(raw, SkippedFile) else raw.decode("utf-8", errors="replace")


def read_source_bytes(path: str, max_bytes: int) -> bytes | SkippedFile:
    """The bytes of ``path`` without a UTF-8 byte-order mark, or why it was not read.

    Kept apart from decoding so that a scan can test the bytes cheaply first and decode
    only the files that may hold something.
    """
    # Why a file is skipped is worded by the report catalogs (scan.reasons).
    from auditor.rules.i18n import Phrase

    try:
        status = os.stat(path)
        # A FIFO would block the open below until a writer came, and a device can be endless.
        if not stat.S_ISREG(status.st_mode):
            return SkippedFile(path, Phrase("scan.reasons.not_regular"))
        size = status.st_size
        if size > max_bytes:
            return SkippedFile(path, Phrase("scan.reasons.too_large", limit=max_bytes, size=size))
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return SkippedFile(path, Phrase("scan.reasons.unreadable", error=exc.strerror or exc))
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        return SkippedFile(path, Phrase("scan.reasons.binary"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw
