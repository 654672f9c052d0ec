"""The syntax of a call in lexed source: matching brackets, the ``.name(...)`` chain after a
client, and the arguments the code states.

It reads the structure text of :class:`~auditor.scan.lexer.LexedSource` (comments and string
contents blanked), so a bracket or a dot inside a string is never mistaken for code;
:mod:`auditor.scan.calls` decides which API method a chain is.
"""

from __future__ import annotations

import re

from auditor.scan.lexer import LexedSource

# An identifier in the languages scanned (JavaScript names may hold `$`).
IDENT = r"[A-Za-z_$][\w$]*"
_SEGMENT = re.compile(r"\s*(\?)?\.\s*(" + IDENT + r")")
_KEYWORD_VALUE = re.compile(r"(?<![\w$])([A-Za-z_]\w*)\s*[=:]\s*(?:([\"'`])([^\"'`\n]*)\2|([^\s,)}\]]))")
_SETTER_VALUE = re.compile(r"\.\s*(?:set)?([A-Za-z]\w*)\s*\(\s*(?:\"([^\"\n]*)\"|([^\s)]))")
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
    """Arguments stated in the call's brackets and in setters chained after it: read in
    the first :data:`ARGUMENTS_LIMIT` characters of each span (a bracket not closed by
    then runs to the text's end, which would make every such call read the rest of the
    file)."""
    found: dict[str, str | None] = {}
    for start, end in spans:
        text = source.code[start:min(end, start + ARGUMENTS_LIMIT)]
        for match in _KEYWORD_VALUE.finditer(text):
            found.setdefault(match.group(1), match.group(3) if match.group(2) else None)
    return tuple(sorted(found.items()))


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
