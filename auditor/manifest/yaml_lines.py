"""The quickest path of :func:`~auditor.manifest.yaml_source.parse_yaml`: block YAML read a line at a time.

Nearly every manifest is written in a small part of YAML: mappings and lists in block
style, indented with spaces; keys that are simple words; values that are plain or quoted
scalars on one line, lists or mappings of such scalars in brackets on one line, or folded or
literal blocks of text; perhaps a ``---`` line before them. This module reads exactly that
part, line by line, building the data and the position of every node as the other two paths
record them, without the Python node object and two position marks that libyaml's node tree
makes for each node.

At the first thing outside that part (a tab, an anchor or tag, a key in quotes, a scalar
over several lines, a directive or a second document, a syntax error...) it declines, after
at most linear work: the node-tree path (:mod:`auditor.manifest.yaml_nodes`) reads the text,
and the strict builder words every error. This path never reports one. Its data and
positions are the strict builder's, which the tests check on the example manifests and on
generated texts.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from auditor.manifest.yaml_nodes import IMPLICIT_RULES, PLAIN_VALUES, Built, Declined, plain_scalar
from auditor.manifest.yaml_source import MAX_DEPTH, Place

# Anything but the newline and YAML's printable characters, and what libyaml reads as a
# line break or a blank besides "\n" and the space (tab, carriage return, NEL, the line and
# paragraph separators) or drops (a byte-order mark): each declines the whole text. Written
# as these characters rather than as the complement of the others, which takes ten times
# as long to compile (7 ms, at every start). An ASCII text is asked more cheaply, by
# Python's own printable test, which agrees with YAML's there.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A key as this path reads it: a simple word, short enough to be an implicit key for
# libyaml, followed by ": " or ":" at the end of the line. A key in quotes, with blanks or
# other characters, takes another path.
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}"
_KEY = re.compile(rf"({_WORD}):(?: +|$)")
_FLOW_KEY = re.compile(rf"({_WORD}): +")
# A scalar in single quotes, or in double quotes without escapes.
_SINGLE_TEXT = r"'((?:[^']|'')*+)'"
_DOUBLE_TEXT = r'"([^"\\]*+)"'
_SINGLE = re.compile(_SINGLE_TEXT)
_DOUBLE = re.compile(_DOUBLE_TEXT)
# A scalar in brackets, and what follows it: a comma or the closing bracket. A plain one
# may not hold what ends it or a comment ("#"), nor start with an indicator but for a dash
# before a letter or digit (-1); its trailing blanks are not its own. Every run is possessive
# (``*+``): a line that does not match is refused after one pass over it, not after trying
# every shorter run (a run of blanks before a "#" would cost its length squared).
_FLOW_ITEM = re.compile(rf"(?:{_SINGLE_TEXT}|{_DOUBLE_TEXT}|"
                        r"""((?:[^-?:,\[\]{}#&*!|>'"%@` ]|-(?=[^\W_]))[^,\[\]{}#]*+))"""
                        r" *(?:(,) *|([\]}]))")
# The header of a folded or literal block: its style and chomping, no indentation digit.
_BLOCK_HEADER = re.compile(r"[|>]-?(?: *$| +#)")
# What may follow a value on its line: blanks, and a comment after at least one blank.
_LINE_END = re.compile(r"(?: +#.*| *)$")
_SPACES = re.compile(" *")
# Characters that cannot start a plain scalar here: YAML's indicators.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# How a list entry starts: a dash followed by a blank or the end of the line.
_ENTRY = frozenset({"- ", "-"})


def build_from_lines(text: str) -> Built | None:
    """``(data, root place)`` of ``text`` when it is written in the part of YAML this path
    reads; ``None`` to decline."""
    if not (text.replace("\n", "").isprintable() if text.isascii() else _UNUSUAL.search(text) is None):
        return None
    try:
        return _Reader(text.split("\n")).document()
    except Declined:
        return None


class _Reader:
    """One reading of a text's lines. ``at`` is the line read next; each node's reading
    leaves it at the first line after the node."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.total = len(lines)
        self.at = 0

    def document(self) -> Built:
        indent = self.next_content()
        line = self.lines[self.at] if indent == 0 else ""
        if line.startswith("---") and _LINE_END.match(line, 3) is not None:
            self.at += 1  # the document's start marker, alone on its line
            indent = self.next_content()
        if indent < 0:
            raise Declined  # no document: the strict builder says so
        start = (self.at + 1, indent + 1)
        data, places = self.block(indent, 0)
        if self.next_content() >= 0:
            raise Declined  # something after the root node
        return data, (start, None, places)

    def next_content(self) -> int:
        """Move ``at`` past blank and comment lines; the indentation of the line it stops
        at, or -1 at the end of the text."""
        lines = self.lines
        at = self.at
        total = self.total
        while at < total:
            line = lines[at]
            body = line.lstrip(" ")
            if body and body[0] != "#":
                self.at = at
                return len(line) - len(body)
            at += 1
        self.at = at
        return -1

    def block(self, indent: int, depth: int) -> tuple[Any, Any]:
        """The list or mapping whose first line, ``at``, is indented by ``indent``."""
        if self.lines[self.at][indent:indent + 2] in _ENTRY:
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, column: int, depth: int) -> tuple[dict[str, Any], dict[str, Place]]:
        """The mapping whose keys start at ``column``, the first of them on line ``at``."""
        if depth >= MAX_DEPTH:
            raise Declined
        lines = self.lines
        total = self.total
        data: dict[str, Any] = {}
        places: dict[str, Place] = {}
        at = self.at
        while True:
            line = lines[at]
            row = at + 1
            match = _KEY.match(line, column)
            if match is None:
                raise Declined
            written = match[1]
            key = KEY_NAMES[written] if written in KEY_NAMES else _key_name(written)
            if key in data:
                raise Declined  # a repeated key
            start = match.end()
            following = line[start:start + 1]
            if not following or following == "#":
                # After the colon: the position of an empty value (null).
                self.at = at
                value, position, inner = self.below(column, depth, (row, column + len(written) + 2), True)
                at = self.at
            elif following in _INDICATORS:
                self.at = at
                position = (row, start + 1)
                value, inner = self.inline(line, start, column, depth)
                at = self.at
            else:  # a plain scalar, the common case, read here rather than by inline()
                value = _plain(line, start)
                position = (row, start + 1)
                inner = None
                at += 1
            data[key] = value
            places[key] = (position, (row, column + 1), inner)
            # The next line with content (see next_content), found here for the same reason.
            while at < total:
                line = lines[at]
                body = line.lstrip(" ")
                if body and body[0] != "#":
                    break
                at += 1
            else:
                self.at = at
                return data, places
            indent = len(line) - len(body)
            if indent != column:
                self.at = at
                if indent > column:
                    raise Declined  # a scalar continued on the next line, or a syntax error
                return data, places

    def sequence(self, column: int, depth: int) -> tuple[list[Any], list[Place]]:
        """The list whose dashes stand at ``column``, the first of them on line ``at``."""
        if depth >= MAX_DEPTH:
            raise Declined
        lines = self.lines
        items: list[Any] = []
        places: list[Place] = []
        while True:
            at = self.at
            line = lines[at]
            start = _SPACES.match(line, column + 1).end()
            following = line[start:start + 1]
            if not following or following == "#":
                # After the dash: the position of an empty entry (null).
                value, position, inner = self.below(column, depth, (at + 1, column + 2), False)
            else:
                position = (at + 1, start + 1)
                if line[start:start + 2] in _ENTRY:
                    raise Declined  # a list that starts on its parent's dash
                if _KEY.match(line, start) is not None:
                    value, inner = self.mapping(start, depth + 1)
                else:
                    value, inner = self.inline(line, start, column, depth)
            items.append(value)
            places.append((position, None, inner))
            indent = self.next_content()
            if indent != column or lines[self.at][column:column + 2] not in _ENTRY:
                if indent > column:
                    raise Declined
                return items, places

    def below(self, column: int, depth: int, empty: tuple[int, int], indentless: bool) -> tuple[Any, Any, Any]:
        """The value of a key or dash with nothing after it on its line: the block on the
        lines below (indented further, or a list at the key's own indentation when
        ``indentless``), else null at ``empty``. Its value, position and inner places."""
        self.at += 1
        indent = self.next_content()
        if indent > column or (indentless and indent == column and self.lines[self.at][column:column + 2] in _ENTRY):
            position = (self.at + 1, indent + 1)
            value, inner = self.block(indent, depth + 1)
            return value, position, inner
        return None, empty, None

    def inline(self, line: str, start: int, parent: int, depth: int) -> tuple[Any, Any]:
        """The value that starts on ``line`` at ``start`` (its parent's key or dash at
        ``parent``) and its inner places."""
        first = line[start]
        if first in _INDICATORS:
            if first == "'" or first == '"':
                value = _quoted(line, start)
            elif first == "[" or first == "{":
                self.at += 1
                return _flow(line, start, self.at, depth + 1)
            elif first == "|" or first == ">":
                return self.text_block(line, start, parent), None
            elif first == "-" and line[start + 1:start + 2].isalnum():
                value = _plain(line, start)  # a negative number, or a word after a dash
            else:
                raise Declined  # an anchor, alias, tag, directive or other indicator
        else:
            value = _plain(line, start)
        self.at += 1
        return value, None

    def text_block(self, line: str, start: int, parent: int) -> str:
        """A folded (``>``) or literal (``|``) block whose header is on ``line`` at
        ``start``; its lines must be indented further than ``parent``."""
        if _BLOCK_HEADER.match(line, start) is None:
            raise Declined  # an indentation digit, "+" chomping, or text after the header
        lines = self.lines
        total = self.total
        at = self.at + 1
        parts: list[str] = []
        indent = -1
        last = -1
        while at < total:
            text = lines[at]
            body = text.lstrip(" ")
            if not body:
                if indent < 0 or len(text) > indent:
                    raise Declined  # blank lines before the text, or blanks kept as content
                parts.append("")
            else:
                spaces = len(text) - len(body)
                if indent < 0:
                    if spaces <= parent:
                        raise Declined  # an empty block
                    indent = spaces
                elif spaces < indent:
                    break
                elif spaces > indent and line[start] == ">":
                    raise Declined  # a line indented further, which folding keeps as it is
                parts.append(text[indent:])
                last = at
            at += 1
        if last < 0 or last == total - 1:
            raise Declined  # no text, or text that ends without a line break
        self.at = at
        del parts[len(parts) - (at - 1 - last):]
        value = "\n".join(parts) if line[start] == "|" else _folded(parts)
        return value if line[start + 1:start + 2] == "-" else value + "\n"


# The key names read so far, each as one interned text: the mappings of a manifest (and of
# the next) repeat a few dozen names, held once rather than once per mapping, and the rules'
# look-ups of them (interned names in the code) compare pointers rather than characters.
# Never emptied, so a name found in it is still there when it is taken; past its bound, a
# name is interned without being remembered (and still held once).
KEY_NAMES: dict[str, str] = {}
_KEY_NAMES_LIMIT = 4096


def _key_name(written: str) -> str:
    """The key a simple word names, as one interned text (remembered in :data:`KEY_NAMES`
    while it has room); declined when it reads as a number, a boolean or null."""
    key = plain_scalar(written)
    if key.__class__ is not str:
        raise Declined
    key = sys.intern(key)
    if len(KEY_NAMES) < _KEY_NAMES_LIMIT:
        KEY_NAMES[written] = key
    return key


def _plain(line: str, start: int) -> Any:
    """The plain scalar that starts on ``line`` at ``start`` and ends before a comment or the
    line's end."""
    cut = line.find(" #", start)
    return _plain_value((line[start:] if cut < 0 else line[start:cut]).rstrip(" "))


def _plain_value(text: str) -> Any:
    """The value of a plain scalar written as ``text`` (no blank at either end)."""
    if ": " in text or text[-1] == ":":
        raise Declined  # a mapping where a scalar was expected: a syntax error
    if text[0] not in IMPLICIT_RULES and None not in IMPLICIT_RULES:
        return text  # a string, whatever it says
    return PLAIN_VALUES[text] if text in PLAIN_VALUES else plain_scalar(text)


def _folded(parts: list[str]) -> str:
    """Lines of a folded block joined: by a space, or by a newline for each blank line
    between them."""
    out = [parts[0]]
    breaks = 0
    for part in parts[1:]:
        if part:
            out.append("\n" * breaks if breaks else " ")
            out.append(part)
            breaks = 0
        else:
            breaks += 1
    return "".join(out)


def _quoted(line: str, start: int) -> str:
    """A scalar in single quotes, or in double quotes without escapes, alone on the rest of
    ``line``."""
    if line[start] == "'":
        match = _SINGLE.match(line, start)
        value = None if match is None else match.group(1).replace("''", "'")
    else:
        match = _DOUBLE.match(line, start)
        value = None if match is None else match.group(1)
    if match is None or _LINE_END.match(line, match.end()) is None:
        raise Declined
    return value  # type: ignore[return-value]


def _flow(line: str, start: int, row: int, depth: int) -> tuple[Any, Any]:
    """A list (``[``) or mapping (``{``) of scalars that opens on ``line`` (line ``row``)
    at ``start`` and closes on it, and its inner places."""
    if depth >= MAX_DEPTH:
        raise Declined
    closing = "}" if line[start] == "{" else "]"
    items: Any = {} if closing == "}" else []
    places: Any = {} if closing == "}" else []
    at = _SPACES.match(line, start + 1).end()
    if line[at:at + 1] == closing:
        at += 1
    else:
        at = _flow_items(line, at, row, closing, items, places)
    if _LINE_END.match(line, at) is None:
        raise Declined
    return items, places


def _flow_items(line: str, at: int, row: int, closing: str, items: Any, places: Any) -> int:
    """Read the scalars (and, in a mapping, their keys) from ``at`` to the closing bracket
    into ``items`` and their positions into ``places``; where the collection ends."""
    mapping = closing == "}"
    key: Any = None
    key_at = 0
    while True:
        if mapping:
            key_match = _FLOW_KEY.match(line, at)
            if key_match is None:
                raise Declined
            written = key_match.group(1)
            key = KEY_NAMES[written] if written in KEY_NAMES else _key_name(written)
            if key in items:
                raise Declined
            key_at = at
            at = key_match.end()
        match = _FLOW_ITEM.match(line, at)
        if match is None:
            raise Declined  # a nested collection, an empty entry, a comment, an indicator...
        single, double, plain, comma, ending = match.groups()
        if plain is not None:
            value = _plain_value(plain.rstrip(" "))
        else:
            value = double if single is None else single.replace("''", "'")
        if mapping:
            items[key] = value
            places[key] = ((row, at + 1), (row, key_at + 1), None)
        else:
            items.append(value)
            places.append(((row, at + 1), None, None))
        at = match.end()
        if comma is None:
            if ending != closing:
                raise Declined
            return at
