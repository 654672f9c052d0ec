"""The error tree: every problem a user can cause is one of these, with a location.

``str(error)`` reads ``path:line:col: error: message`` (or ``path: error: message`` when no
position is known), the form editors and CI logs turn into links.
"""

from __future__ import annotations


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
        text = f"{self.location}: error: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
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
