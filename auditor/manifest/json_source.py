"""Strict JSON reading for the files wsaudit writes and reads back (baselines).

Python's ``json`` module accepts ``NaN`` and ``Infinity``, recurses once per nesting level
(a file of ``[[[[…`` ends in ``RecursionError``), turns a number of 5,000 digits into a
``ValueError`` and reads text only after the caller picked an encoding. This module checks
all of that first, in one linear pass, so every such file becomes one located error:

* only regular files, read as for YAML (see :func:`auditor.manifest.file_reading.read_bytes`);
* UTF-8 only (a UTF-8 byte-order mark is allowed); UTF-16 and UTF-32 are named as such;
* nesting up to :data:`MAX_DEPTH` levels; no ``NaN``, ``Infinity`` or ``-Infinity``;
  integers up to :data:`~auditor.manifest.yaml_source.MAX_INTEGER_DIGITS` digits.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.model.errors import AuditorError
from auditor.manifest.file_reading import decode_bytes, read_bytes
from auditor.manifest.yaml_source import MAX_INTEGER_DIGITS

MAX_DEPTH = 64
_NUMBER_START = frozenset("-0123456789")
_DIGITS = frozenset("0123456789")
_CONSTANTS = ("NaN", "Infinity", "-Infinity")


class _Refused(ValueError):
    """Raised from inside ``json.loads`` hooks; the pre-scan normally catches these first."""


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _prescan(text: str) -> tuple[int, str] | None:
    """``(offset, message)`` of the first nesting, constant or number problem, outside strings."""
    depth = 0
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index += 1
            while index < length:
                quoted = text[index]
                if quoted == "\\":
                    index += 2
                    continue
                index += 1
                if quoted == '"':
                    break
            continue
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index, f"nesting deeper than {MAX_DEPTH} levels"
        elif char in "]}":
            depth -= 1
        elif char in "NI" or (char == "-" and text.startswith("-I", index)):
            for constant in _CONSTANTS:
                if text.startswith(constant, index):
                    return index, f"{constant} is not a JSON number"
        elif char in _NUMBER_START:
            end = index + 1
            while end < length and text[end] in _DIGITS:
                end += 1
            if end - index > MAX_INTEGER_DIGITS:
                return index, f"a number of more than {MAX_INTEGER_DIGITS} digits is not supported"
            index = end
            continue
        index += 1
    return None


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"a number of more than {MAX_INTEGER_DIGITS} digits is not supported")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"{text} is too large for a JSON number")
    return value


def load_json_file(path: str, max_bytes: int, error_type: type[AuditorError], what: str = "file") -> Any:
    """Parse the JSON file at ``path``; raises ``error_type`` located at the problem."""
    text = decode_bytes(read_bytes(path, max_bytes, path, error_type), path, max_bytes, error_type,
                        kind="JSON")
    problem = _prescan(text)
    if problem is not None:
        offset, message = problem
        line, column = _position(text, offset)
        raise error_type(f"the {what} is not valid JSON: {message}", path, line, column)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        raise error_type(f"the {what} is not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except (_Refused, ValueError, RecursionError) as exc:
        raise error_type(f"the {what} is not valid JSON: {exc}", path) from None
