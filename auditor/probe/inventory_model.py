"""What a domain inventory found, as values: the apps, the users scanned, the users whose
lookup failed, and whether the run covered the whole domain.

A :class:`~auditor.model.report.Report` carries one of these next to its findings (the drift of
each reviewed app), so every report format renders the same run: JSON adds it as the
``inventory`` object, text, Markdown and HTML show it from their templates. This module
imports nothing from the network side of the probe, so a renderer or a test can hold an
inventory without loading ``requests``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.model.errors import ProbeError
from auditor.model.findings import SEVERITIES, Finding

UNREVIEWED = "no manifest: unreviewed app"


@dataclass(frozen=True)
class GrantedScope:
    """One scope an app holds across the domain, with its catalog classification
    (``unknown`` when the catalog lacks it) and how many users granted it."""

    scope: str
    classification: str
    users: int


@dataclass(frozen=True)
class AppReport:
    """One third-party app (OAuth client) across the domain.

    ``drift`` holds the findings about the app's manifest, the same objects as the report's
    results; an app without a manifest has none.
    """

    client_id: str
    display_name: str
    users: int
    scopes: tuple[GrantedScope, ...]
    manifest: str | None
    app_name: str | None
    drift: tuple[Finding, ...]

    @property
    def restricted_scopes(self) -> tuple[str, ...]:
        return tuple(use.scope for use in self.scopes if use.classification == "restricted")

    @property
    def reviewed(self) -> bool:
        return self.manifest is not None

    @property
    def drift_failed(self) -> int:
        return sum(1 for finding in self.drift if finding.status == "fail")

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "display_name": self.display_name,
            "users": self.users,
            "scopes": [{"scope": use.scope, "classification": use.classification, "users": use.users}
                       for use in self.scopes],
            "restricted_scopes": list(self.restricted_scopes),
            "review": "reviewed" if self.reviewed else "unreviewed",
            "manifest": self.manifest,
            "app": self.app_name,
            "drift": [finding.to_json() for finding in self.drift],
        }


@dataclass(frozen=True)
class FailedUser:
    """A user whose token lookup failed for good, and why (secrets already masked)."""

    key: str
    email: str
    reason: str


@dataclass(frozen=True)
class InventorySummary:
    """Counts a reader wants first: how many apps, how many nobody reviewed, how many hold
    restricted scopes, and the drift failures by severity."""

    apps: int
    unreviewed: int
    with_restricted_scopes: int
    unreviewed_with_restricted_scopes: int
    drift_fail_by_severity: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"apps": self.apps, "unreviewed": self.unreviewed, "with_restricted_scopes": self.with_restricted_scopes,
                "unreviewed_with_restricted_scopes": self.unreviewed_with_restricted_scopes,
                "drift_fail_by_severity": dict(self.drift_fail_by_severity)}


@dataclass(frozen=True)
class DomainInventory:
    """What the run found. ``complete`` is false when it stopped early (``stopped_by`` says
    why) or when a user's lookup failed (``failed_users`` names each one)."""

    apps: tuple[AppReport, ...]
    users_listed: int
    users_scanned: int
    users_gone: int
    complete: bool
    stopped_by: str | None = None
    interrupted: bool = False
    failed_users: tuple[FailedUser, ...] = ()
    stop_error: ProbeError | None = None
    endpoint: str | None = None

    def drift_findings(self) -> list[Finding]:
        return [finding for app in self.apps for finding in app.drift]

    def summary(self) -> InventorySummary:
        failed = dict.fromkeys(SEVERITIES, 0)
        for finding in self.drift_findings():
            if finding.status == "fail":
                failed[finding.severity] += 1
        apps = self.apps
        return InventorySummary(
            apps=len(apps),
            unreviewed=sum(1 for app in apps if not app.reviewed),
            with_restricted_scopes=sum(1 for app in apps if app.restricted_scopes),
            unreviewed_with_restricted_scopes=sum(1 for app in apps if app.restricted_scopes and not app.reviewed),
            drift_fail_by_severity=failed,
        )

    def coverage(self) -> str:
        return f"the inventory written covers {self.users_scanned} of {self.users_listed} listed users"

    def problem(self) -> ProbeError | None:
        """The error that makes this inventory incomplete (not an interruption), if any."""
        if self.stop_error is not None:
            error = self.stop_error
            return ProbeError(f"{error.message}; {self.coverage()}", error.path, error.line, error.column, error.hint)
        if self.failed_users:
            first = self.failed_users[0]
            return ProbeError(f"the token lookup failed for {len(self.failed_users)} of {self.users_listed} listed "
                              f"users (first, {first.email}: {first.reason}); {self.coverage()}", self.endpoint,
                              hint="the report lists each failed user with the reason; run again to retry them")
        if not self.complete and not self.interrupted:
            return ProbeError(f"the run stopped early; {self.coverage()}", self.endpoint)
        return None

    def to_json(self) -> dict[str, Any]:
        """The ``inventory`` object of the JSON report (docs/probe.md)."""
        return {
            "complete": self.complete,
            "interrupted": self.interrupted,
            "stopped_by": self.stopped_by,
            "users": {"listed": self.users_listed, "scanned": self.users_scanned, "gone": self.users_gone,
                      "failed": len(self.failed_users)},
            "failed_users": [{"id": user.key, "email": user.email, "reason": user.reason}
                             for user in self.failed_users],
            "apps": [app.to_json() for app in self.apps],
            "summary": self.summary().to_json(),
        }
