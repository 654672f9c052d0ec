"""The strict YAML builder: PyYAML's event stream turned into data, positions and errors.

:func:`~auditor.manifest.yaml_source.parse_yaml` sends here whatever both faster paths
(:mod:`auditor.manifest.yaml_lines`, :mod:`auditor.manifest.yaml_nodes`) decline: aliases
(counting the nodes they add), merge keys, tags, duplicate or non-string keys, a second
document, nesting past :data:`~auditor.manifest.yaml_source.MAX_DEPTH`, and every malformed
text. This builder accepts what it accepts and words every refusal as a located error of
ours.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from auditor.manifest.file_reading import position_of_offset
from auditor.manifest.yaml_source import (
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    NULL_WORDS,
    Place,
    Position,
    YamlDocument,
    escape_pointer_token,
    integer_too_large,
)
from auditor.model.errors import AuditorError, ManifestError, ErrorList

try:  # libyaml is an optional part of PyYAML; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _ParserLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParserLoader  # type: ignore[assignment]

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


def parse_yaml_strictly(text: str, path: str, error_type: type[AuditorError] = ManifestError) -> YamlDocument:
    """Parse YAML text from PyYAML's event stream: the builder that handles every input.

    It takes aliases (counting what they add), merge keys and tags, and turns every problem
    into a located error; :func:`~auditor.manifest.yaml_source.parse_yaml` uses it for
    whatever the faster paths decline.
    """
    builder = _Builder(path, error_type)
    try:
        builder.run(yaml.parse(text, Loader=_ParserLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        too_deep = _too_deep_before(text, mark.index if mark is not None else len(text))
        if too_deep is not None:
            # The parser refused the text before our builder saw that deep: say it our way.
            line, column = position_of_offset(text, too_deep)
            raise error_type(f"nesting deeper than {MAX_DEPTH} levels", path, line, column) from None
        raise _translate_marked(exc, path, error_type) from None
    except yaml.reader.ReaderError as exc:
        line, column = position_of_offset(text, exc.position)
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
