"""The error tree: every problem a user can cause is one of these, with a location.

``str(error)`` reads ``path:line:col: error: message`` (or ``path: error: message`` when no
position is known), the form editors and CI logs turn into links. It is always one line:
a path, message or hint from outside (a file name with a line break, a server's answer with
an ESC) shows its control and bidi characters as visible escapes.
"""

from __future__ import annotations

from auditor.text_safety import printable


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
    """Several errors found in one pass over one or more files (validation keeps going)."""

    def __init__(self, errors: list[AuditorError]) -> None:
        self.errors = sorted(errors, key=AuditorError.sort_key)
        first = self.errors[0] if self.errors else AuditorError("no errors")
        super().__init__(first.message, first.path, first.line, first.column, first.hint)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class InternalError(AuditorError):
    """An unexpected exception while handling one input: a bug in wsaudit, not in the input.

    The run reports it for that input, goes on with the others and exits 4; ``trace`` keeps
    the formatted traceback for ``--traceback``."""

    def __init__(self, message: str, path: str | None = None, trace: str = "") -> None:
        super().__init__(message, path, hint="this is a bug in wsaudit; please report it with the input that caused it")
        self.trace = trace
