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


def closing_bracket(structure: str, opening: int) -> int:
    """Offset just past the bracket matching the one at ``opening`` (the text's end if none)."""
    depth = 0
    pairs = {"(": ")", "[": "]", "{": "}"}
    for index in range(opening, min(len(structure), opening + 20000)):
        char = structure[index]
        if char in pairs:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(structure)


def call_chain(structure: str, start: int) -> list[tuple[str, int, tuple[int, int] | None]]:
    """The ``.name`` / ``.name(...)`` segments from ``start``: (name, offset, argument span)."""
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
            end = closing_bracket(structure, opening)
            arguments = (opening, end)
            position = end
        segments.append((name, offset, arguments))


def stated_parameters(source: LexedSource, spans: list[tuple[int, int]]) -> tuple[tuple[str, str | None], ...]:
    """Arguments stated in the call's brackets and in setters chained after it."""
    found: dict[str, str | None] = {}
    for start, end in spans:
        text = source.code[start:end]
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
