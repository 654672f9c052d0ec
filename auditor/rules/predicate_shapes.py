"""Compiled predicates for the common shapes of schema, each in one function.

Most of the manifest schema is strings with a length bound and a pattern, objects whose keys
are named by ``properties`` or are ``x-`` extension keys, and lists of such items. Compiled
keyword by keyword (:mod:`auditor.rules.predicates`), each value would be tested for its
type once per keyword, through a chain of calls; a shape recognised here is judged by one
function that tests the type once. The keywords are checked by the compiler before a shape
is chosen, so a schema means the same either way.
"""

from __future__ import annotations

from typing import Any, Callable

from auditor.rules.json_values import FORMATS, first_duplicate
from auditor.rules.patterns import Matcher, compile_pattern

Predicate = Callable[[Any], bool]


def always(value: Any) -> bool:
    """The predicate of ``true`` and ``{}``: one shared function, so that a compiled schema
    can tell that a subschema never fails and skip asking it."""
    return True


def never(value: Any) -> bool:
    """The predicate of ``false``."""
    return False


# Keywords that assert nothing; beside them, the keywords each shape judges by itself.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"})
_STRING_KEYWORDS = frozenset({"type", "minLength", "maxLength", "pattern", "format"}) | _ANNOTATIONS
_OBJECT_KEYWORDS = frozenset({"type", "required", "properties", "patternProperties",
                              "additionalProperties"}) | _ANNOTATIONS
_ARRAY_KEYWORDS = frozenset({"type", "items", "uniqueItems", "minItems", "maxItems"}) | _ANNOTATIONS


def fused_shape(schema: dict, keys: tuple[Any, ...] | None, items: Predicate) -> Predicate | None:
    """The one-function predicate of ``schema`` when it has a shape known here, else ``None``.
    ``keys`` are the parts :func:`keys_known_or_matched` was made of (when the schema's
    patterns accept anything), ``items`` the compiled ``items`` schema."""
    kind = schema.get("type")
    if kind == "string" and _STRING_KEYWORDS.issuperset(schema):
        return _string_check(schema)
    if kind == "object" and keys is not None and _OBJECT_KEYWORDS.issuperset(schema):
        return _object_check(tuple(schema.get("required", ())), *keys)
    if kind == "array" and _ARRAY_KEYWORDS.issuperset(schema):
        return _array_check(schema, items)
    return None


def keys_known_or_matched(by_name: dict[str, Predicate], patterns: tuple[Matcher, ...],
                           extra: Predicate) -> Predicate:
    """``additionalProperties`` beside patterns that accept anything (``^x-: true``, in every
    object of the manifest): a named key is judged by its property alone, and only a key
    no property names is matched against the patterns."""

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            named = by_name.get(key)
            if named is not None:
                if not named(item):
                    return False
                continue
            for matches in patterns:
                if matches(key):
                    break
            else:
                if not extra(item):
                    return False
        return True

    return check


def _object_check(required: tuple[str, ...], by_name: dict[str, Predicate], patterns: tuple[Matcher, ...],
                  extra: Predicate) -> Predicate:
    """A ``type: object`` schema with ``required`` keys and the keys of
    :func:`keys_known_or_matched`, judged in one pass."""

    keys_hold = keys_known_or_matched(by_name, patterns, extra)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in required:
            if name not in value:
                return False
        return keys_hold(value)

    return check


def _array_check(schema: dict, predicate: Predicate) -> Predicate:
    """A ``type: array`` schema with bounds on its length, a schema for its items and
    ``uniqueItems``, judged in one function."""
    low, high, unique = schema.get("minItems", 0), schema.get("maxItems"), schema.get("uniqueItems", False)

    def check(value: Any) -> bool:
        if not isinstance(value, list) or len(value) < low or (high is not None and len(value) > high):
            return False
        for item in value:
            if not predicate(item):
                return False
        return not unique or first_duplicate(value) is None

    return check


def _string_check(schema: dict) -> Predicate:
    """One predicate for a ``type: string`` schema with length bounds, a pattern or a format
    (most of the manifest's values): the type is tested once, not again by each keyword."""
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    tests: list[Predicate] = []
    if "pattern" in schema:
        # The compiler has compiled (and so accepted) the pattern already.
        tests.append(compile_pattern(schema["pattern"]))
    if schema.get("format") in FORMATS:
        tests.append(FORMATS[schema["format"]])
    if high is not None and len(tests) == 1:
        (test,) = tests
        return lambda value: isinstance(value, str) and low <= len(value) <= high and test(value)
    if high is not None and not tests:
        return lambda value: isinstance(value, str) and low <= len(value) <= high

    def check(value: Any) -> bool:
        if not isinstance(value, str) or len(value) < low or (high is not None and len(value) > high):
            return False
        for test in tests:
            if not test(value):
                return False
        return True

    return check
