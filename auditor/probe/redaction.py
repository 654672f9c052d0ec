"""Keep secrets out of output: a wrapper that will not print itself, and a scrubber.

Every secret the probe handles (an access token, a refresh token, a client secret, a
private key) is registered here as soon as it is read or received. Messages of errors and
log lines pass through :func:`redact` before anyone sees them, so a secret that an endpoint
echoes back in an error body is masked too.

An endpoint rarely echoes a secret as it was sent. A form body arrives URL-encoded, a JSON
error escapes ``/`` as ``\\/`` or any character as ``\\u002f``, an HTML page writes
``&#x2F;``, and a Basic ``Authorization`` header is the base64 of ``client_id:secret``, in
which the secret starts at any of three byte alignments. So the text is first decoded,
keeping for each character where it came from: every escaped character (percent-encoded in
either case of hex or twice, JSON-escaped, an HTML character reference) becomes the
character it spells. The secret, and its base64 (standard and URL-safe, at each
alignment), are then looked for in the decoded text, and what they came from in the
original is masked. Masking always runs on the whole text before any of it is cut for
display: a cut made first could leave most of a long secret in view.
"""

from __future__ import annotations

import base64
import bisect
import logging
import re
import threading

MASK = "[redacted]"
# Shorter values would mask ordinary words; no real token, key or secret is this short.
_MIN_LENGTH = 8
# The longest spelling of one character that is decoded (``%25XX`` for each of four UTF-8
# bytes): bounds how far an echo of a secret can reach past where it starts.
_LONGEST_SPELLING = 20
# One escaped character: a run of percent-encoded bytes (once or twice encoded, either case
# of hex), a JSON escape, an HTML character reference.
_ESCAPE = re.compile(r"(?:%(?:25)?[0-9A-Fa-f]{2})+|\\u[0-9A-Fa-f]{4}|\\[\"\\/bfnrt]"
                     r"|&#[0-9]{1,7};?|&#[xX][0-9A-Fa-f]{1,6};?|&(?:amp|lt|gt|quot|apos);")
_PERCENT_BYTE = re.compile(r"%(?:25)?([0-9A-Fa-f]{2})")
_JSON_SHORT = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HTML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

_lock = threading.Lock()
_known: set[str] = set()
_targets: tuple[tuple[str, ...], int] | None = None


def remember(value: str | None) -> None:
    """Register ``value`` (and, for a PEM key, each line of it) as a secret to mask."""
    global _targets
    if not value:
        return
    with _lock:
        for part in [value, *value.splitlines()]:
            part = part.strip()
            if len(part) >= _MIN_LENGTH and not part.startswith("-----") and part not in _known:
                _known.add(part)
                _targets = None


def _base64_forms(secret: str) -> list[str]:
    """The base64 of ``secret`` (whole, with and without padding), and the characters that
    encode only its bytes when it sits 1 or 2 bytes into a 3-byte group of a larger blob;
    each in the standard and the URL-safe alphabet."""
    data = secret.encode("utf-8")
    whole = base64.b64encode(data).decode("ascii")
    forms = [whole, whole.rstrip("=")]
    for offset, skip in ((0, 0), (1, 2), (2, 3)):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii").rstrip("=")
        forms.append(encoded[skip:len(encoded) - (1 if (offset + len(data)) % 3 else 0)])
    return forms + [form.replace("+", "-").replace("/", "_") for form in forms]


def _spellings(secret: str) -> set[str]:
    """What to look for in decoded text: the secret, its base64 forms, and the variants
    decoding cannot settle (``+`` for a space, a surrogate pair for a character beyond the BMP)."""
    found = {secret, *_base64_forms(secret)}
    if " " in secret:
        found.add(secret.replace(" ", "+"))
    if any(ord(char) > 0xFFFF for char in secret):
        found.add("".join(_surrogates(char) for char in secret))
    return {form for form in found if len(form) >= _MIN_LENGTH}


def _surrogates(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return char
    code -= 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _current_targets() -> tuple[tuple[str, ...], int] | None:
    """Every spelling to look for, and how far in the raw text one occurrence can reach."""
    global _targets
    with _lock:
        if _targets is None and _known:
            spellings = set().union(*(_spellings(secret) for secret in _known))
            ordered = tuple(sorted(spellings, key=lambda form: (-len(form), form)))
            _targets = (ordered, _LONGEST_SPELLING * len(ordered[0]))
        return _targets


class _Decoded:
    """``text`` with every escaped character decoded, and a map back to where each came from.

    The map is a list of segments (decoded start, raw start, raw end, literal?): a literal
    run maps character for character, an escaped character to the whole of its spelling.
    """

    def __init__(self, text: str) -> None:
        self.pieces: list[str] = []
        self.decoded_starts: list[int] = []
        self.raw_spans: list[tuple[int, int, bool]] = []
        size = position = 0
        for match in _ESCAPE.finditer(text):
            if match.start() > position:
                size = self._add(text[position:match.start()], size, position, match.start(), True)
            for char, start, end in _unescape(match):
                size = self._add(char, size, start, end, False)
            position = match.end()
        if position < len(text) or not self.pieces:
            self._add(text[position:], size, position, len(text), True)
        self.text = "".join(self.pieces)

    def _add(self, piece: str, size: int, start: int, end: int, literal: bool) -> int:
        self.pieces.append(piece)
        self.decoded_starts.append(size)
        self.raw_spans.append((start, end, literal))
        return size + len(piece)

    def raw_position(self, index: int, end: bool) -> int:
        """Where decoded character ``index`` starts (or, with ``end``, ends) in the raw text."""
        segment = bisect.bisect_right(self.decoded_starts, index) - 1
        start, stop, literal = self.raw_spans[segment]
        if literal:
            return start + index - self.decoded_starts[segment] + (1 if end else 0)
        return stop if end else start


def _unescape(match: re.Match[str]) -> list[tuple[str, int, int]]:
    """The characters one escape match stands for, each with its span in the raw text."""
    spelled = match.group()
    start = match.start()
    if spelled.startswith("%"):
        found = [(int(byte.group(1), 16), start + byte.start(), start + byte.end())
                 for byte in _PERCENT_BYTE.finditer(spelled)]
        chars = []
        index = 0
        while index < len(found):
            lead = found[index][0]
            length = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else 4 if lead >> 3 == 30 else 1
            data = bytes(value for value, _start, _end in found[index:index + length])
            try:
                char = data.decode("utf-8")
            except UnicodeDecodeError:
                char, length = "\ufffd", 1
            chars.append((char, found[index][1], found[index + length - 1][2]))
            index += length
        return chars
    end = match.end()
    if spelled.startswith("\\u"):
        return [(chr(int(spelled[2:], 16)), start, end)]
    if spelled.startswith("\\"):
        return [(_JSON_SHORT[spelled[1]], start, end)]
    body = spelled.rstrip(";")
    if body.startswith(("&#x", "&#X")):
        code = int(body[3:], 16)
    elif body.startswith("&#"):
        code = int(body[2:])
    else:
        return [(_HTML_NAMED[body[1:]], start, end)]
    return [(chr(code) if code <= 0x10FFFF else "\ufffd", start, end)]


def _secret_spans(text: str, targets: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where in ``text`` any spelling of a secret occurs, merged and in order."""
    decoded = _Decoded(text)
    found = []
    for target in targets:
        # Decoding could misread a secret that itself holds ``%`` or ``&#``: look in the raw text too.
        index = text.find(target) if decoded.text != text else -1
        while index >= 0:
            found.append((index, index + len(target)))
            index = text.find(target, index + 1)
        index = decoded.text.find(target)
        while index >= 0:
            found.append((decoded.raw_position(index, False), decoded.raw_position(index + len(target) - 1, True)))
            index = decoded.text.find(target, index + 1)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    pieces = []
    position = 0
    for start, end in spans:
        pieces += [text[position:start], MASK]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str) -> str:
    """``text`` with every registered secret, in any of its spellings, replaced by ``[redacted]``."""
    targets = _current_targets()
    if targets is None or not text:
        return text
    return _masked(text, _secret_spans(text, targets[0]))


def redact_head(text: str, limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of ``redact(text)``, and whether anything was left out.

    Only the part of ``text`` that can reach the result is searched, so a large body costs
    little more than a short one; a secret that starts before the cut is masked whole,
    never cut in two.
    """
    targets = _current_targets()
    if targets is None:
        return text[:limit], len(text) > limit
    spellings, reach = targets
    pieces: list[str] = []
    size = position = 0
    while size < limit and position < len(text):
        room = limit - size
        window_end = min(len(text), position + room + reach)
        # A secret that starts before the cut ends inside the window, so it is found whole.
        spans = [(position + start, position + end)
                 for start, end in _secret_spans(text[position:window_end], spellings) if start < room]
        if not spans:
            pieces.append(text[position:position + room])
            position += room
            break
        for start, end in spans:
            if start - position >= limit - size:
                break
            pieces += [text[position:start], MASK]
            size += start - position + len(MASK)
            position = end
    head = "".join(pieces)
    return head[:limit], position < len(text) or len(head) > limit


class Secret:
    """A secret string that prints as ``[redacted]``; :meth:`reveal` hands out the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> None:  # never pickled into a cache or a worker by accident
        raise TypeError("a Secret cannot be pickled")


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
