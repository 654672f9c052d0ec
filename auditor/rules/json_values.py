"""JSON values as JSON Schema sees them: its types, its equality, the formats it asserts.

Booleans are not numbers, ``1`` equals ``1.0``, and a mapping equals another whatever their
key order. The schema compiler (:mod:`auditor.rules.predicates`) judges ``type``, ``enum``,
``const``, ``format`` and ``uniqueItems`` with these, and the manifest schema check finds
repeated list items with :func:`first_duplicate`.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Callable


def is_number(value: Any) -> bool:
    """Whether ``value`` is a JSON number (an int or a float, never a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": is_number,
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


FORMATS: dict[str, Callable[[Any], bool]] = {
    "date": _date_format,
    "email": lambda value: not isinstance(value, str) or "@" in value,
}


def canonical(value: Any) -> Any:
    """A hashable value equal for exactly the JSON values JSON Schema calls equal: 1 and 1.0
    alike, ``true`` and ``1`` not, mappings whatever their key order. Hashing these makes
    ``uniqueItems`` linear instead of comparing every pair."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("n", value)
    if isinstance(value, float):
        return ("n", int(value)) if math.isfinite(value) and value.is_integer() else ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list):
        return ("l", tuple(canonical(item) for item in value))
    if isinstance(value, dict):
        return ("d", frozenset((key, canonical(item)) for key, item in value.items()))
    return ("o", repr(value))


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def first_duplicate(items: list[Any]) -> tuple[int, int] | None:
    """``(first, repeat)`` indexes of the first item equal to an earlier one, or ``None``."""
    # Lists of strings, numbers, booleans and nulls (features, client ids, categories) are
    # most lists: when Python's equality, which is looser than JSON's (``True == 1``), finds
    # them all distinct, JSON's does too, and one set answers without a canonical form each.
    if _PLAIN_TYPES.issuperset(map(type, items)) and len(set(items)) == len(items):
        return None
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        first = seen.setdefault(canonical(item), index)
        if first != index:
            return first, index
    return None


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema defines it: booleans are not numbers; 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right))
    if is_number(left) and is_number(right):
        return left == right
    return type(left) is type(right) and left == right
