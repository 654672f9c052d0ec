"""Make text from outside safe to show: no character of it may steer the reader's screen.

Manifest values, file names, waiver reasons, policy-pack text and server messages reach
terminals, CI logs, Markdown comments and HTML pages. Some characters in them act instead of
showing: C0 and C1 controls (an ESC starts a sequence that can clear the screen, rewrite a
line, plant an OSC 8 hyperlink or an OSC 52 clipboard write; ``\\x9b`` is a one-byte CSI),
line breaks (one error split into two lines, the second forged), bidirectional formatting
(U+202E shows ``exe.pdf`` as ``fdp.exe``) and invisible formatting characters (zero-width
spaces, tag characters that carry hidden text).

:func:`printable` writes every such character as a visible escape (``\\x1b``, ``\\n``,
``\\u202e``) so the reader sees that it is there and what it is. Backslashes are left as
they are, which makes the function idempotent: applying it twice gives what applying it
once does, so a value that was already made printable cannot be garbled by a second pass.

The character set is spelled out rather than taken from :mod:`unicodedata`, so the output
of a given input does not change with the Python version's Unicode tables. Zero-width
joiner and non-joiner (U+200C, U+200D) are kept: scripts such as Persian and every emoji
sequence need them, and they can neither reorder nor hide text.

Cheap to import (only :mod:`re`): the command line uses it on its start-up path.
"""

from __future__ import annotations

import re
from typing import Any

# Everything but the C0 controls, which differ between a field and a block of lines.
_UNSAFE_BEYOND_C0 = (
    r"\x7f-\x9f"                       # DEL, C1
    r"\u00ad"                          # soft hyphen: invisible unless a line breaks there
    r"\u061c\u200e\u200f"              # bidi marks
    r"\u115f\u1160\u3164\uffa0"        # Hangul fillers, drawn as nothing
    r"\u180e"                          # Mongolian vowel separator (formerly a space)
    r"\u200b"                          # zero-width space
    r"\u2028\u2029"                    # line and paragraph separators
    r"\u202a-\u202e"                   # bidi embeddings and overrides
    r"\u2060-\u206f"                   # word joiner, invisible operators, bidi isolates, deprecated formats
    r"\ufeff"                          # zero-width no-break space (byte-order mark)
    r"\ufff9-\ufffb"                   # interlinear annotation controls
    r"\ud800-\udfff"                   # lone surrogates (undecodable bytes of a file name)
    r"\U0001d173-\U0001d17a"           # musical formatting controls
    r"\U000e0000-\U000e007f"           # tag characters: invisible text
)
_UNSAFE = re.compile(rf"[\x00-\x1f{_UNSAFE_BEYOND_C0}]")
# The same set less the line feed and the tab that a multi-line text of ours is laid out with.
_UNSAFE_IN_BLOCK = re.compile(rf"[\x00-\x08\x0b-\x1f{_UNSAFE_BEYOND_C0}]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_character(char: str) -> str:
    """The visible escape of one character: ``\\n``, ``\\x1b``, ``\\u202e`` or ``\\U000e0041``."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_match(match: re.Match[str]) -> str:
    return escape_character(match.group())


def printable(value: Any) -> str:
    """``value`` as one line of visible text: every control, line break, tab, bidi or
    invisible formatting character becomes its escape.

    For a field (a path, a name, a message) inside a line we lay out.
    """
    return _UNSAFE.sub(_escape_match, str(value))


def printable_block(value: Any) -> str:
    """Like :func:`printable`, but line feeds and tabs stay: for a whole multi-line text
    whose line structure is meant (a generated document), never for a single field."""
    return _UNSAFE_IN_BLOCK.sub(_escape_match, str(value))


def json_safe(document: str) -> str:
    """A JSON text whose strings show no unsafe character raw: each becomes a ``\\uXXXX``
    escape (a surrogate pair above the BMP), so the decoded values are unchanged while
    ``cat report.json`` cannot drive the terminal.

    ``json.dumps(..., ensure_ascii=False)`` already escapes C0 controls; it leaves C1
    controls, bidi and invisible formatting characters raw, and lone surrogates would not
    even encode as UTF-8. Line feeds and tabs raw in the text are layout (inside a string
    they are escaped already), so they stay.
    """
    return _UNSAFE_IN_BLOCK.sub(_json_escape, document)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
