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
* refuses oversized, binary, non-UTF-8 and empty input before parsing, and anything that is
  not a regular file (a FIFO, a device, a socket) without opening it;
* turns every scalar that cannot be built (``!!int ""``, ``!!bool maybe``, an integer of
  thousands of digits) and PyYAML's own refusals (libyaml's nesting limit) into located
  errors of ours.

Timestamps stay the strings they were written as (JSON Schema's ``format: date`` reads them).

Plain YAML, nearly every manifest, takes a faster road to the same result: libyaml's C
composer builds the node tree and :mod:`auditor.manifest.yaml_nodes` walks it once. That
path declines anything else, and the event builder here handles it and words every error.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from auditor.model.errors import AuditorError, ManifestError, ErrorList

try:  # libyaml is an optional part of PyYAML; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _ParserLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParserLoader  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000
# Python refuses to turn an integer of more than 4300 digits into text (and back); a
# manifest has no use for such numbers, so the loader refuses them first, with a position.
MAX_INTEGER_DIGITS = 4300
_INTEGER_BOUND = 10**MAX_INTEGER_DIGITS
# The plain scalars that ``!!null`` accepts.
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})

_resolver = Resolver()
_constructor = SafeConstructor()
_SCALAR_BUILDERS = {
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
}

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
Place = tuple[Position, "Position | None", "dict[str, Place] | list[Place] | None"]


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

    def locate(self, pointer: str) -> Position:
        """Line and column of the value at ``pointer``, or of its nearest recorded ancestor."""
        return self._deepest(pointer)[0][0]

    def locate_key(self, pointer: str) -> Position:
        """Line and column of the key that names ``pointer`` (its value's when it has none)."""
        place, own = self._deepest(pointer)
        return (place[1] or place[0]) if own else place[0]


def _position_of_offset(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


_FILE_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def refuse_special_file(mode: int, shown: str, error_type: type[AuditorError]) -> None:
    """Raise ``error_type`` unless ``mode`` (from ``os.stat``) is a regular file's."""
    if stat.S_ISREG(mode):
        return
    for test, message in _FILE_KINDS:
        if test(mode):
            raise error_type(message, shown)
    raise error_type("is not a regular file", shown)


def read_bytes(path: str | Path, max_bytes: int, shown: str, error_type: type[AuditorError] = ManifestError) -> bytes:
    """Up to ``max_bytes + 1`` bytes of a regular file.

    The file is checked with ``os.stat`` before it is opened: opening a FIFO for reading
    blocks until a writer comes, and a device can be endless. It is opened non-blocking and
    checked again, in case it was swapped for something else in between.
    """
    try:
        refuse_special_file(os.stat(path).st_mode, shown, error_type)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise error_type("no such file", shown) from None
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror or exc}", shown) from None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            status = os.fstat(handle.fileno())
            refuse_special_file(status.st_mode, shown, error_type)
            # Ask for the size the file has (plus one byte), not for max_bytes + 1: a read
            # sets aside all it asks for first, and a manifest of a few KiB would pay for
            # the whole limit. More than that size means the file grew (or, like /proc
            # files, tells no size): then read on, up to the limit.
            data = handle.read(min(status.st_size, max_bytes) + 1)
            if status.st_size < len(data) <= max_bytes:
                data += handle.read(max_bytes + 1 - len(data))
            return data
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror or exc}", shown) from None


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
              error_type: type[AuditorError] = ManifestError) -> str:
    """Read a file as UTF-8 text, refusing what is too large, binary or not UTF-8."""
    shown = display or str(path)
    return decode_bytes(read_bytes(path, max_bytes, shown, error_type), shown, max_bytes, error_type)


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
              (b"\xfe\xff", "UTF-16"))


def wide_encoding(raw: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when ``raw`` starts with that encoding's byte-order mark
    or looks like it (an ASCII first character next to NUL bytes)."""
    for mark, name in _WIDE_BOMS:
        if raw.startswith(mark):
            return name
    head = raw[:4]
    if len(head) == 4 and head[1:4] == b"\x00\x00\x00" or head[:3] == b"\x00\x00\x00":
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def decode_bytes(raw: bytes, shown: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 error_type: type[AuditorError] = ManifestError, kind: str = "YAML") -> str:
    """Check and decode the raw bytes of a YAML (or ``kind``) file (see :func:`read_text`)."""
    if len(raw) > max_bytes:
        raise error_type(
            f"the file is larger than the {_format_size(max_bytes)} limit",
            shown,
            1,
            1,
            hint="raise the limit with --max-size if the file is genuine",
        )
    wide = wide_encoding(raw)
    if wide is not None:
        raise error_type(f"the file is {wide} text; wsaudit reads UTF-8", shown, 1, 1, hint="save the file as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        text_before = raw[:nul].decode("utf-8", errors="replace")
        line, column = _position_of_offset(text_before, len(text_before))
        raise error_type(f"binary content (NUL byte): this is not a {kind} text file", shown, line, column)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        line, column = _position_of_offset(good, len(good))
        raise error_type(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", shown, line, column,
            hint="save the file as UTF-8",
        ) from None
    if not text.strip():
        raise error_type("the file is empty", shown, 1, 1)
    return text


def _format_size(size: int) -> str:
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"


def load_yaml_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
                   error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Read and parse one YAML file; raises ``error_type`` (or :class:`ErrorList` of them)."""
    shown = display or str(path)
    return parse_yaml(read_text(path, max_bytes, shown, error_type), shown, error_type)


class _Frame:
    __slots__ = ("value", "places", "anchor", "size", "pending_key", "pending_token", "pending_key_position",
                 "skip_value", "merges", "merge_position", "is_map")

    def __init__(self, value: Any, places: Any, anchor: str | None, is_map: bool) -> None:
        self.value = value
        self.places = places
        self.anchor = anchor
        self.size = 1
        self.pending_key: str | None = None
        self.pending_token = ""
        self.pending_key_position: Position | None = None
        self.skip_value = False
        self.merges: list[tuple[Any, Position]] | None = None
        self.merge_position: Position = (1, 1)
        self.is_map = is_map


def parse_yaml(text: str, path: str, error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Parse YAML text into data plus position indexes (see the module docstring).

    Plain YAML, nearly every manifest, is built from libyaml's node tree
    (:mod:`auditor.manifest.yaml_nodes`); the rest, and every error, from the event stream
    by :func:`parse_yaml_strictly`. Both give the same data and positions.
    """
    from auditor.manifest.yaml_nodes import build_from_nodes

    built = build_from_nodes(text)
    if built is not None:
        return YamlDocument(path, *built)
    return parse_yaml_strictly(text, path, error_type)


def parse_yaml_strictly(text: str, path: str, error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Parse YAML text from PyYAML's event stream: the builder that handles every input.

    It takes aliases (counting what they add), merge keys and tags, and turns every problem
    into a located error; :func:`parse_yaml` uses it for whatever the fast path declines.
    """
    builder = _Builder(path, error_type)
    try:
        builder.run(yaml.parse(text, Loader=_ParserLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        too_deep = _too_deep_before(text, mark.index if mark is not None else len(text))
        if too_deep is not None:
            # The parser refused the text before our builder saw that deep: say it our way.
            line, column = _position_of_offset(text, too_deep)
            raise error_type(f"nesting deeper than {MAX_DEPTH} levels", path, line, column) from None
        raise _translate_marked(exc, path, error_type) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position_of_offset(text, exc.position)
        raise error_type(f"character {exc.character!r} is not allowed in YAML", path, line, column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise error_type(f"cannot parse YAML: {exc}", path) from None
    if builder.errors:
        raise ErrorList(builder.errors)
    if not builder.documents:
        raise error_type("the file holds no YAML document (only comments?)", path, 1, 1)
    return YamlDocument(path, builder.result, builder.root)


_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


def _too_deep_before(text: str, end: int) -> int | None:
    """Offset of the first flow bracket that opens level ``MAX_DEPTH + 1`` before ``end``.

    libyaml's scanner reads a whole run of ``[[[[…`` ahead of the events and refuses it with
    its own message (at its own limit) before the builder sees level ``MAX_DEPTH + 1``. This
    approximate scan (flow brackets outside quotes and comments) runs only on text the
    parser has already refused, to word the refusal as ours; it never refuses valid YAML.
    """
    depth = 0
    index = 0
    previous = "\n"
    while index < end:
        char = text[index]
        if char in _OPENERS:
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        elif char == "#" and previous in " \t\n":
            newline = text.find("\n", index)
            index = end if newline < 0 else newline
            continue
        elif char in "'\"" and previous in " \t\n[{,:-?":
            index = _end_of_quoted(text, index, end)
            previous = char
            continue
        previous = char
        index += 1
    return None


def _end_of_quoted(text: str, start: int, end: int) -> int:
    quote = text[start]
    index = start + 1
    while index < end:
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and text.startswith("''", index):
                index += 2
                continue
            return index + 1
        index += 1
    return end


def _translate_marked(exc: yaml.MarkedYAMLError, path: str, error_type: type[AuditorError]) -> AuditorError:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or "invalid YAML"
    if exc.context and exc.context_mark is not None:
        message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
    elif exc.context:
        message += f" ({exc.context})"
    if mark is None:
        return error_type(f"invalid YAML: {message}", path)
    return error_type(f"invalid YAML: {message}", path, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a PyYAML event stream into data, positions and errors."""

    def __init__(self, path: str, error_type: type[AuditorError]) -> None:
        self.path = path
        self.error_type = error_type
        self.errors: list[AuditorError] = []
        self.root: Place = ((1, 1), None, None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        self.documents = 0
        self.result: Any = None

    def fail(self, message: str, mark: Any, hint: str | None = None) -> AuditorError:
        return self.error_type(message, self.path, mark.line + 1, mark.column + 1, hint)

    def run(self, events: Any) -> None:
        stack: list[_Frame] = []
        for event in events:
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(
                        "expected a single YAML document; a second one starts here",
                        event.start_mark,
                        hint="split the documents into separate files",
                    )
                continue
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame.merges:
                    self._apply_merges(frame)
                if frame.anchor is not None:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (frame.value, frame.size)
                self._attach(stack, frame.value, frame.size)
                continue

            top = stack[-1] if stack else None
            if top is not None and top.is_map and top.pending_key is None:
                self._take_key(top, event)
                continue

            places: dict[str, Place] | list[Place] | None = None
            if kind is yaml.MappingStartEvent:
                places = {}
            elif kind is yaml.SequenceStartEvent:
                places = []
            self._record((event.start_mark.line + 1, event.start_mark.column + 1), places, top)
            if kind is yaml.ScalarEvent:
                value = self._scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                self._attach(stack, value, 1)
            elif kind is yaml.AliasEvent:
                value, size = self._alias(event)
                self._attach(stack, value, size)
            else:
                is_map = kind is yaml.MappingStartEvent
                allowed = _MAP_TAGS if is_map else _SEQ_TAGS
                if event.tag not in allowed:
                    raise self.fail(f"unsupported YAML tag {event.tag!r}", event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                stack.append(_Frame({} if is_map else [], places, event.anchor, is_map))

    def _record(self, position: Position, places: Any, top: _Frame | None) -> None:
        """Note where the value about to be built starts, in its parent's places."""
        if top is None:
            self.root = (position, None, places)
        elif not top.is_map:
            top.places.append((position, None, places))
        elif not top.skip_value:
            top.places[top.pending_token] = (position, top.pending_key_position, places)
        elif top.pending_key == "<<":
            top.merge_position = position

    def _take_key(self, frame: _Frame, event: Any) -> None:
        if type(event) is yaml.AliasEvent:
            key: Any = self._alias(event)[0]
            tag = None
        elif type(event) is yaml.ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolver.resolve(ScalarNode, event.value, event.implicit)
            key = event.value if tag == _MERGE else self._scalar(event)
        else:
            raise self.fail("a mapping key must be a plain string, not a list or mapping", event.start_mark)
        mark = event.start_mark
        if tag == _MERGE:
            frame.pending_key = "<<"
            frame.skip_value = True
            if frame.merges is None:
                frame.merges = []
            return
        if not isinstance(key, str):
            self.errors.append(
                self.fail(
                    f"a mapping key must be a string; {key!r} reads as {type(key).__name__}",
                    mark,
                    hint=f"quote it: \"{event.value}\"" if hasattr(event, "value") else None,
                )
            )
            key = str(key)
        token = escape_pointer_token(key)
        if key in frame.value:
            first = frame.places.get(token)
            where = f" (first defined at line {first[1][0]})" if first and first[1] else ""
            self.errors.append(self.fail(f"duplicate key {key!r}{where}", mark))
            frame.skip_value = True
        frame.pending_key = key
        frame.pending_token = token
        frame.pending_key_position = (mark.line + 1, mark.column + 1)

    def _attach(self, stack: list[_Frame], value: Any, size: int) -> None:
        if not stack:
            self.result = value
            return
        top = stack[-1]
        top.size += size
        if top.is_map:
            key = top.pending_key
            top.pending_key = None
            if top.skip_value:
                top.skip_value = False
                if key == "<<" and top.merges is not None:
                    top.merges.append((value, top.merge_position))
                return
            top.value[key] = value
        else:
            top.value.append(value)

    def _apply_merges(self, frame: _Frame) -> None:
        for merged, position in frame.merges or ():
            sources = merged if isinstance(merged, list) else [merged]
            for source in sources:
                if not isinstance(source, dict):
                    self.errors.append(
                        self.error_type("a merge key (<<) takes a mapping or a list of mappings", self.path, *position)
                    )
                    continue
                for key, value in source.items():
                    if key not in frame.value:
                        frame.value[key] = value
                        frame.places.setdefault(escape_pointer_token(key), (position, None, None))

    def _alias(self, event: Any) -> tuple[Any, int]:
        name = event.anchor
        if name in self.open_anchors:
            raise self.fail(f"alias *{name} refers to the node that contains it (a recursive alias)", event.start_mark)
        if name not in self.anchors:
            raise self.fail(f"alias *{name} names no anchor defined before it", event.start_mark)
        value, size = self.anchors[name]
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.fail(
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (an alias bomb?)",
                event.start_mark,
                hint="write the data out instead of nesting aliases",
            )
        return value, size

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR or tag == _TIMESTAMP:
            return event.value
        builder = _SCALAR_BUILDERS.get(tag)
        if builder is None:
            raise self.fail(f"unsupported YAML tag {tag!r}", event.start_mark, hint="remove the tag")
        short = tag.rsplit(":", 1)[-1]
        text = event.value
        if short == "int" and len(text) > MAX_INTEGER_DIGITS:
            raise self._too_long_integer(event)
        if short == "null" and text not in NULL_WORDS:
            raise self.fail(f"{_shorten(text)} is not a null value (~, null or nothing)", event.start_mark,
                            hint="remove the !!null tag")
        try:
            value = builder(ScalarNode(tag, text))
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            raise self.fail(f"{_shorten(text)} cannot be read as !!{short}", event.start_mark,
                            hint=f"write a valid {short} or quote the value to make it a string") from None
        if short == "int" and integer_too_large(value):
            raise self._too_long_integer(event)
        return value

    def _too_long_integer(self, event: Any) -> AuditorError:
        return self.fail(f"an integer of more than {MAX_INTEGER_DIGITS} digits is not supported", event.start_mark,
                         hint="quote it to make it a string")


def _shorten(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
