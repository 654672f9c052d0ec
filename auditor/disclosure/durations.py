"""ISO 8601 durations as the manifest schema accepts them, for retention in plain words.

The schema allows ``P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]`` with at least one part; only the
seconds may carry a fraction. Parts are kept as written (``P12M`` stays twelve months, never
"one year"): a disclosure repeats what the manifest says, it does not recompute it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Same grammar as the manifest schema's ``retention`` pattern, with named parts.
_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)

UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


@dataclass(frozen=True)
class Duration:
    """A parsed duration: ``parts`` holds ``(unit, amount)`` for every part written, in order."""

    text: str
    parts: tuple[tuple[str, Decimal], ...]

    @property
    def is_zero(self) -> bool:
        """Whether every part is zero (``P0D``, ``PT0.0S``): the data is not kept at all."""
        return all(amount == 0 for _, amount in self.parts)

    def nonzero_parts(self) -> tuple[tuple[str, Decimal], ...]:
        return tuple((unit, amount) for unit, amount in self.parts if amount != 0)


def parse_duration(text: str) -> Duration | None:
    """Parse ``text``; ``None`` when it is not a duration of the schema's form."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    parts = tuple((unit, Decimal(match.group(unit))) for unit in UNITS if match.group(unit) is not None)
    return Duration(text, parts)
