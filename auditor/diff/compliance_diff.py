"""The outcome of comparing manifests: each compliance-relevant change, per pair of manifests
and for the whole comparison, as the ``diff`` report and its findings show it.

:mod:`auditor.diff.changes` finds the changes; these values carry them to every format.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from auditor.model.findings import SEVERITY_RANK, Finding
from auditor.model.report import ManifestResult
from auditor.rules.policy_facts import DiffRule, diff_rules

ESCALATION, REDUCTION, NEUTRAL = "escalation", "reduction", "change"
DIFF_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One compliance-relevant difference, named by the diff rule that matched it."""

    area: str
    subject: str
    detail: str
    rule: DiffRule
    pointer: str
    manifest: str
    line: int | None
    column: int | None
    finding: Finding

    @property
    def risk(self) -> str:
        """Which way the change moves the app: escalation, reduction or change."""
        return self.rule.direction

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area, "subject": self.subject, "detail": self.detail, "risk": self.risk,
                "rule_id": self.rule.id, "pointer": self.pointer, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class ManifestDiff:
    base: str | None
    head: str | None
    app: str
    changes: tuple[Change, ...]
    introduced: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    # The language the changes are worded in (the report's); the JSON leaves it out.
    lang: str = "en"

    @property
    def state(self) -> str:
        if self.base is None:
            return "added"
        if self.head is None:
            return "removed"
        return "changed" if self.changes or self.introduced or self.fixed else "unchanged"

    @property
    def escalations(self) -> int:
        return sum(1 for change in self.changes if change.risk == ESCALATION)

    def result(self) -> ManifestResult:
        """The findings of this comparison, as the result model every format renders: one
        per change, the introduced ones as they are, the fixed ones passing."""
        from auditor.rules.rule_translation import diff_language
        from auditor.rules.message_templates import render_message

        local = diff_language(self.lang)
        rules = diff_rules() if local is None else local.rules
        fixed = [replace(finding, status="pass",
                         message=render_message(rules.fixed_message, {"message": finding.message}))
                 for finding in self.fixed]
        findings = sorted([*(change.finding for change in self.changes), *self.introduced, *fixed],
                          key=Finding.sort_key)
        return ManifestResult(self.head or self.base or "", self.app, tuple(findings))

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "app": self.app, "state": self.state,
                "changes": [change.to_json() for change in self.changes],
                "introduced": [finding.to_json() for finding in self.introduced],
                "fixed": [finding.to_json() for finding in self.fixed]}


@dataclass(frozen=True)
class ComplianceDiff:
    """Every pair of manifests compared, and the labels of the two sides."""

    base_label: str
    head_label: str
    manifests: tuple[ManifestDiff, ...]

    def blocking(self, fail_on: str) -> list[Finding]:
        """The failing findings at or above ``fail_on``: escalations and introduced findings
        (everything that fails in a diff is brought by the change)."""
        if fail_on == "never":
            return []
        limit = SEVERITY_RANK[fail_on]
        return [finding for diff in self.manifests
                for finding in (*(change.finding for change in diff.changes), *diff.introduced)
                if finding.status == "fail" and SEVERITY_RANK[finding.severity] <= limit]

    def counts(self) -> dict[str, int]:
        return {
            "manifests": len(self.manifests),
            "changed": sum(1 for diff in self.manifests if diff.state != "unchanged"),
            "escalations": sum(diff.escalations for diff in self.manifests),
            "introduced": sum(len(diff.introduced) for diff in self.manifests),
            "fixed": sum(len(diff.fixed) for diff in self.manifests),
        }

    def to_json(self, fail_on: str) -> dict[str, Any]:
        """The ``diff`` object of the JSON report."""
        counts = self.counts()
        del counts["manifests"]
        return {"diff_version": DIFF_VERSION, "base": self.base_label, "head": self.head_label,
                "manifests": [diff.to_json() for diff in self.manifests],
                "summary": {**counts, "blocking": len(self.blocking(fail_on)), "fail_on": fail_on}}
