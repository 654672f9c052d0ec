"""Regular expressions from schemas and policy packs, run on a linear-time engine.

A custom policy pack is input from outside, and so are its ``pattern`` keywords. On a
backtracking engine (Python's ``re``) a pattern such as ``^(a+)+$`` takes exponential time on
a few dozen characters, so one bad rule could hang every audit that loads it. Patterns here
run on RE2 instead, whose time grows linearly with the text, whatever the pattern.

JSON Schema patterns are ECMA-262 regular expressions. The translation below keeps ECMA's
meaning where RE2 can express it (``docs/rules.md``, "Patterns", lists what differs):

* search semantics: a pattern matches anywhere unless it is anchored with ``^`` / ``$``;
  ``$`` matches only at the very end (Python's ``$`` also matches before a final line break);
* ``\\d``, ``\\w`` and ``\\b`` are ASCII, as in ECMA; ``\\s`` and ``\\S`` use ECMA's Unicode
  whitespace; ``.`` stops at the four ECMA line terminators, not only at ``\\n``;
* ``\\uXXXX``, ``\\u{X…}``, ``\\cX`` and ``\\0`` escapes, ``[]`` (matches nothing) and ``[^]``
  (matches any character);
* a pattern RE2 cannot run (lookahead, lookbehind, backreferences, repetition counts above
  1000, an over-large program) raises :class:`PatternError`, so it is refused when its pack
  loads rather than misread while it runs.

Two shapes need no engine: a literal prefix (``^x-``, the extension keys) and a run of plain
character classes (an id's ``^[a-z0-9][a-z0-9_.-]*$``) are answered by string tests with the
same meaning, since they are asked of nearly every key and id of every manifest.

``re2`` is imported on first use: it is not needed for ``wsaudit --help``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

Matcher = Callable[[str], bool]

# ECMA-262 WhiteSpace and LineTerminator code points (what ECMA's \s matches).
_ECMA_SPACE = (
    "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
    "\\x{205F}\\x{3000}\\x{FEFF}"
)
_ECMA_DOT = "[^\\n\\r\\x{2028}\\x{2029}]"
_ANY = "[\\x{0}-\\x{10FFFF}]"
_NOTHING = "[^\\x{0}-\\x{10FFFF}]"
_HEX = frozenset("0123456789abcdefABCDEF")
_LOOKAROUND = {"(?=": "lookahead (?=…)", "(?!": "negative lookahead (?!…)", "(?<=": "lookbehind (?<=…)",
               "(?<!": "negative lookbehind (?<!…)"}
_UNSUPPORTED_HINT = "RE2, the linear-time engine wsaudit runs patterns on, has no {what}; rewrite the pattern without it"


class PatternError(ValueError):
    """A pattern is not a regular expression wsaudit can run in linear time."""


def _unicode_escape(pattern: str, start: int) -> tuple[str, int]:
    """Translate the ``\\u`` escape whose ``u`` is at ``start``; return (RE2 text, next index)."""
    if pattern.startswith("{", start + 1):
        end = pattern.find("}", start + 2)
        digits = pattern[start + 2:end] if end > 0 else ""
        if not digits or len(digits) > 6 or not set(digits) <= _HEX or int(digits, 16) > 0x10FFFF:
            raise PatternError("\\u{…} must hold 1 to 6 hexadecimal digits naming a code point")
        return f"\\x{{{digits}}}", end + 1
    digits = pattern[start + 1:start + 5]
    if len(digits) != 4 or not set(digits) <= _HEX:
        raise PatternError("\\u must be followed by four hexadecimal digits")
    return f"\\x{{{digits}}}", start + 5


def translate(pattern: str) -> str:
    """The RE2 syntax for an ECMA-262 ``pattern`` (see the module docstring)."""
    out: list[str] = []
    index, length = 0, len(pattern)
    in_class = False
    class_opened_at = -1
    while index < length:
        char = pattern[index]
        if char == "\\":
            text, index = _translate_escape(pattern, index, in_class)
            out.append(text)
            continue
        if in_class:
            if char == "]":
                body_start = class_opened_at + (2 if pattern.startswith("[^", class_opened_at) else 1)
                if index == body_start:  # ECMA's [] matches nothing and [^] anything
                    out[-1] = _ANY if body_start - class_opened_at == 2 else _NOTHING
                else:
                    out.append("]")
                in_class = False
            elif char == "[":
                out.append("\\[")  # literal in ECMA; RE2 would read [: as a POSIX class
            else:
                out.append(char)
            index += 1
            continue
        if char == "[":
            in_class = True
            class_opened_at = index
            out.append("[^" if pattern.startswith("[^", index) else "[")
            index += 2 if pattern.startswith("[^", index) else 1
            continue
        if char == "(":
            for opener, what in _LOOKAROUND.items():
                if pattern.startswith(opener, index):
                    raise PatternError(_UNSUPPORTED_HINT.format(what=what))
        out.append(_ECMA_DOT if char == "." else char)
        index += 1
    if in_class:
        raise PatternError("a character class [ is never closed")
    return "".join(out)


def _translate_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    """The RE2 text for the escape starting at ``pattern[index]`` (a backslash), and the
    index after it. ECMA's \\s and \\S name a wider set of spaces than RE2's, so they are
    spelled out; an escape both engines read alike is kept as written."""
    length = len(pattern)
    if index + 1 >= length:
        raise PatternError("the pattern ends with a lone backslash")
    code = pattern[index + 1]
    if code in "123456789" or (code == "k" and pattern.startswith("<", index + 2) and not in_class):
        raise PatternError(_UNSUPPORTED_HINT.format(what="backreferences (\\1, \\k<name>)"))
    if code == "s":
        return (_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]"), index + 2
    if code == "S":
        # Inside a class RE2's own \S stands in: a class cannot hold a negated class.
        return ("\\S" if in_class else f"[^{_ECMA_SPACE}]"), index + 2
    if code == "u":
        return _unicode_escape(pattern, index + 1)
    if code == "c" and index + 2 < length and pattern[index + 2].isascii() and pattern[index + 2].isalpha():
        return f"\\x{{{ord(pattern[index + 2]) % 32:X}}}", index + 3
    if code == "0" and not (index + 2 < length and pattern[index + 2].isdigit()):
        return "\\x{0}", index + 2
    return pattern[index:index + 2], index + 2


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Matcher:
    """A function telling whether ``pattern`` (ECMA-262) matches somewhere in a string.

    Raises :class:`PatternError` for a pattern RE2 cannot run. RE2 would also log its
    complaint to stderr; that logging is switched off, the error is ours to report.
    """
    prefix = _literal_prefix(pattern)
    if prefix is not None:
        # ``^x-`` (the extension keys every object allows) is asked of every key of a
        # manifest: a prefix test answers it without a regex engine.
        return lambda text: text.startswith(prefix)
    run = _character_run(pattern)
    if run is not None:
        return run
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        regex = re2.compile(translate(pattern), options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise PatternError(f"not a regular expression wsaudit can run: {detail or 'RE2 refused it'}") from None
    search = regex.search

    def matches(text: str) -> bool:
        key = (pattern, text)
        known = _ANSWERS.get(key)
        if known is not None:
            return known
        # Bytes, so that a lone surrogate (possible in JSON input) cannot fail the encoding.
        found = search(text.encode("utf-8", "surrogatepass")) is not None
        if len(text) <= _MEMO_TEXT_LIMIT:
            if len(_ANSWERS) >= _MEMO_ENTRIES:
                _ANSWERS.clear()
            _ANSWERS[key] = found
        return found

    return matches


# The same short texts (scope URLs, enum-like words, `n/a`) are asked of the same pattern in
# manifest after manifest: answers are remembered in one memo of short texts only, bounded
# in entries, so that memory stays flat whatever the input and however many patterns.
_ANSWERS: dict[tuple[str, str], bool] = {}
_MEMO_TEXT_LIMIT = 256
_MEMO_ENTRIES = 8192


def _literal_prefix(pattern: str) -> str | None:
    """The text ``pattern`` requires at the start of a string when it is nothing more than
    ``^`` and plain characters (letters, digits, ``-``, ``_``); otherwise ``None``."""
    if len(pattern) < 2 or pattern[0] != "^":
        return None
    body = pattern[1:]
    return body if all(char.isascii() and (char.isalnum() or char in "-_") for char in body) else None


# ``^[A][B]*$``, ``^[A]+$`` or ``^[A]*$`` with plain ASCII classes: the shape of an id
# (``^[a-z0-9][a-z0-9_.-]*$``), asked of every id and every reference to one in a
# manifest, most of them texts seen once, which the memo cannot answer and the call into
# RE2 costs ten times a test of the text's characters.
_RUN = re.compile(r"\^\[([^][\\^]+)\](?:([*+])|\[([^][\\^]+)\]\*)\$")
_CLASS_ITEM = re.compile(r"([a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[A-Za-z0-9_.])|(-)\Z")


def _character_run(pattern: str) -> Matcher | None:
    """A test of a text's characters answering ``pattern`` when it has one of the shapes
    above, each class plain letters, digits, ``_``, ``.`` and ranges within one kind of
    them (a ``-`` may close it); otherwise ``None``, and RE2 answers."""
    shape = _RUN.fullmatch(pattern)
    if shape is None:
        return None
    first = _class_members(shape[1])
    rest = first if shape[3] is None else _class_members(shape[3])
    if first is None or rest is None:
        return None
    if shape[2] == "*":
        return lambda text: not text.strip(rest)
    starts = frozenset(first)
    return lambda text: text != "" and text[0] in starts and not text[1:].strip(rest)


def _class_members(body: str) -> str | None:
    """Every character the class ``[body]`` matches, when its items are those
    :func:`_character_run` reads; otherwise ``None``."""
    members: list[str] = []
    at = 0
    while at < len(body):
        item = _CLASS_ITEM.match(body, at)
        if item is None:
            return None
        text = item[0]
        if len(text) == 3:
            if text[0] > text[2]:
                return None  # an empty range, which RE2 refuses
            members += [chr(code) for code in range(ord(text[0]), ord(text[2]) + 1)]
        else:
            members.append(text)
        at = item.end()
    return "".join(members)
