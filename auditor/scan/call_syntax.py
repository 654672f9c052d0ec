"""The syntax of a call in lexed source: matching brackets, the ``.name(...)`` chain after a
client, and the arguments the code states.

It reads the structure text of :class:`~auditor.scan.lexer.LexedSource` (comments and string
contents blanked), so a bracket or a dot inside a string is never mistaken for code;
:mod:`auditor.scan.calls` decides which API method a chain is.
"""

from __future__ import annotations

import bisect
import re
from typing import Sequence

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
    """Arguments a call states in its brackets, each span opening at one of them: each
    ``name=value`` or ``name: value`` directly in the brackets, or directly in an object
    literal that is one of the arguments (Node's ``get({userId: 'me', format: 'full'})``, Apps
    Script's optional arguments), never one of a call or object nested deeper (``id=pick(
    format="full")``, ``requestBody: {format: ...}``), which is another call's or the request
    body's. The first value of each name, read in the first :data:`ARGUMENTS_LIMIT` characters
    of the span (a bracket not closed by then runs to the text's end)."""
    found: dict[str, str | None] = {}
    index = source.keyword_index
    for start, end in spans:
        for name, value in index.stated_in(start, min(end, start + ARGUMENTS_LIMIT)):
            found.setdefault(name, value)
    return tuple(sorted(found.items()))


# A ``name=value`` or ``name: value`` of the code: its offset, name and literal value (``None``
# when the value is not a literal).
_Stated = tuple[int, str, str | None]


class KeywordIndex:
    """Every ``name=value`` and ``name: value`` of a file's code, found in one pass and filed
    under the bracket that directly holds it, with every opening brace filed under the
    bracket that directly holds it: a call's own arguments are then looked up in work that
    grows with what the call states, however many calls are nested in its brackets.

    A pair inside a string literal (``q="format=full"``) is not code and is not filed.
    """

    def __init__(self, code: str, structure: str) -> None:
        # By offset of an opening bracket: the pairs directly inside it, and the opening
        # braces directly inside it, each in text order.
        self._held: dict[int, list[_Stated]] = {}
        self._braces: dict[int, list[int]] = {}
        open_at: list[int] = []
        brackets = _BRACKET.finditer(structure)
        bracket = next(brackets, None)
        for match in _KEYWORD_VALUE.finditer(code):
            start = match.start()
            while bracket is not None and bracket.start() < start:
                self._bracket(bracket.start(), structure[bracket.start()], open_at)
                bracket = next(brackets, None)
            if open_at and structure[start] == code[start]:
                self._held.setdefault(open_at[-1], []).append(
                    (start, match.group(1), match.group(3) if match.group(2) else None))

    def _bracket(self, offset: int, char: str, open_at: list[int]) -> None:
        if char in _OPENERS:
            if char == "{" and open_at:
                self._braces.setdefault(open_at[-1], []).append(offset)
            open_at.append(offset)
        elif open_at:  # any closing bracket closes the innermost open one, as in bracket_ends
            open_at.pop()

    def stated_in(self, opening: int, end: int) -> list[tuple[str, str | None]]:
        """The pairs before ``end`` directly in the bracket at ``opening`` or directly in an
        object literal directly in it, as (name, value) in text order."""
        pairs = self._before(self._held.get(opening, ()), end)
        braces = self._braces.get(opening, ())
        for brace in braces[:bisect.bisect_left(braces, end)]:
            pairs += self._before(self._held.get(brace, ()), end)
        pairs.sort()
        return [(name, value) for _offset, name, value in pairs]

    @staticmethod
    def _before(pairs: Sequence[_Stated], end: int) -> list[_Stated]:
        return list(pairs[:bisect.bisect_left(pairs, (end,))])


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
