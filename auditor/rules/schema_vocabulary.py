"""The part of JSON Schema that rule packs and the manifest schema may use, and what the value
of each keyword must be.

A policy pack comes from outside: a keyword that this project's compiler
(:mod:`auditor.rules.predicates`) does not implement, or one whose value has the wrong type,
is refused when the pack loads, with the JSON Pointer of the keyword, rather than met as a
crash in the middle of an audit or silently read as meaning less than it says.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from auditor.rules.json_values import TYPE_CHECKS, is_number

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
    """The schema uses a keyword or form this compiler does not implement.

    ``pointer`` is the JSON Pointer, inside the compiled schema, of the keyword at fault
    (``/properties/name/pattern``), so a caller can place the error on its line.
    """

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer



def short_value(value: Any) -> str:
    """``value`` as an error message quotes it: its ``repr``, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_schema(value: Any) -> bool:
    return isinstance(value, (dict, bool))


# What each keyword's value must be (JSON Schema's meta-schema, for the keywords supported):
# a wrong value is refused when the pack loads, not met as a crash in the middle of an audit.
_VALUE_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "$schema": (lambda v: isinstance(v, str), "a string"),
    "$id": (lambda v: isinstance(v, str), "a string"),
    "$ref": (lambda v: isinstance(v, str), "a string"),
    "$comment": (lambda v: isinstance(v, str), "a string"),
    "$defs": (lambda v: isinstance(v, dict), "a mapping of schemas"),
    "title": (lambda v: isinstance(v, str), "a string"),
    "description": (lambda v: isinstance(v, str), "a string"),
    "examples": (lambda v: isinstance(v, list), "a list"),
    "type": (lambda v: (isinstance(v, str) and v in TYPE_CHECKS) or (
        isinstance(v, list) and bool(v) and all(isinstance(n, str) and n in TYPE_CHECKS for n in v)),
        "a type name (" + ", ".join(sorted(TYPE_CHECKS)) + ") or a list of them"),
    "enum": (lambda v: isinstance(v, list), "a list"),
    "required": (lambda v: isinstance(v, list) and all(isinstance(n, str) for n in v), "a list of strings"),
    "properties": (lambda v: isinstance(v, dict), "a mapping of schemas"),
    "patternProperties": (lambda v: isinstance(v, dict), "a mapping of schemas"),
    "additionalProperties": (_is_schema, "a schema (a mapping or true/false)"),
    "items": (_is_schema, "a schema (a mapping or true/false)"),
    "contains": (_is_schema, "a schema (a mapping or true/false)"),
    "not": (_is_schema, "a schema (a mapping or true/false)"),
    "if": (_is_schema, "a schema (a mapping or true/false)"),
    "then": (_is_schema, "a schema (a mapping or true/false)"),
    "else": (_is_schema, "a schema (a mapping or true/false)"),
    "allOf": (lambda v: isinstance(v, list) and bool(v), "a non-empty list of schemas"),
    "anyOf": (lambda v: isinstance(v, list) and bool(v), "a non-empty list of schemas"),
    "oneOf": (lambda v: isinstance(v, list) and bool(v), "a non-empty list of schemas"),
    "uniqueItems": (lambda v: isinstance(v, bool), "true or false"),
    "pattern": (lambda v: isinstance(v, str), "a string (a regular expression)"),
    "format": (lambda v: isinstance(v, str), "a string"),
}
for _name in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
    _VALUE_CHECKS[_name] = (_is_count, "a whole number, 0 or more")
for _name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
    _VALUE_CHECKS[_name] = (lambda v: is_number(v) and math.isfinite(v), "a number")


def check_keyword_value(keyword: str, value: Any, where: str) -> None:
    """Refuse a keyword whose value is not of the kind JSON Schema says it must be."""
    check = _VALUE_CHECKS.get(keyword)
    if check is not None and not check[0](value):
        raise UnsupportedSchema(f"{keyword} must be {check[1]}, not {short_value(value)}", where)
