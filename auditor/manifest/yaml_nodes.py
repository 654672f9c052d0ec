"""The second path of :func:`~auditor.manifest.yaml_source.parse_yaml`: libyaml's node tree.

The strict builder in :mod:`auditor.manifest.yaml_events` reads PyYAML's event stream and
pays several Python calls per event. Almost every manifest is plain YAML: no alias, no merge
key, no tag, no duplicate or non-string key, shallow. Most of them are read a line at a time
by :mod:`auditor.manifest.yaml_lines`; for the other plain ones (scalars over several lines,
nested brackets, keys in quotes...), this module lets libyaml's C composer build the node
tree and walks it once, recording the same data and the same positions (a node starts where
its event starts). A position is kept as the node's own libyaml mark, which the composer
made anyway, and turned into a line and column only for the nodes a reader asks about
(:func:`~auditor.manifest.yaml_source.position_of`): a few dozen per manifest, where the walk
meets hundreds. Both paths build plain scalars with :func:`plain_scalar`.

Whatever is not plain, it declines (:func:`build_from_nodes` returns ``None``) after at most
linear work, and the strict builder reads the text again: it accepts what it accepts and
words every refusal. The paths cannot disagree on an error, because only one of them ever
reports one.
"""

from __future__ import annotations

from typing import Any

from yaml import YAMLError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode
from yaml.resolver import Resolver

from auditor.manifest.yaml_source import (
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    NULL_WORDS,
    Place,
    escape_pointer_token,
    integer_too_large,
)

try:  # libyaml is an optional part of PyYAML; without it every text takes the strict path.
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    CParser = None

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_resolver = Resolver()
# First characters that a plain scalar needs to be anything but a string (PyYAML's YAML 1.1
# rules: digits, signs, t/f/y/n/o, ~, <, =, ...). The dict is the resolver's own, so a rule
# added to PyYAML's Resolver is seen here as well as on the strict path.
IMPLICIT_RULES = _resolver.yaml_implicit_resolvers
_constructor = SafeConstructor()
_BOOL_WORDS = _constructor.bool_values
_BUILD_ERRORS = (ValueError, KeyError, IndexError, TypeError, OverflowError)
# Values of plain scalars by text (see plain_scalar), bounded: strings, numbers, booleans
# and null, which nothing changes. A reader may look a text up here before it calls.
PLAIN_VALUES: dict[str, Any] = {}
_UNKNOWN: Any = object()
# How libyaml marks a plain scalar: may be resolved as plain, not as quoted.
_PLAIN = (True, False)

Built = tuple[Any, Place]


class Declined(Exception):
    """The text holds something that only the strict builder handles (or refuses)."""


if CParser is not None:

    class _NodeComposer(CParser):
        """libyaml's composer with PyYAML's per-node Python hooks made free.

        The composer calls ``resolve`` for every node and ``descend_resolver`` /
        ``ascend_resolver`` around it (for path-based resolvers, which wsaudit never uses).
        Each of these is a C builtin here, so no node costs a Python frame: ``slice`` keeps
        the resolver's arguments as the node's tag (the walk resolves the few plain scalars
        that may not be strings), the other two ignore their arguments.
        """

        resolve = slice
        descend_resolver = {}.get
        ascend_resolver = tuple


def build_from_nodes(text: str) -> Built | None:
    """``(data, root place)`` of plain YAML ``text``; ``None`` to decline.

    Declined: any parse error, no document or a second one, an alias (a node reached
    twice), a merge key, a tag other than the standard ones that build, a key that is not a
    string or repeats, a scalar that does not build (``!!int ""``, an integer of more than
    :data:`~auditor.manifest.yaml_source.MAX_INTEGER_DIGITS` digits), and nesting deeper
    than :data:`~auditor.manifest.yaml_source.MAX_DEPTH` levels.
    """
    if CParser is None:  # pragma: no cover - depends on how PyYAML was built
        return None
    composer = _NodeComposer(text)
    try:
        root = composer.get_single_node()
    except YAMLError:
        return None
    finally:
        composer.dispose()
    if root is None:
        return None
    # An alias needs an anchor, and an anchor is written with "&": without one no node can
    # be reached twice, and the walk need not remember the nodes it has seen.
    try:
        return _walk(root, may_share="&" in text)
    except Declined:
        return None


def _scalar(node: ScalarNode) -> Any:
    """The value of a scalar node, exactly as the strict builder builds it."""
    tag = node.tag
    if tag.__class__ is slice:  # no tag written (or "!"): resolve it as PyYAML does
        return plain_scalar(node.value) if tag.step[0] else node.value
    return _built(tag, node.value)


def plain_scalar(value: str) -> Any:
    """The value of a plain scalar (one written without quotes or tag) whose text is
    ``value``, exactly as the strict builder builds it; raises :class:`Declined` for one
    that only the strict builder handles or refuses (a merge key, an integer past the digit
    limit)."""
    if value[:1] not in IMPLICIT_RULES and None not in IMPLICIT_RULES:
        return value
    # A plain scalar's value depends on its text alone, and the same short texts (true, no,
    # 2026-…, small numbers) recur from manifest to manifest: resolved and built once each.
    built = PLAIN_VALUES.get(value, _UNKNOWN)
    if built is _UNKNOWN:
        built = _built(_resolver.resolve(ScalarNode, value, _PLAIN), value)
        if len(value) <= 64:
            if len(PLAIN_VALUES) >= 4096:
                PLAIN_VALUES.clear()
            PLAIN_VALUES[value] = built
    return built


def _built(tag: str, value: str) -> Any:
    """The value of a scalar of ``tag`` written as ``value``."""
    if tag == _STR or tag == _TIMESTAMP:
        return value
    if tag == _BOOL:
        flag = _BOOL_WORDS.get(value.lower())
        if flag is None:
            raise Declined
        return flag
    if tag == _NULL:
        if value not in NULL_WORDS:
            raise Declined
        return None
    if tag == _INT:
        if len(value) > MAX_INTEGER_DIGITS:
            raise Declined
        try:
            number = _constructor.construct_yaml_int(ScalarNode(tag, value))
        except _BUILD_ERRORS:
            raise Declined from None
        if integer_too_large(number):
            raise Declined
        return number
    if tag == _FLOAT:
        try:
            return _constructor.construct_yaml_float(ScalarNode(tag, value))
        except _BUILD_ERRORS:
            raise Declined from None
    raise Declined  # merge keys, !!binary, !!set, custom tags: the strict path's business


def _walk(root: Any, may_share: bool) -> Built:
    walker = _Walker(set() if may_share else None)
    if walker.seen is not None:
        walker.visit(root)
    if root.__class__ is ScalarNode:
        return _scalar(root), (root.start_mark, None, None)
    data, places = walker.collection(root, 0)
    return data, (root.start_mark, None, places)


class _Walker:
    """One walk over a node tree; ``seen`` (when the text may hold anchors) catches a node
    reached twice, which only an alias can do."""

    def __init__(self, seen: set[int] | None) -> None:
        self.seen = seen

    def visit(self, node: Any) -> None:
        assert self.seen is not None
        if id(node) in self.seen:
            raise Declined
        self.seen.add(id(node))

    def collection(self, node: Any, depth: int) -> tuple[Any, Any]:
        """The data of a mapping or list node and its children's places."""
        if depth >= MAX_DEPTH:
            raise Declined
        if node.__class__ is MappingNode:
            return self.mapping(node, depth)
        if node.tag.__class__ is not slice and node.tag != _SEQ:
            raise Declined
        items: list[Any] = []
        item_places: list[Place] = []
        seen = self.seen
        for item in node.value:
            if seen is not None:
                self.visit(item)
            if item.__class__ is ScalarNode:
                items.append(_scalar(item))
                inner = None
            else:
                value, inner = self.collection(item, depth + 1)
                items.append(value)
            item_places.append((item.start_mark, None, inner))
        return items, item_places

    def mapping(self, node: Any, depth: int) -> tuple[dict[str, Any], dict[str, Place]]:
        if node.tag.__class__ is not slice and node.tag != _MAP:
            raise Declined
        data: dict[str, Any] = {}
        places: dict[str, Place] = {}
        seen = self.seen
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise Declined
            if seen is not None:
                self.visit(key_node)
                self.visit(value_node)
            key = _scalar(key_node)
            if key.__class__ is not str or key in data:
                raise Declined
            if value_node.__class__ is ScalarNode:
                data[key] = _scalar(value_node)
                inner = None
            else:
                data[key], inner = self.collection(value_node, depth + 1)
            places[escape_pointer_token(key) if "~" in key or "/" in key else key] = (
                value_node.start_mark, key_node.start_mark, inner)
        return data, places
