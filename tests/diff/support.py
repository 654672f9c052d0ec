"""Manifest revisions for the diff tests: the inbox-digest example and edits of it."""

from __future__ import annotations

from tests.helpers import EXAMPLES

AS_OF = ("--as-of", "2026-11-21")
DIGEST = (EXAMPLES / "inbox-digest.yaml").read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str], text: str = DIGEST) -> str:
    """``text`` with each ``(old, new)`` replaced once; every ``old`` must be there."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# A restricted scope, properly declared, and nothing else: it introduces a medium finding.
RESTRICTED_SCOPE = ("  - scope: openid\n",
                    "  - scope: https://mail.google.com/\n    justification: Delete processed mail.\n"
                    "    requested: incremental\n    features: [cleanup]\n  - scope: openid\n")
# A transfer to an advertising platform: it introduces a critical finding.
AD_TRANSFER = ("transfers:\n",
               "transfers:\n  - id: ads\n    recipient: AdCo\n    recipient_type: advertising_platform\n"
               "    data: [message-bodies]\n    purpose: advertising\n")
# Data kept longer: an escalation that introduces no finding of any pack rule.
LONGER_RETENTION = ("retention: P7D", "retention: P30D")


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` that starts with ``needle``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(needle))
