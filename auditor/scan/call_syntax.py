"""The syntax of a call in lexed source: matching brackets, the ``.name(...)`` chain after a
client, and the arguments the code states.

It reads the structure text of :class:`~auditor.scan.lexer.LexedSource` (comments and string
contents blanked), so a bracket or a dot inside a string is never mistaken for code;
:mod:`auditor.scan.calls` decides which API method a chain is.
"""

from __future__ import annotations

import bisect
import re

from auditor.scan.lexer import LexedSource

# An identifier in the languages scanned (JavaScript names may hold `$`).
IDENT = r"[A-Za-z_$][\w$]*"
_SEGMENT = re.compile(r"\s*(\?)?\.\s*(" + IDENT + r")")
_KEYWORD_VALUE = re.compile(r"(?<![\w$])([A-Za-z_]\w*)\s*[=:]\s*(?:([\"'`])([^\"'`\n]*)\2|([^\s,)}\]]))")
# Chain segments that are the client library's plumbing, not a resource or a method.
HELPER_SEGMENTS = frozenset({"execute", "list_next", "context", "close", "new_batch_http_request", "do"})


# How far an argument list may run: a bracket still open this many characters after it
# counts as never closed (its call runs to the text's end).
ARGUMENTS_LIMIT = 20000
_OPENERS = "([{"
_BRACKET = re.compile(r"[()\[\]{}]")


def bracket_ends(structure: str) -> dict[int, int]:
    """For each opening bracket of ``structure`` that is closed, the offset just past the
    bracket that closes it: one pass over the text's brackets, so that each look-up costs
    nothing whatever the nesting (any closing bracket closes the innermost open one, as
    depth counts it)."""
    ends: dict[int, int] = {}
    open_at: list[int] = []
    for match in _BRACKET.finditer(structure):
        offset = match.start()
        if structure[offset] in _OPENERS:
            open_at.append(offset)
        elif open_at:
            ends[open_at.pop()] = offset + 1
    return ends


def closing_bracket(source: LexedSource, opening: int) -> int:
    """Offset just past the bracket matching the one at ``opening`` in ``source``'s
    structure (the text's end if none, or if it closes :data:`ARGUMENTS_LIMIT` characters
    or more after it)."""
    structure = source.structure
    end = source.bracket_ends.get(opening) if opening >= 0 else None
    if end is None or end - 1 - opening >= ARGUMENTS_LIMIT:
        if 0 <= opening < len(structure) and structure[opening] in _OPENERS:
            return len(structure)
        return _counted_closing(structure, opening)  # not at a bracket: count from there
    return end


def _counted_closing(structure: str, opening: int) -> int:
    """:func:`closing_bracket` for an offset that is not an opening bracket: the end of the
    first bracketed run after it that brings the count of open brackets back to none."""
    depth = 0
    for index in range(opening, min(len(structure), opening + ARGUMENTS_LIMIT)):
        char = structure[index]
        if char in _OPENERS:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(structure)


def call_chain(source: LexedSource, start: int) -> list[tuple[str, int, tuple[int, int] | None]]:
    """The ``.name`` / ``.name(...)`` segments from ``start``: (name, offset, argument span)."""
    structure = source.structure
    segments = []
    position = start
    while True:
        match = _SEGMENT.match(structure, position)
        if not match:
            return segments
        name, offset = match.group(2), match.start(2)
        position = match.end()
        arguments = None
        after = re.match(r"\s*\(", structure[position:position + 200])
        if after:
            opening = position + after.end() - 1
            end = closing_bracket(source, opening)
            arguments = (opening, end)
            position = end
        segments.append((name, offset, arguments))


def stated_parameters(source: LexedSource, spans: list[tuple[int, int]]) -> tuple[tuple[str, str | None], ...]:
    """Arguments stated in the call's brackets: each ``name=value`` or ``name: value`` in
    each span, the first value of each name, read in the first :data:`ARGUMENTS_LIMIT`
    characters of the span (a bracket not closed by then runs to the text's end)."""
    found: dict[str, str | None] = {}
    for start, end in spans:
        end = min(end, start + ARGUMENTS_LIMIT)
        stated = source.keyword_index.first_of_each(start, end)
        if stated is None:  # a match crosses an end of the span: read the span itself
            stated = {}
            for match in _KEYWORD_VALUE.finditer(source.code[start:end]):
                stated.setdefault(match.group(1), match.group(3) if match.group(2) else None)
        for name, value in stated.items():
            found.setdefault(name, value)
    return tuple(sorted(found.items()))


class KeywordIndex:
    """Every ``name=value`` and ``name: value`` of a file's code, found in one pass, so
    that the arguments of many calls (nested in one another's brackets, each span holding
    all the inner ones) are read in work that grows with what each call states, not with
    the length of its span.

    ``first_of_each`` answers what reading the span alone would, whenever no match of the
    whole text crosses either end of the span: then the matches inside are the same.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.stated: list[tuple[str, str | None]] = []
        # For each match, the index of the previous match of the same name (-1 if none):
        # the first of each name in a run of matches is one whose previous is before it.
        previous: list[int] = []
        last_of: dict[str, int] = {}
        for index, match in enumerate(_KEYWORD_VALUE.finditer(code)):
            name = match.group(1)
            self.starts.append(match.start())
            self.ends.append(match.end())
            self.stated.append((name, match.group(3) if match.group(2) else None))
            previous.append(last_of.get(name, -1))
            last_of[name] = index
        # A tree of minimums of ``previous``: leaves from ``size`` on, node ``i`` over its
        # children ``2i`` and ``2i + 1``.
        size = 1
        while size < len(previous):
            size *= 2
        tree = [len(previous)] * (2 * size)
        tree[size:size + len(previous)] = previous
        for node in range(size - 1, 0, -1):
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
        self._size, self._tree = size, tree

    def first_of_each(self, start: int, end: int) -> dict[str, str | None] | None:
        """The first value of each name stated in ``code[start:end]``, in text order;
        ``None`` when a match crosses ``start`` or ``end``, or could begin at ``start``
        (where reading the span alone sees no character before it)."""
        if start < len(self.code) and (self.code[start].isalpha() or self.code[start] == "_"):
            return None
        first = bisect.bisect_left(self.starts, start)
        stop = bisect.bisect_left(self.starts, end)
        if (first and self.ends[first - 1] > start) or (stop and self.ends[stop - 1] > end):
            return None
        found: list[int] = []
        self._firsts(1, 0, self._size, first, stop, found)
        return dict(self.stated[index] for index in sorted(found))

    def _firsts(self, node: int, low: int, high: int, first: int, stop: int, found: list[int]) -> None:
        """Append to ``found`` the matches in ``[first, stop)`` below ``node`` (covering
        ``[low, high)``) whose previous match of their name is before ``first``."""
        if high <= first or stop <= low or self._tree[node] >= first:
            return
        if high - low == 1:
            found.append(low)
            return
        middle = (low + high) // 2
        self._firsts(2 * node, low, middle, first, stop, found)
        self._firsts(2 * node + 1, middle, high, first, stop, found)


def setter_parameters(source: LexedSource, segments: list[tuple[str, int, tuple[int, int] | None]]) -> dict[str, str | None]:
    """Java ``.setFormat("full")`` and Go ``.Format("full")`` after the method call."""
    found: dict[str, str | None] = {}
    for name, offset, arguments in segments:
        if arguments is None or name in HELPER_SEGMENTS or name[:1].lower() + name[1:] in ("execute", "do"):
            continue
        parameter = name[3:] if name.startswith("set") and len(name) > 3 and name[3].isupper() else name
        parameter = parameter[:1].lower() + parameter[1:]
        inner = source.code[arguments[0] + 1:arguments[1] - 1].strip()
        literal = re.fullmatch(r"\"([^\"\n]*)\"", inner)
        found[parameter] = literal.group(1) if literal else None
    return found
