"""Strict YAML reading with a position for every node.

PyYAML's own loaders keep the last of two duplicate keys, expand aliases without limit and
forget where each value came from. A compliance tool can afford none of that, so this module
builds plain JSON-like data from PyYAML's event stream (the libyaml C parser where the
machine has it) and, on the way:

* records the 1-based line and column of every value (and of every mapping key) in a tree
  that mirrors the data, so any JSON Pointer can be located and the index stays as large
  as the text;
* rejects duplicate keys, non-string keys, unsupported tags and a second document;
* bounds nesting depth and the number of nodes that aliases may add, so an alias bomb is
  refused as soon as it starts to grow;
* turns every scalar that cannot be built (``!!int ""``, ``!!bool maybe``, an integer of
  thousands of digits) and PyYAML's own refusals (libyaml's nesting limit) into located
  errors of ours.

Timestamps stay the strings they were written as (JSON Schema's ``format: date`` reads them).

Nearly every manifest takes a faster road to the same result. Block YAML of simple keys and
one-line scalars is read a line at a time by :mod:`auditor.manifest.yaml_lines`; other plain
YAML is built by libyaml's C composer as a node tree, which
:mod:`auditor.manifest.yaml_nodes` walks once. Each path declines what it does not read, and
the event builder in :mod:`auditor.manifest.yaml_events` handles the rest and words every
error. Reading the file (its kind, its size, its encoding) is
:mod:`auditor.manifest.file_reading`'s part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.manifest.file_reading import DEFAULT_MAX_BYTES, read_text
from auditor.model.errors import AuditorError, ManifestError

MAX_DEPTH = 64
# Python refuses to turn an integer of more than 4300 digits into text (and back); a
# manifest has no use for such numbers, so the loader refuses them first, with a position.
MAX_INTEGER_DIGITS = 4300
_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
# The plain scalars that ``!!null`` accepts.
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})

Position = tuple[int, int]


def integer_too_large(number: int) -> bool:
    """Whether ``number`` has more than :data:`MAX_INTEGER_DIGITS` digits."""
    return abs(number) >= _INTEGER_BOUND


def escape_pointer_token(token: str) -> str:
    """Escape one reference token of a JSON Pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


# Where one node was written: its value's position, its key's (``None`` for a list item and
# the root), and its children's places: by escaped pointer token for a mapping, by index for
# a list, ``None`` for a scalar and for a value whose inside is not recorded (an alias, a
# merged key). A tree, not a table of pointers: a table keyed by pointer repeats each key in
# the pointer of every node below it, which grows with depth times key length per node.
# A position is recorded as the strict builder words it, a 1-based ``(line, column)``, or, on
# the node-tree path, as libyaml's own mark of the node (0-based ``line`` and ``column``):
# read once per node but turned into numbers only for the few nodes a reader asks about.
Place = tuple[Any, Any, "dict[str, Place] | list[Place] | None"]


def position_of(written: Any) -> Position:
    """The 1-based ``(line, column)`` of a position as a :data:`Place` records it."""
    return written if written.__class__ is tuple else (written.line + 1, written.column + 1)


def _is_index(token: str) -> bool:
    """Whether ``token`` is a list index as a JSON Pointer writes it (``0``, ``17``, not ``07``)."""
    return token.isascii() and token.isdigit() and (token == "0" or token[0] != "0")


@dataclass(frozen=True)
class YamlDocument:
    """Data read from one YAML file plus where each part of it was written."""

    path: str
    data: Any
    root: Place = field(repr=False)

    def _deepest(self, pointer: str) -> tuple[Place, bool]:
        """The place of ``pointer``'s deepest recorded node, and whether it is ``pointer``'s own."""
        place = self.root
        if not pointer:
            return place, True
        if pointer[0] != "/":
            return place, False
        for token in pointer[1:].split("/"):
            children = place[2]
            if children.__class__ is dict:
                child = children.get(token)
            elif children is not None and _is_index(token) and int(token) < len(children):
                child = children[int(token)]
            else:
                child = None
            if child is None:
                return place, False
            place = child
        return place, True

    def nearest(self, pointer: str) -> tuple[str, Position]:
        """``pointer`` itself when the data has that node, else its nearest parent that it
        has (``""`` for the document), and where that node was written, as :meth:`locate`
        gives it. Inside an alias or a merged key, whose inside has no positions of its own,
        the node's position is its deepest recorded ancestor's."""
        return NodeFinder(self).nearest(pointer)

    def locate(self, pointer: str) -> Position:
        """Line and column of the value at ``pointer``, or of its nearest recorded ancestor."""
        return position_of(self._deepest(pointer)[0][0])

    def locate_key(self, pointer: str) -> Position:
        """Line and column of the key that names ``pointer`` (its value's when it has none)."""
        place, own = self._deepest(pointer)
        return position_of((place[1] or place[0]) if own else place[0])


class NodeFinder:
    """:meth:`YamlDocument.nearest` for the many pointers one reader asks about a document
    (the rule engine: dozens per manifest, most of them one step below another), each
    found one step below its parent, which is found once.

    A working object: it remembers every node it was asked about, so it lives as long as
    one reading of the document.
    """

    def __init__(self, document: YamlDocument) -> None:
        # Each pointer asked about: its node, the place that gives its position (its own,
        # or its deepest recorded ancestor's inside an alias) and whether that place is its
        # own; ``None`` when the data has no such node.
        self._entries: dict[str, tuple[Any, Place, bool] | None] = {"": (document.data, document.root, True)}
        self._root = document.root

    def nearest(self, pointer: str) -> tuple[str, Position]:
        """What :meth:`YamlDocument.nearest` answers for ``pointer`` (a text that is not a
        JSON Pointer names no node: the document's)."""
        entries = self._entries
        entry = entries.get(pointer, _UNSEEN)
        if entry is _UNSEEN:
            if not pointer.startswith("/"):
                return "", position_of(self._root[0])
            entry = self._entry(pointer)
        shown = pointer
        while entry is None:
            shown = shown[:shown.rindex("/")]
            entry = entries[shown]
        return shown, position_of(entry[1][0])

    def _entry(self, pointer: str) -> tuple[Any, Place, bool] | None:
        """The entry of a pointer not asked about before, found one step below its parent's
        (an ancestor not asked about before is found first, the same way)."""
        entries = self._entries
        cut = pointer.rindex("/")
        parent = entries.get(pointer[:cut], _UNSEEN)
        if parent is _UNSEEN:
            parent = self._entry(pointer[:cut])
        if parent is None:
            entries[pointer] = None
            return None
        # One step, written out here rather than called: the engine asks about dozens of
        # pointers per manifest, each new, and most of them items of a list.
        node, place, recorded = parent
        escaped = pointer[cut + 1:]
        children = place[2] if recorded else None
        if isinstance(node, dict):
            token = escaped.replace("~1", "/").replace("~0", "~") if "~" in escaped else escaped
            if token not in node:
                entries[pointer] = None
                return None
            child_node = node[token]
            child = children.get(escaped) if children.__class__ is dict else None
        elif isinstance(node, list) and escaped.isascii() and escaped.isdigit() and int(escaped) < len(node):
            index = int(escaped)
            child_node = node[index]
            # A place is recorded under an index as a JSON Pointer writes it (``7``, not ``07``).
            child = (children[index] if children.__class__ is list and index < len(children)
                     and _is_index(escaped) else None)
        else:
            entries[pointer] = None
            return None
        entry = entries[pointer] = (child_node, child, True) if child is not None else (child_node, place, False)
        return entry


# What the node finder has not been asked about yet (``None`` is a node it found missing).
_UNSEEN: Any = object()


def load_yaml_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
                   error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Read and parse one YAML file; raises ``error_type`` (or :class:`ErrorList` of them)."""
    shown = display or str(path)
    return parse_yaml(read_text(path, max_bytes, shown, error_type), shown, error_type)


def parse_yaml(text: str, path: str, error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Parse YAML text into data plus position indexes (see the module docstring).

    Block YAML of simple keys and one-line scalars, nearly every manifest, is read a line at
    a time (:mod:`auditor.manifest.yaml_lines`); other plain YAML is built from libyaml's
    node tree (:mod:`auditor.manifest.yaml_nodes`); the rest, and every error, from the event
    stream by :func:`~auditor.manifest.yaml_events.parse_yaml_strictly`. All three give the
    same data and positions.
    """
    from auditor.manifest.yaml_lines import build_from_lines

    built = build_from_lines(text)
    if built is None:
        from auditor.manifest.yaml_nodes import build_from_nodes

        built = build_from_nodes(text)
    if built is not None:
        return YamlDocument(path, *built)
    from auditor.manifest.yaml_events import parse_yaml_strictly

    return parse_yaml_strictly(text, path, error_type)
