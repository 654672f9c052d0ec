"""The policy's facts are data: one file that the enrichment, the disclosure, the diff and
the manifest schema agree with, and a diff rules file whose format refuses mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.rules import facts as enrich
from auditor.disclosure import model
from auditor.model.errors import AuditorError
from auditor.manifest.load import manifest_schema_path
from auditor.rules.packs import builtin_pack_paths, load_packs
from auditor.rules.policy_facts import (CHANGE_KINDS, DIFF_RULES_FILE, diff_rules, load_diff_rules, load_policy_facts,
                                  policy_facts)
from auditor.resources import policies_dir

SCHEMA = json.loads(manifest_schema_path().read_text(encoding="utf-8"))


def _use_case_branches() -> dict[str, set[str]]:
    """The manifest schema's use cases allowed per ``api`` (its if/then branches)."""
    branches = {}
    for branch in SCHEMA["properties"]["use_cases"]["items"]["allOf"]:
        api = branch["if"]["properties"]["api"]["const"]
        branches[api] = set(branch["then"]["properties"]["use_case"]["enum"])
    return branches


def test_the_schema_lists_the_use_cases_the_facts_name():
    facts = policy_facts()
    every = set(SCHEMA["properties"]["use_cases"]["items"]["properties"]["use_case"]["enum"])
    assert every == (set().union(*facts.approved_use_cases.values()) | facts.prohibited_use_cases)
    branches = _use_case_branches()
    assert set(branches) == {*facts.use_case_apis, "any"}
    for api in facts.use_case_apis:
        assert branches[api] == facts.use_cases_allowed_for(api), api
    assert branches["any"] == set(facts.prohibited_any_api)


def test_the_schema_lists_the_purposes_and_recipient_types_the_facts_name():
    facts = policy_facts()
    assert tuple(SCHEMA["$defs"]["purpose"]["enum"]) == facts.purposes
    transfer = SCHEMA["properties"]["transfers"]["items"]["properties"]
    assert tuple(transfer["recipient_type"]["enum"]) == facts.recipient_types
    assert set(facts.prohibited_purposes) <= set(transfer["purpose"]["enum"])


def test_the_enrichment_and_the_disclosure_read_the_facts_file():
    facts = policy_facts()
    assert enrich.USE_CASE_APIS == facts.use_case_apis
    assert enrich.APPROVED_USE_CASES == {api: frozenset(names) for api, names in facts.approved_use_cases.items()}
    assert enrich.PROHIBITED_USE_CASES == facts.prohibited_use_cases
    assert enrich.PROHIBITED_PURPOSES == frozenset(facts.prohibited_purposes)
    assert enrich.USE_CASE_FAMILY == facts.use_case_family
    assert model.PURPOSES == facts.purposes
    assert model.PROHIBITED_PURPOSES == facts.prohibited_purposes
    assert model.PROHIBITED_RECIPIENT_TYPES == frozenset(facts.prohibited_recipient_types)
    assert model.BROKER_TYPES == frozenset(facts.broker_recipient_types)


def test_prohibited_and_review_lists_are_drawn_from_the_full_lists():
    facts = policy_facts()
    assert set(facts.prohibited_purposes) | set(facts.purposes_needing_review) <= set(facts.purposes)
    assert set(facts.broker_recipient_types) <= set(facts.prohibited_recipient_types) <= set(facts.recipient_types)
    assert set(facts.use_case_family.values()) <= set(facts.use_case_apis)


def test_the_facts_files_are_not_rule_packs():
    assert all(path.parent == policies_dir() for path in builtin_pack_paths())
    assert [pack.id for pack in load_packs()] == ["workspace-user-data"]


def test_every_kind_of_change_has_a_rule_and_ids_are_unique():
    rules = diff_rules().rules
    assert {rule.change for rule in rules} == set(CHANGE_KINDS)
    for kind in CHANGE_KINDS:
        assert any(rule.change == kind and rule.when is None for rule in rules), kind
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids))
    assert all(rule.severity == "info" for rule in rules if rule.direction == "escalation")


def _rules_file(tmp_path: Path, edit) -> Path:
    text = (policies_dir() / DIFF_RULES_FILE).read_text(encoding="utf-8")
    path = tmp_path / "diff-rules.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_an_unknown_key_in_a_diff_rule_is_refused_with_its_position(tmp_path):
    path = _rules_file(tmp_path, lambda text: text.replace("    direction: reduction\n",
                                                           "    direction: reduction\n    severty: high\n", 1))
    with pytest.raises(AuditorError) as caught:
        load_diff_rules(path, "rules.yaml")
    text = str(caught.value)
    assert "rules.yaml:" in text and "severty" in text
    line = path.read_text(encoding="utf-8").splitlines().index("    severty: high") + 1
    assert f"rules.yaml:{line}:" in text


def test_a_kind_of_change_without_a_rule_for_the_rest_is_refused(tmp_path):
    path = _rules_file(tmp_path, lambda text: text.replace(
        "    change: scope_removed\n", "    change: scope_removed\n    when: {properties: {scope: {const: x}}}\n", 1))
    with pytest.raises(AuditorError, match="scope_removed"):
        load_diff_rules(path, "rules.yaml")


def test_a_citation_that_is_not_defined_is_refused(tmp_path):
    path = _rules_file(tmp_path, lambda text: text.replace("    citation: human-access\n",
                                                           "    citation: nowhere\n", 1))
    with pytest.raises(AuditorError, match="nowhere"):
        load_diff_rules(path, "rules.yaml")


def test_a_facts_file_missing_a_list_is_refused(tmp_path):
    text = (policies_dir() / "facts" / "policy-facts.yaml").read_text(encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_text(text.replace("  needs_review: [aggregated_analytics]\n", ""), encoding="utf-8")
    with pytest.raises(AuditorError, match="needs_review"):
        load_policy_facts(path, "facts.yaml")
