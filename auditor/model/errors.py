"""The error tree: every problem a user can cause is one of these, with a location.

``str(error)`` reads ``path:line:col: error: message`` (or ``path: error: message`` when no
position is known), the form editors and CI logs turn into links. It is always one line:
a path, message or hint from outside (a file name with a line break, a server's answer with
an ESC) shows its control and bidi characters as visible escapes.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from auditor.model.text_safety import printable


class AuditorError(Exception):
    """A problem with the input or the environment, reported to the user without a traceback."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str:
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            parts.append(str(self.column if self.column is not None else 1))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{printable(self.location)}: error: {printable(self.message)}"
        if self.hint:
            text += f" (hint: {printable(self.hint)})"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path or "", self.line or 0, self.column or 0, self.message)


class ManifestError(AuditorError):
    """A manifest cannot be read, parsed or validated."""


class PolicyError(AuditorError):
    """A policy pack, waiver file or baseline cannot be read or is malformed."""


class ProbeError(AuditorError):
    """The live probe could not reach an endpoint or was refused."""


class ErrorList(AuditorError):
    """Several errors found in one pass over one or more files (validation keeps going).

    A container, not an error with a location of its own: it has no path, line or message
    to read, only its errors, sorted by position; iterate it (or call :func:`errors_in` on
    whatever was caught). It is raised as an :class:`AuditorError` so that one ``except``
    clause handles a single error and many alike.
    """

    def __init__(self, errors: Iterable[AuditorError]) -> None:
        self.errors: tuple[AuditorError, ...] = tuple(sorted(errors, key=AuditorError.sort_key))
        if not self.errors:
            raise ValueError("an ErrorList needs at least one error")
        super().__init__(f"{len(self.errors)} error(s)")

    def __iter__(self) -> Iterator[AuditorError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def errors_in(error: AuditorError) -> list[AuditorError]:
    """Every single error ``error`` stands for: the members of an :class:`ErrorList`, or the
    error itself."""
    return list(error) if isinstance(error, ErrorList) else [error]


class InternalError(AuditorError):
    """An unexpected exception while handling one input: a bug in wsaudit, not in the input.

    The run reports it for that input, goes on with the others and exits 4; ``trace`` keeps
    the formatted traceback for ``--traceback``."""

    def __init__(self, message: str, path: str | None = None, trace: str = "") -> None:
        super().__init__(message, path, hint="this is a bug in wsaudit; please report it with the input that caused it")
        self.trace = trace
