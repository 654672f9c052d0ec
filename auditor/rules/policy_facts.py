"""The policy's facts and the rules of ``wsaudit diff``, read from data once.

Google's policy names use cases, purposes and recipients that it approves or forbids. The
enrichment, the privacy disclosure and the diff all need the same lists, so they live in
one file, ``policies/facts/policy-facts.yaml``; what each change between two manifest
versions means lives in ``policies/facts/diff-rules.yaml``. Both sit below ``policies/``
(shipped in the wheel with it) but outside the folder's top level, where every file is a
rule pack. A file that does not match its schema is refused with its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Callable

from auditor.model.errors import ErrorList, PolicyError
from auditor.model.findings import SEVERITY_RANK, Citation, RuleInfo, rule_info

FACTS_FILE = "facts/policy-facts.yaml"
DIFF_RULES_FILE = "facts/diff-rules.yaml"
DIRECTIONS = ("escalation", "reduction", "change")
# Every kind of change the comparison reports (``auditor.diff.changes``), each with the
# facts listed in docs/reports.md.
CHANGE_KINDS = ("scope_added", "scope_removed", "use_case_added", "use_case_removed", "data_added", "data_removed",
                "purpose_added", "purpose_removed", "storage_added", "storage_removed", "encryption_changed",
                "key_management_changed", "transfer_added", "transfer_removed", "human_access_added",
                "human_access_removed", "field_changed")


@dataclass(frozen=True)
class PolicyFacts:
    """The policy's lists, as ``policies/facts/policy-facts.yaml`` states them (order kept)."""

    policy_name: str
    policy_url: str
    use_case_apis: tuple[str, ...]
    use_case_family: dict[str, str]
    approved_use_cases: dict[str, tuple[str, ...]]
    prohibited_use_cases_by_api: dict[str, tuple[str, ...]]
    prohibited_any_api: tuple[str, ...]
    purposes: tuple[str, ...]
    prohibited_purposes: tuple[str, ...]
    purposes_needing_review: tuple[str, ...]
    recipient_types: tuple[str, ...]
    prohibited_recipient_types: tuple[str, ...]
    broker_recipient_types: tuple[str, ...]
    key_management_strength: dict[str, int]
    retention_open_ended: dict[str, int]

    @property
    def prohibited_use_cases(self) -> frozenset[str]:
        """Every use case the policy prohibits, for one API or for all."""
        return frozenset(self.prohibited_any_api).union(*self.prohibited_use_cases_by_api.values())

    def use_cases_allowed_for(self, api: str) -> frozenset[str]:
        """What a manifest may declare for ``api`` (``any`` for the cross-API ones): the
        approved and the prohibited use cases, since a manifest must be able to say either."""
        return (frozenset(self.approved_use_cases.get(api, ()))
                | frozenset(self.prohibited_use_cases_by_api.get(api, ())) | frozenset(self.prohibited_any_api))


@dataclass(frozen=True)
class DiffRule:
    """What one kind of change means: ``direction`` says which way it moves the app.

    Shaped like a pack rule where reports describe rules (``id``, ``title``, ``severity``,
    ``citation``…), so every format describes it the same way.
    """

    id: str
    change: str
    when: Callable[[Any], bool] | None
    direction: str
    severity: str
    category: str
    clause: str | None
    title: str
    description: str
    message: str
    remediation: str
    citation: Citation
    tags: tuple[str, ...] = ("compliance-diff",)

    @cached_property
    def info(self) -> RuleInfo:
        """What the rule's findings say besides their verdict, shared by all of them."""
        return rule_info(self)


@dataclass(frozen=True)
class DiffRules:
    rules: tuple[DiffRule, ...]
    finding_message: str
    fixed_message: str

    def rule_for(self, change: str, facts: dict[str, Any]) -> DiffRule:
        """The first rule of kind ``change`` whose condition holds for ``facts``."""
        for rule in self.rules:
            if rule.change == change and (rule.when is None or rule.when(facts)):
                return rule
        # The loader makes sure every kind ends with an unconditional rule.
        raise LookupError(f"no diff rule for a change of kind {change}")


def _load(path: Path, display: str, schema: str) -> Any:
    from auditor.resources import schemas_dir
    from auditor.manifest.schema_check import check_against_schema
    from auditor.manifest.yaml_source import load_yaml_file

    document = load_yaml_file(path, display=display, error_type=PolicyError)
    errors = check_against_schema(document, Path(schemas_dir()) / schema, PolicyError)
    if errors:
        raise ErrorList(errors)
    return document


def _builtin(name: str) -> tuple[Path, str]:
    from auditor.resources import policies_dir

    return policies_dir() / name, f"policies/{name}"


@cache
def policy_facts() -> PolicyFacts:
    """The facts file, read and checked once per process."""
    return load_policy_facts(*_builtin(FACTS_FILE))


@cache
def diff_rules() -> DiffRules:
    """The diff rules file, read, checked and compiled once per process."""
    return load_diff_rules(*_builtin(DIFF_RULES_FILE))


def load_policy_facts(path: Path, display: str) -> PolicyFacts:
    """Read and check a facts file (``policies/facts/policy-facts.yaml``)."""
    data = _load(path, display, "policy-facts.schema.json").data
    use_cases, purposes, recipients = data["use_cases"], data["purposes"], data["recipient_types"]
    return PolicyFacts(
        policy_name=data["policy"]["name"],
        policy_url=data["policy"]["url"],
        use_case_apis=tuple(use_cases["apis"]),
        use_case_family=dict(use_cases["family"]),
        approved_use_cases={api: tuple(names) for api, names in use_cases["approved"].items()},
        prohibited_use_cases_by_api={api: tuple(names) for api, names in use_cases["prohibited"].items()},
        prohibited_any_api=tuple(use_cases["prohibited_any_api"]),
        purposes=tuple(purposes["all"]),
        prohibited_purposes=tuple(purposes["prohibited"]),
        purposes_needing_review=tuple(purposes["needs_review"]),
        recipient_types=tuple(recipients["all"]),
        prohibited_recipient_types=tuple(recipients["prohibited"]),
        broker_recipient_types=tuple(recipients["brokers"]),
        key_management_strength=dict(data["key_management_strength"]),
        retention_open_ended=dict(data["retention_open_ended"]),
    )


def load_diff_rules(path: Path, display: str) -> DiffRules:
    """Read, check and compile a diff rules file (``policies/facts/diff-rules.yaml``)."""
    from auditor.rules.packs import schema_error_position
    from auditor.rules.predicates import UnsupportedSchema, compile_schema

    document = _load(path, display, "diff-rules.schema.json")
    data = document.data
    shown = document.path
    facts = policy_facts()
    defaults = data["defaults"]
    rules: list[DiffRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        where = f"/rules/{index}"
        if raw["id"] in seen:
            raise PolicyError(f"diff rule id {raw['id']} is used twice", shown, *document.locate(f"{where}/id"))
        seen.add(raw["id"])
        cited = data["citations"].get(raw["citation"])
        if cited is None:
            raise PolicyError(f"diff rule {raw['id']}: no citation named {raw['citation']!r} under citations",
                              shown, *document.locate(f"{where}/citation"))
        when = None
        if "when" in raw:
            try:
                when = compile_schema(raw["when"])
            except UnsupportedSchema as exc:
                raise PolicyError(f"diff rule {raw['id']}: when: {exc}", shown,
                                  *schema_error_position(document, f"{where}/when", exc)) from None
        rules.append(DiffRule(
            id=raw["id"], change=raw["change"], when=when, direction=raw["direction"],
            severity=raw.get("severity", defaults["severity"]), category=raw.get("category", defaults["category"]),
            clause=raw.get("clause"), title=raw["title"], description=raw.get("description", ""),
            message=raw["message"], remediation=raw["remediation"],
            citation=Citation(cited.get("policy", facts.policy_name), cited["section"], cited["quote"],
                              cited.get("url", facts.policy_url)),
        ))
    # Every kind of change must mean something: its last rule takes whatever the others left.
    for kind in CHANGE_KINDS:
        if not any(rule.change == kind and rule.when is None for rule in rules):
            raise PolicyError(f"changes of kind {kind} need a rule without `when`, for what the others leave",
                              shown, 1, 1)
    assert all(rule.severity in SEVERITY_RANK and rule.direction in DIRECTIONS for rule in rules)
    return DiffRules(tuple(rules), data["messages"]["finding"], data["messages"]["fixed"])
