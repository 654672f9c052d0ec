"""A compiler from a subset of JSON Schema to plain Python predicates.

Rules judge enriched manifest elements with JSON Schema, and a batch audit evaluates tens
of thousands of such judgments a second. ``jsonschema`` validates with full generality and
rich errors, at a cost of tens of microseconds per call; this module compiles each schema
once into nested closures that answer only "does it hold?", in about a microsecond.

It supports the keywords the rule packs and the manifest schema use (listed in
``SUPPORTED_KEYWORDS``); anything else raises :class:`UnsupportedSchema` at compile time,
so a schema never silently means less than it says. ``tests/rules/test_predicates.py`` checks
every keyword against ``jsonschema`` on the same instances.

Packs are input from outside: a keyword whose value has the wrong type (see
:mod:`auditor.rules.schema_vocabulary`), a pattern that is not linear-time (see
:mod:`auditor.rules.patterns`) and a ``$ref`` that refers to itself are refused at compile
time, with the keyword's JSON Pointer; ``uniqueItems`` takes linear time.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from auditor.manifest.yaml_source import escape_pointer_token
from auditor.rules.json_values import FORMATS, TYPE_CHECKS, canonical, first_duplicate, is_number, json_equal
from auditor.rules.patterns import Matcher, PatternError, compile_pattern
from auditor.rules.predicate_shapes import Predicate, always, fused_shape, keys_known_or_matched, never
from auditor.rules.schema_vocabulary import SUPPORTED_KEYWORDS, UnsupportedSchema, check_keyword_value, short_value

class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}
        self.resolving: set[str] = set()
        # The compiled ``properties`` and ``patternProperties`` of a schema (by ``id``) that
        # also has ``additionalProperties``, which judges all three in one pass over the keys.
        self.keyed: dict[tuple[int, str], tuple[Any, ...]] = {}

    def compile(self, schema: Any, where: str = "") -> Predicate:
        """Compile ``schema``, found at JSON Pointer ``where`` of the root schema."""
        if schema is True or (isinstance(schema, dict) and not schema):
            return always
        if schema is False:
            return never
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be a mapping or a boolean, not {short_value(schema)}", where)
        unknown = set(schema) - SUPPORTED_KEYWORDS
        if unknown:
            first = min(unknown, key=str)
            raise UnsupportedSchema(f"unsupported JSON Schema keyword(s): {', '.join(sorted(map(str, unknown)))}",
                                    f"{where}/{escape_pointer_token(str(first))}")
        checks: list[Predicate] = []
        for keyword in sorted(schema, key=_ORDER.get):
            at = f"{where}/{escape_pointer_token(keyword)}"
            check_keyword_value(keyword, schema[keyword], at)
            build = _BUILDERS.get(keyword)
            if build is not None:
                check = build(self, schema[keyword], schema, at)
                if check is not None:
                    checks.append(check)
        if not checks:
            return always
        # Every keyword was checked above; a common shape is judged in one function.
        return self.fused(schema) or _conjunction(checks)

    def fused(self, schema: dict) -> Predicate | None:
        """One predicate for a string, object or list schema of a common shape (see
        :mod:`auditor.rules.predicate_shapes`), from the parts its keywords left."""
        return fused_shape(schema, self.keyed.pop((id(schema), "keys"), None),
                           self.keyed.pop((id(schema), "items"), always))

    def ref(self, reference: str, where: str) -> Predicate:
        """The compiled target of a local ``$ref``. A reference that leads back to a schema
        still being compiled is refused: evaluating it could recurse without end."""
        if not reference.startswith("#"):
            raise UnsupportedSchema(f"only local references are supported, not {reference!r}", where)
        if reference in self.resolving:
            raise UnsupportedSchema(f"recursive reference {reference!r}: it refers to a schema that contains it", where)
        if reference not in self.refs:
            if reference != "#" and not reference.startswith("#/"):
                raise UnsupportedSchema(f"only JSON Pointer references (#/...) are supported, not {reference!r}", where)
            target: Any = self.root
            for token in reference[1:].split("/")[1:]:
                token = token.replace("~1", "/").replace("~0", "~")
                try:
                    target = target[int(token)] if isinstance(target, list) else target[token]
                except (KeyError, IndexError, ValueError, TypeError):
                    raise UnsupportedSchema(f"unresolvable reference {reference!r}", where) from None
            self.resolving.add(reference)
            try:
                self.refs[reference] = self.compile(target, reference[1:])
            finally:
                self.resolving.discard(reference)
        return self.refs[reference]


def _conjunction(checks: list[Predicate]) -> Predicate:
    """One predicate holding when every one of ``checks`` holds, trying them in order.

    The keywords of one schema are judged millions of times in a batch: a plain ``and``
    chain (or loop with an early exit) costs a fraction of a generator fed to ``all``.
    """
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    if len(checks) == 3:
        first, second, third = checks
        return lambda value: first(value) and second(value) and third(value)
    checks_tuple = tuple(checks)

    def every(value: Any) -> bool:
        for check in checks_tuple:
            if not check(value):
                return False
        return True

    return every


def _type(compiler: _Compiler, expected: Any, _schema: dict, where: str) -> Predicate:
    names = expected if isinstance(expected, list) else [expected]
    checks = tuple(TYPE_CHECKS[name] for name in names)
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _enum(compiler: _Compiler, options: list, _schema: dict, where: str) -> Predicate:
    if all(isinstance(option, str) for option in options):
        allowed = frozenset(options)
        return lambda value: isinstance(value, str) and value in allowed
    if all(_is_plain_scalar(option) for option in options):
        # Scalars only (``[true, false, null]``, numbers): one hashed lookup of the value's
        # canonical form, which is equal exactly when the values are equal as JSON.
        canonical_options = frozenset(canonical(option) for option in options)
        return lambda value: _is_plain_scalar(value) and canonical(value) in canonical_options
    return lambda value: any(json_equal(value, option) for option in options)


def _is_plain_scalar(value: Any) -> bool:
    """A string, boolean, null or finite number: what :func:`canonical` maps to a value
    that is equal exactly when the values are equal as JSON (NaN equals nothing)."""
    return value is None or isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value))


def _const(compiler: _Compiler, expected: Any, _schema: dict, where: str) -> Predicate:
    if isinstance(expected, str):
        return lambda value: isinstance(value, str) and value == expected
    if isinstance(expected, bool) or expected is None:
        # Only ``true`` is ``true`` (not 1), only ``null`` is ``null``: identity says it.
        return lambda value: value is expected
    return lambda value: json_equal(value, expected)


def _required(compiler: _Compiler, names: list, _schema: dict, where: str) -> Predicate:
    wanted = tuple(names)
    if len(wanted) == 1:
        (only,) = wanted
        return lambda value: not isinstance(value, dict) or only in value

    def check(value: Any) -> bool:
        if isinstance(value, dict):
            for name in wanted:
                if name not in value:
                    return False
        return True

    return check


def _properties(compiler: _Compiler, properties: dict, schema: dict, where: str) -> Predicate | None:
    compiled = tuple((name, compiler.compile(sub, f"{where}/{escape_pointer_token(name)}")) for name, sub in properties.items())
    if "additionalProperties" in schema:
        compiler.keyed[(id(schema), "properties")] = compiled
        return None
    if len(compiled) == 1:
        ((only, predicate),) = compiled
        return lambda value: not isinstance(value, dict) or only not in value or predicate(value[only])

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, predicate in compiled:
            if name in value and not predicate(value[name]):
                return False
        return True

    return check


def _regex(pattern: str, where: str) -> Matcher:
    try:
        return compile_pattern(pattern)
    except PatternError as exc:
        raise UnsupportedSchema(f"pattern {short_value(pattern)}: {exc}", where) from None


def _pattern_properties(compiler: _Compiler, patterns: dict, schema: dict, where: str) -> Predicate | None:
    compiled = tuple((_regex(pattern, f"{where}/{escape_pointer_token(pattern)}"), compiler.compile(sub, f"{where}/{escape_pointer_token(pattern)}"))
                     for pattern, sub in patterns.items())
    if "additionalProperties" in schema:
        compiler.keyed[(id(schema), "patternProperties")] = compiled
        return None

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            for matches, predicate in compiled:
                if matches(key) and not predicate(item):
                    return False
        return True

    return check


def _additional_properties(compiler: _Compiler, extra: Any, schema: dict, where: str) -> Predicate:
    predicate = compiler.compile(extra, where)
    # ``properties`` and ``patternProperties`` beside this keyword (compiled before it) left
    # their predicates here: every key is visited once, judged by its property's schema, by
    # the schemas of the patterns it matches, or else by this one.
    by_name = dict(compiler.keyed.pop((id(schema), "properties"), ()))
    by_pattern = compiler.keyed.pop((id(schema), "patternProperties"), ())
    if all(pattern_predicate is always for _matches, pattern_predicate in by_pattern):
        keys = (by_name, tuple(matches for matches, _predicate in by_pattern), predicate)
        compiler.keyed[(id(schema), "keys")] = keys
        return keys_known_or_matched(*keys)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            named = by_name.get(key)
            if named is not None and not named(item):
                return False
            matched = named is not None
            for matches, pattern_predicate in by_pattern:
                if matches(key):
                    if not pattern_predicate(item):
                        return False
                    matched = True
            if not matched and not predicate(item):
                return False
        return True

    return check


def _items(compiler: _Compiler, items: Any, schema: dict, where: str) -> Predicate:
    predicate = compiler.compile(items, where)
    compiler.keyed[(id(schema), "items")] = predicate

    def check(value: Any) -> bool:
        if isinstance(value, list):
            for item in value:
                if not predicate(item):
                    return False
        return True

    return check


def _contains(compiler: _Compiler, contains: Any, _schema: dict, where: str) -> Predicate:
    predicate = compiler.compile(contains, where)

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for item in value:
            if predicate(item):
                return True
        return False

    return check


def _unique(compiler: _Compiler, unique: bool, _schema: dict, where: str) -> Predicate | None:
    if not unique:
        return None
    return lambda value: not isinstance(value, list) or first_duplicate(value) is None


def _bound(kind: str) -> Callable[[_Compiler, Any, dict, str], Predicate]:
    def build(compiler: _Compiler, limit: Any, _schema: dict, where: str) -> Predicate:
        if kind == "minimum":
            return lambda value: not is_number(value) or value >= limit
        if kind == "maximum":
            return lambda value: not is_number(value) or value <= limit
        if kind == "exclusiveMinimum":
            return lambda value: not is_number(value) or value > limit
        if kind == "exclusiveMaximum":
            return lambda value: not is_number(value) or value < limit
        if kind == "minItems":
            return lambda value: not isinstance(value, list) or len(value) >= limit
        if kind == "maxItems":
            return lambda value: not isinstance(value, list) or len(value) <= limit
        if kind == "minLength":
            return lambda value: not isinstance(value, str) or len(value) >= limit
        if kind == "maxLength":
            return lambda value: not isinstance(value, str) or len(value) <= limit
        if kind == "minProperties":
            return lambda value: not isinstance(value, dict) or len(value) >= limit
        return lambda value: not isinstance(value, dict) or len(value) <= limit

    return build


def _pattern(compiler: _Compiler, pattern: str, _schema: dict, where: str) -> Predicate:
    matches = _regex(pattern, where)
    return lambda value: not isinstance(value, str) or matches(value)


def _format(compiler: _Compiler, name: str, _schema: dict, where: str) -> Predicate | None:
    # Formats the manifest schema asserts; any other format annotates only, as in
    # JSON Schema's default vocabulary.
    return FORMATS.get(name)


def _not(compiler: _Compiler, sub: Any, _schema: dict, where: str) -> Predicate:
    predicate = compiler.compile(sub, where)
    return lambda value: not predicate(value)


def _each(compiler: _Compiler, subs: list, where: str) -> tuple[Predicate, ...]:
    return tuple(compiler.compile(sub, f"{where}/{index}") for index, sub in enumerate(subs))


def _all_of(compiler: _Compiler, subs: list, _schema: dict, where: str) -> Predicate:
    return _conjunction(list(_each(compiler, subs, where)))


def _any_of(compiler: _Compiler, subs: list, _schema: dict, where: str) -> Predicate:
    predicates = _each(compiler, subs, where)

    def check(value: Any) -> bool:
        for predicate in predicates:
            if predicate(value):
                return True
        return False

    return check


def _one_of(compiler: _Compiler, subs: list, _schema: dict, where: str) -> Predicate:
    predicates = _each(compiler, subs, where)
    return lambda value: sum(1 for predicate in predicates if predicate(value)) == 1


def _if(compiler: _Compiler, condition: Any, schema: dict, where: str) -> Predicate:
    parent = where.rsplit("/", 1)[0]
    test = compiler.compile(condition, where)
    then = compiler.compile(schema.get("then", True), f"{parent}/then")
    otherwise = compiler.compile(schema.get("else", True), f"{parent}/else")
    return lambda value: then(value) if test(value) else otherwise(value)


def _ref(compiler: _Compiler, reference: str, schema: dict, where: str) -> Predicate:
    return compiler.ref(reference, where)


_BUILDERS: dict[str, Callable[[_Compiler, Any, dict, str], Predicate | None]] = {
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
    **{kind: _bound(kind) for kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
                                       "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")},
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
