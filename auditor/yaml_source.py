"""Strict YAML reading with a position for every node.

PyYAML's own loaders keep the last of two duplicate keys, expand aliases without limit and
forget where each value came from. A compliance tool can afford none of that, so this module
builds plain JSON-like data from PyYAML's event stream (the libyaml C parser where the
machine has it) and, on the way:

* records the 1-based line and column of every value (and of every mapping key) under its
  JSON Pointer;
* rejects duplicate keys, non-string keys, unsupported tags and a second document;
* bounds nesting depth and the number of nodes that aliases may add, so an alias bomb is
  refused as soon as it starts to grow;
* refuses oversized, binary, non-UTF-8 and empty input before parsing.

Timestamps stay the strings they were written as (JSON Schema's ``format: date`` reads them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from auditor.errors import AuditorError, ManifestError, ErrorList

try:  # libyaml is an optional part of PyYAML; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _ParserLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParserLoader  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000

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


def escape_pointer_token(token: str) -> str:
    """Escape one reference token of a JSON Pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def parent_pointer(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if pointer else ""


@dataclass(frozen=True)
class YamlDocument:
    """Data read from one YAML file plus where each part of it was written."""

    path: str
    data: Any
    positions: dict[str, Position] = field(repr=False)
    key_positions: dict[str, Position] = field(repr=False)

    def locate(self, pointer: str) -> Position:
        """Line and column of the value at ``pointer``, or of its nearest recorded ancestor."""
        while True:
            found = self.positions.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (1, 1)
            pointer = parent_pointer(pointer)

    def locate_key(self, pointer: str) -> Position:
        """Line and column of the key that names ``pointer`` (its value's when it has none)."""
        return self.key_positions.get(pointer) or self.locate(pointer)


def _position_of_offset(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
              error_type: type[AuditorError] = ManifestError) -> str:
    """Read a file as UTF-8 text, refusing what is too large, binary or not UTF-8."""
    shown = display or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise error_type("is a directory, not a file", shown) from None
    except FileNotFoundError:
        raise error_type("no such file", shown) from None
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror or exc}", shown) from None
    return decode_bytes(raw, shown, max_bytes, error_type)


def decode_bytes(raw: bytes, shown: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 error_type: type[AuditorError] = ManifestError) -> str:
    """Check and decode the raw bytes of a YAML file (see :func:`read_text`)."""
    if len(raw) > max_bytes:
        raise error_type(
            f"the file is larger than the {_format_size(max_bytes)} limit",
            shown,
            1,
            1,
            hint="raise the limit with --max-size if the file is genuine",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        text_before = raw[:nul].decode("utf-8", errors="replace")
        line, column = _position_of_offset(text_before, len(text_before))
        raise error_type("binary content (NUL byte): this is not a YAML text file", shown, line, column)
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
    __slots__ = ("value", "pointer", "anchor", "size", "pending_key", "skip_value", "merges", "is_map")

    def __init__(self, value: Any, pointer: str, anchor: str | None, is_map: bool) -> None:
        self.value = value
        self.pointer = pointer
        self.anchor = anchor
        self.size = 1
        self.pending_key: str | None = None
        self.skip_value = False
        self.merges: list[tuple[Any, Position]] | None = None
        self.is_map = is_map


def parse_yaml(text: str, path: str, error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Parse YAML text into data plus position indexes (see the module docstring)."""
    builder = _Builder(path, error_type)
    try:
        builder.run(yaml.parse(text, Loader=_ParserLoader))
    except yaml.MarkedYAMLError as exc:
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
    return YamlDocument(path, builder.result, builder.positions, builder.key_positions)


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
        self.positions: dict[str, Position] = {}
        self.key_positions: dict[str, Position] = {}
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

            pointer = self._child_pointer(top)
            self.positions[pointer] = (event.start_mark.line + 1, event.start_mark.column + 1)
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
                stack.append(_Frame({} if is_map else [], pointer, event.anchor, is_map))

    def _child_pointer(self, top: _Frame | None) -> str:
        if top is None:
            return ""
        if top.is_map:
            return top.pointer + "/" + escape_pointer_token(top.pending_key or "")
        return f"{top.pointer}/{len(top.value)}"

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
        pointer = frame.pointer + "/" + escape_pointer_token(key)
        if key in frame.value:
            first = self.key_positions.get(pointer)
            where = f" (first defined at line {first[0]})" if first else ""
            self.errors.append(self.fail(f"duplicate key {key!r}{where}", mark))
            frame.skip_value = True
        else:
            self.key_positions[pointer] = (mark.line + 1, mark.column + 1)
        frame.pending_key = key

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
                    pointer = top.pointer + "/<<"
                    top.merges.append((value, self.positions.get(pointer, (1, 1))))
                    self.positions.pop(pointer, None)
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
                        self.positions.setdefault(frame.pointer + "/" + escape_pointer_token(key), position)

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
        return builder(ScalarNode(tag, event.value))
