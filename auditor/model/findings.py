"""The result model's findings: severities, statuses, rules as reports cite them, and one
finding; the report that carries them is :mod:`auditor.model.report`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    """How much a failing rule matters, most severe first. A ``StrEnum``: each member equals
    its string value and serialises as it, so JSON, SARIF and templates see plain strings."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe; a smaller rank sorts first."""
        return SEVERITY_RANK[self]


class Status(enum.StrEnum):
    """A finding's verdict, in the order reports list them (failures first)."""

    FAIL = "fail"
    INCOMPLETE = "incomplete"
    PASS = "pass"
    WAIVED = "waived"
    BASELINED = "baselined"

    @property
    def rank(self) -> int:
        return STATUS_RANK[self]


SEVERITIES: tuple[Severity, ...] = tuple(Severity)
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}
STATUSES: tuple[Status, ...] = tuple(Status)
STATUS_RANK: dict[str, int] = {name: rank for rank, name in enumerate(STATUSES)}


@dataclass(frozen=True)
class Citation:
    """Where an obligation comes from: the policy, its section and a short quote."""

    policy: str
    section: str
    quote: str
    url: str | None

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "section": self.section, "quote": self.quote, "url": self.url}


@dataclass(frozen=True)
class Waiver:
    """A reviewer's approval to accept a finding for a while."""

    rule_id: str
    manifest: str
    pointer: str | None
    reason: str
    approved_by: str
    expires: str
    source: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "approved_by": self.approved_by, "expires": self.expires}


@dataclass(frozen=True)
class InferredClassification:
    """A scope classification a verdict rests on that Google does not state: the catalog
    reasoned it out (``reason``), so a reviewer should know the verdict could change."""

    scope: str
    classification: str
    reason: str

    def note(self) -> str:
        """The one-line note every report format shows."""
        text = f"classification of {self.scope} as {self.classification} is inferred, not stated by Google"
        return f"{text}: {self.reason}" if self.reason else text

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "classification": self.classification, "reason": self.reason}


@dataclass(frozen=True)
class RuleInfo:
    """What every finding of one rule says besides its verdict, held once per rule.

    Every kind of rule (a compiled pack rule, a diff rule, a check-policy or
    verify-readiness rule, a code-scan rule) describes itself with one of these, so reports,
    SARIF's rule list and translations treat them alike; findings share it instead of
    copying its fields.
    """

    id: str
    clause: str | None
    title: str
    severity: Severity
    category: str
    remediation: str
    citation: Citation
    description: str = ""
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Rules read from YAML give the severity as text; keep one type from here on.
        if not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))


def rule_info(rule: Any) -> RuleInfo:
    """The :class:`RuleInfo` of any rule shaped like one (``id``, ``clause``, ``title``…)."""
    return RuleInfo(rule.id, rule.clause, rule.title, Severity(rule.severity), rule.category, rule.remediation,
                    rule.citation, getattr(rule, "description", ""), tuple(getattr(rule, "tags", ())))


@dataclass(frozen=True, init=False)
class Finding:
    """One rule's verdict on one element of one manifest.

    ``rule`` is shared by every finding of the rule; the rule's fields read through
    (``finding.rule_id``, ``finding.severity``…) so renderers need not know the difference.
    ``fingerprint`` identifies the finding independently of line numbers: a hash of the
    rule id, the manifest path and the element's content, so it survives unrelated edits
    and reordered lists (baselines and SARIF ``partialFingerprints`` use it).
    """

    rule: RuleInfo
    status: Status
    manifest: str
    pointer: str
    line: int
    column: int
    message: str
    fingerprint: str = ""
    waiver: Waiver | None = None
    # Inferred scope classifications the verdict or its wording rests on, by scope.
    inferred: tuple[InferredClassification, ...] = ()

    def __init__(self, rule: RuleInfo, status: Status | str, manifest: str, pointer: str, line: int, column: int,
                 message: str, fingerprint: str = "", waiver: Waiver | None = None,
                 inferred: tuple[InferredClassification, ...] = ()) -> None:
        # Written by hand: an audit makes a finding for every rule and element of every
        # manifest, and the generated frozen __init__ sets each field with a call of its own,
        # which costs twice as much. Still frozen: assigning a field afterwards raises.
        # One item at a time, in field order, rather than ``update(**fields)``: no keyword
        # dictionary to build, and the instances share one table of keys (a third smaller).
        fields = self.__dict__
        fields["rule"] = rule
        fields["status"] = status if type(status) is Status else Status(status)
        fields["manifest"] = manifest
        fields["pointer"] = pointer
        fields["line"] = line
        fields["column"] = column
        fields["message"] = message
        fields["fingerprint"] = fingerprint
        fields["waiver"] = waiver
        fields["inferred"] = inferred

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def clause(self) -> str | None:
        return self.rule.clause

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def remediation(self) -> str:
        return self.rule.remediation

    @property
    def citation(self) -> Citation:
        return self.rule.citation

    def sort_key(self) -> tuple[Any, ...]:
        return (self.manifest, STATUS_RANK[self.status], SEVERITY_RANK[self.severity], self.line, self.column,
                self.rule_id, self.pointer)

    def with_status(self, status: Status | str, waiver: Waiver | None = None) -> Finding:
        """This finding with another status (and waiver); ``dataclasses.replace`` would work
        out the fields anew for each of the many findings a baseline or waiver marks."""
        return self.__class__(self.rule, status, self.manifest, self.pointer, self.line, self.column, self.message,
                              self.fingerprint, waiver, self.inferred)

    def to_json(self) -> dict[str, Any]:
        document = {
            "rule_id": self.rule_id,
            "clause": self.clause,
            "title": self.title,
            "severity": self.severity,
            "category": self.category,
            "status": self.status,
            "manifest": self.manifest,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "remediation": self.remediation,
            "citation": self.citation.to_json(),
            "fingerprint": self.fingerprint,
        }
        if self.waiver is not None:
            document["waiver"] = self.waiver.to_json()
        if self.inferred:
            document["inferred"] = [item.to_json() for item in self.inferred]
        return document

    def evidence_notes(self) -> list[str]:
        """Short notes on the evidence behind the verdict, for formats other than JSON."""
        return [item.note() for item in self.inferred]



# The report half of the result model lives in auditor.model.report. The README documents
# this module as part of the library, so the report's types stay importable from here too;
# they load on first use, since auditor.model.report itself imports this module.
_REPORT_TYPES = frozenset({"Detail", "DetailValue", "EncodedResult", "FlowStep", "Inventory", "ManifestResult",
                           "PackInfo", "Report", "ReportStream", "ScopeUse", "Summary", "SummaryTally", "WaiverNote"})


def __getattr__(name: str) -> Any:
    if name in _REPORT_TYPES:
        from auditor.model import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
