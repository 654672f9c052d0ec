"""Keep secrets out of output: a wrapper that will not print itself, and a scrubber.

Every secret the probe handles (an access token, a refresh token, a client secret, a
private key) is registered here as soon as it is read or received. Messages of errors and
log lines pass through :func:`redact` before anyone sees them, so a secret that an endpoint
echoes back in an error body is masked too.
"""

from __future__ import annotations

import logging
import threading

MASK = "[redacted]"
# Shorter values would mask ordinary words; no real token, key or secret is this short.
_MIN_LENGTH = 8

_lock = threading.Lock()
_known: set[str] = set()


def remember(value: str | None) -> None:
    """Register ``value`` (and, for a PEM key, each line of it) as a secret to mask."""
    if not value:
        return
    with _lock:
        for part in [value, *value.splitlines()]:
            part = part.strip()
            if len(part) >= _MIN_LENGTH and not part.startswith("-----"):
                _known.add(part)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    with _lock:
        secrets = sorted(_known, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


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
