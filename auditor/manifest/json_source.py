"""Strict JSON reading for the files wsaudit writes and reads back (baselines).

Python's ``json`` module accepts ``NaN`` and ``Infinity``, recurses once per nesting level
(a file of ``[[[[…`` ends in ``RecursionError``), turns a number of 5,000 digits into a
``ValueError`` and reads text only after the caller picked an encoding. This module refuses
all of that, and every such file becomes one located error:

* only regular files, read as for YAML (see :func:`auditor.manifest.file_reading.read_bytes`);
* UTF-8 only (a UTF-8 byte-order mark is allowed); UTF-16 and UTF-32 are named as such;
* nesting up to :data:`MAX_DEPTH` levels; no ``NaN``, ``Infinity`` or ``-Infinity``;
  integers up to :data:`~auditor.manifest.yaml_source.MAX_INTEGER_DIGITS` digits.

A file is parsed by ``json``'s C scanner, whose hooks refuse constants and long numbers,
and its data is then checked for depth. Only a file that fails goes through
:func:`_prescan`, a pass over its characters in Python (about ten times the cost of the
parse) that finds where the first of these problems is; a syntax error is reported only when
the text has none of them, so what a file is refused for does not depend on which check
meets it first.
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


_LONG_NUMBER = f"a number of more than {MAX_INTEGER_DIGITS} digits is not supported"


def _parse_int(text: str) -> int:
    # The sign counts, as it does in _prescan's runs of digits.
    if len(text) > MAX_INTEGER_DIGITS:
        raise _Refused(_LONG_NUMBER)
    return int(text)


def _parse_float(text: str) -> float:
    # A run of digits (with its sign) in the integer part, the fraction or the exponent that
    # _prescan refuses; a long float whose runs are all short is read.
    if len(text) > MAX_INTEGER_DIGITS and any(len(run) > MAX_INTEGER_DIGITS for run in _runs_of_digits(text)):
        raise _Refused(_LONG_NUMBER)
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"{text} is too large for a JSON number")
    return value


def _runs_of_digits(number: str) -> list[str]:
    return number.replace("+", ".").replace("e", ".").replace("E", ".").split(".")


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether ``data`` (parsed JSON) nests containers more than ``limit`` levels deep."""
    if not isinstance(data, (dict, list)):
        return False
    waiting = [(data, 1)]
    while waiting:
        container, depth = waiting.pop()
        if depth > limit:
            return True
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, (dict, list)):
                waiting.append((value, depth + 1))
    return False


def load_json_file(path: str, max_bytes: int, error_type: type[AuditorError], what: str = "file") -> Any:
    """Parse the JSON file at ``path``; raises ``error_type`` located at the problem."""
    text = decode_bytes(read_bytes(path, max_bytes, path, error_type), path, max_bytes, error_type,
                        kind="JSON")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        _refuse_located(text, path, error_type, what)
        raise error_type(f"the {what} is not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except (_Refused, ValueError, RecursionError) as exc:
        _refuse_located(text, path, error_type, what)
        raise error_type(f"the {what} is not valid JSON: {exc}", path) from None
    if _deeper_than(data, MAX_DEPTH):
        _refuse_located(text, path, error_type, what)
        raise error_type(f"the {what} is not valid JSON: nesting deeper than {MAX_DEPTH} levels", path)
    return data


def _refuse_located(text: str, path: str, error_type: type[AuditorError], what: str) -> None:
    """Raise ``error_type`` at the first problem :func:`_prescan` finds in ``text``, if any."""
    problem = _prescan(text)
    if problem is not None:
        offset, message = problem
        line, column = _position(text, offset)
        raise error_type(f"the {what} is not valid JSON: {message}", path, line, column)
