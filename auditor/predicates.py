"""A compiler from a subset of JSON Schema to plain Python predicates.

Rules judge enriched manifest elements with JSON Schema, and a batch audit evaluates tens
of thousands of such judgments a second. ``jsonschema`` validates with full generality and
rich errors, at a cost of tens of microseconds per call; this module compiles each schema
once into nested closures that answer only "does it hold?", in about a microsecond.

It supports the keywords the rule packs and the manifest schema use (listed in
``SUPPORTED_KEYWORDS``); anything else raises :class:`UnsupportedSchema` at compile time,
so a schema never silently means less than it says. ``tests/test_predicates.py`` checks
every keyword against ``jsonschema`` on the same instances.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable

Predicate = Callable[[Any], bool]

SUPPORTED_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "$comment", "title", "description", "examples", "default",
        "type", "enum", "const", "required", "properties", "patternProperties", "additionalProperties",
        "items", "contains", "minItems", "maxItems", "uniqueItems", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format",
        "not", "allOf", "anyOf", "oneOf", "if", "then", "else", "minProperties", "maxProperties",
    }
)


class UnsupportedSchema(ValueError):
    """The schema uses a keyword or form this compiler does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPE_CHECKS: dict[str, Predicate] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
}


def _date_format(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


_FORMATS: dict[str, Predicate] = {
    "date": _date_format,
    "email": lambda value: not isinstance(value, str) or "@" in value,
}


def _json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema defines it: booleans are not numbers; 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right))
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


def _length(value: str) -> int:
    return len(value)


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def compile(self, schema: Any) -> Predicate:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be a mapping or a boolean, not {schema!r}")
        unknown = set(schema) - SUPPORTED_KEYWORDS
        if unknown:
            raise UnsupportedSchema(f"unsupported JSON Schema keyword(s): {', '.join(sorted(unknown))}")
        checks: list[Predicate] = []
        for keyword in sorted(schema, key=_ORDER.get):
            build = _BUILDERS.get(keyword)
            if build is not None:
                check = build(self, schema[keyword], schema)
                if check is not None:
                    checks.append(check)
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        checks_tuple = tuple(checks)
        return lambda value: all(check(value) for check in checks_tuple)

    def ref(self, reference: str, _schema: dict) -> Predicate:
        if not reference.startswith("#"):
            raise UnsupportedSchema(f"only local references are supported, not {reference!r}")
        if reference not in self.refs:
            target: Any = self.root
            for token in reference[1:].split("/")[1:]:
                token = token.replace("~1", "/").replace("~0", "~")
                try:
                    target = target[int(token)] if isinstance(target, list) else target[token]
                except (KeyError, IndexError, ValueError):
                    raise UnsupportedSchema(f"unresolvable reference {reference!r}") from None
            cell: list[Predicate] = []
            self.refs[reference] = lambda value: cell[0](value)
            cell.append(self.compile(target))
        return self.refs[reference]


def _type(compiler: _Compiler, expected: Any, _schema: dict) -> Predicate:
    names = expected if isinstance(expected, list) else [expected]
    try:
        checks = tuple(_TYPE_CHECKS[name] for name in names)
    except KeyError as missing:
        raise UnsupportedSchema(f"unknown type {missing}") from None
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _enum(compiler: _Compiler, options: list, _schema: dict) -> Predicate:
    if all(isinstance(option, str) for option in options):
        allowed = frozenset(options)
        return lambda value: isinstance(value, str) and value in allowed
    return lambda value: any(_json_equal(value, option) for option in options)


def _const(compiler: _Compiler, expected: Any, _schema: dict) -> Predicate:
    if isinstance(expected, str):
        return lambda value: isinstance(value, str) and value == expected
    return lambda value: _json_equal(value, expected)


def _required(compiler: _Compiler, names: list, _schema: dict) -> Predicate:
    wanted = tuple(names)
    return lambda value: not isinstance(value, dict) or all(name in value for name in wanted)


def _properties(compiler: _Compiler, properties: dict, _schema: dict) -> Predicate:
    compiled = tuple((name, compiler.compile(sub)) for name, sub in properties.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, predicate in compiled:
            if name in value and not predicate(value[name]):
                return False
        return True

    return check


def _pattern_properties(compiler: _Compiler, patterns: dict, _schema: dict) -> Predicate:
    compiled = tuple((re.compile(pattern), compiler.compile(sub)) for pattern, sub in patterns.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            for regex, predicate in compiled:
                if regex.search(key) and not predicate(item):
                    return False
        return True

    return check


def _additional_properties(compiler: _Compiler, extra: Any, schema: dict) -> Predicate:
    known = frozenset(schema.get("properties", {}))
    patterns = tuple(re.compile(pattern) for pattern in schema.get("patternProperties", {}))
    predicate = compiler.compile(extra)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            if key in known or any(regex.search(key) for regex in patterns):
                continue
            if not predicate(item):
                return False
        return True

    return check


def _items(compiler: _Compiler, items: Any, _schema: dict) -> Predicate:
    if isinstance(items, list):
        raise UnsupportedSchema("tuple-form 'items' is not supported; use prefixItems-free schemas")
    predicate = compiler.compile(items)
    return lambda value: not isinstance(value, list) or all(predicate(item) for item in value)


def _contains(compiler: _Compiler, contains: Any, _schema: dict) -> Predicate:
    predicate = compiler.compile(contains)
    return lambda value: not isinstance(value, list) or any(predicate(item) for item in value)


def _unique(compiler: _Compiler, unique: bool, _schema: dict) -> Predicate | None:
    if not unique:
        return None

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for index, item in enumerate(value):
            if any(_json_equal(item, other) for other in value[index + 1:]):
                return False
        return True

    return check


def _bound(kind: str) -> Callable[[_Compiler, Any, dict], Predicate]:
    def build(compiler: _Compiler, limit: Any, _schema: dict) -> Predicate:
        if kind == "minimum":
            return lambda value: not _is_number(value) or value >= limit
        if kind == "maximum":
            return lambda value: not _is_number(value) or value <= limit
        if kind == "exclusiveMinimum":
            return lambda value: not _is_number(value) or value > limit
        if kind == "exclusiveMaximum":
            return lambda value: not _is_number(value) or value < limit
        if kind == "minItems":
            return lambda value: not isinstance(value, list) or len(value) >= limit
        if kind == "maxItems":
            return lambda value: not isinstance(value, list) or len(value) <= limit
        if kind == "minLength":
            return lambda value: not isinstance(value, str) or _length(value) >= limit
        if kind == "maxLength":
            return lambda value: not isinstance(value, str) or _length(value) <= limit
        if kind == "minProperties":
            return lambda value: not isinstance(value, dict) or len(value) >= limit
        return lambda value: not isinstance(value, dict) or len(value) <= limit

    return build


def _pattern(compiler: _Compiler, pattern: str, _schema: dict) -> Predicate:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise UnsupportedSchema(f"invalid pattern {pattern!r}: {exc}") from None
    return lambda value: not isinstance(value, str) or regex.search(value) is not None


def _format(compiler: _Compiler, name: str, _schema: dict) -> Predicate | None:
    # Formats the manifest schema asserts; any other format annotates only, as in
    # JSON Schema's default vocabulary.
    return _FORMATS.get(name)


def _not(compiler: _Compiler, sub: Any, _schema: dict) -> Predicate:
    predicate = compiler.compile(sub)
    return lambda value: not predicate(value)


def _all_of(compiler: _Compiler, subs: list, _schema: dict) -> Predicate:
    predicates = tuple(compiler.compile(sub) for sub in subs)
    return lambda value: all(predicate(value) for predicate in predicates)


def _any_of(compiler: _Compiler, subs: list, _schema: dict) -> Predicate:
    predicates = tuple(compiler.compile(sub) for sub in subs)
    return lambda value: any(predicate(value) for predicate in predicates)


def _one_of(compiler: _Compiler, subs: list, _schema: dict) -> Predicate:
    predicates = tuple(compiler.compile(sub) for sub in subs)
    return lambda value: sum(1 for predicate in predicates if predicate(value)) == 1


def _if(compiler: _Compiler, condition: Any, schema: dict) -> Predicate:
    test = compiler.compile(condition)
    then = compiler.compile(schema.get("then", True))
    otherwise = compiler.compile(schema.get("else", True))
    return lambda value: then(value) if test(value) else otherwise(value)


def _ref(compiler: _Compiler, reference: str, schema: dict) -> Predicate:
    return compiler.ref(reference, schema)


_BUILDERS: dict[str, Callable[[_Compiler, Any, dict], Predicate | None]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "items": _items,
    "contains": _contains,
    "uniqueItems": _unique,
    "minimum": _bound("minimum"),
    "maximum": _bound("maximum"),
    "exclusiveMinimum": _bound("exclusiveMinimum"),
    "exclusiveMaximum": _bound("exclusiveMaximum"),
    "minItems": _bound("minItems"),
    "maxItems": _bound("maxItems"),
    "minLength": _bound("minLength"),
    "maxLength": _bound("maxLength"),
    "minProperties": _bound("minProperties"),
    "maxProperties": _bound("maxProperties"),
    "pattern": _pattern,
    "format": _format,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "if": _if,
    "$ref": _ref,
}
# Cheap checks first: a failed type test spares the walk over properties.
_ORDER = {keyword: index for index, keyword in enumerate(
    ["type", "const", "enum", "required", "$ref", "minLength", "maxLength", "pattern", "format",
     "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
     "minProperties", "maxProperties", "uniqueItems", "properties", "patternProperties",
     "additionalProperties", "items", "contains", "not", "allOf", "anyOf", "oneOf", "if"]
)}
for _keyword in SUPPORTED_KEYWORDS:
    _ORDER.setdefault(_keyword, len(_ORDER))


def compile_schema(schema: Any, root: Any = None) -> Predicate:
    """Compile ``schema`` (references resolve against ``root``, default the schema itself)."""
    return _Compiler(schema if root is None else root).compile(schema)
