"""Every rule of the built-in pack against manifest fragments that pass and fail it.

Each file in ``cases/`` holds the cases of one rule: a manifest (YAML text) and the findings
that rule must produce on it, with status, JSON Pointer and line, and optionally a piece of
text its message must contain. A case may set its own audit date (``as_of``), and give the
app's code (``code``: file path → content), which is scanned as ``audit --code`` scans it,
from the folder holding those files. The test also
checks that every clause of the coverage table has a rule with a failing and a passing case.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.engine import evaluate
from auditor.manifest.load import Manifest, check_manifest
from auditor.rules.packs import load_packs
from auditor.manifest.yaml_source import parse_yaml

CASES = Path(__file__).parent / "cases"
AS_OF = datetime.date(2026, 11, 21)
CLAUSES = [f"SC-{n}" for n in range(1, 9)] + ["UC-1"] + [f"TR-{n}" for n in range(1, 8)] + \
    [f"CN-{n}" for n in range(1, 5)] + [f"LU-{n}" for n in range(1, 6)] + ["HA-1"] + [f"SE-{n}" for n in range(1, 9)]


def load_cases() -> list[tuple[str, str, dict]]:
    found = []
    for path in sorted(CASES.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            found.append((spec["rule"], case["name"], case))
    return found


@pytest.fixture(scope="module")
def packs():
    return load_packs()


@pytest.mark.parametrize("rule_id,name,case", load_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_rule_case(packs, rule_id, name, case, tmp_path, monkeypatch):
    document = parse_yaml(case["manifest"], f"{name}.yaml")
    assert check_manifest(document) == [], "the case's manifest must be valid"
    as_of = datetime.date.fromisoformat(str(case.get("as_of", AS_OF)))
    code = None
    if "code" in case:
        from auditor.scan.drift import scan_code

        for path, text in case["code"].items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        code = scan_code(sorted({path.split("/")[0] for path in case["code"]}), ScopeCatalog.load(), 1 << 20)
    result = evaluate(Manifest(document), packs, ScopeCatalog.load(), as_of, code=code)
    findings = [finding for finding in result.findings if finding.rule_id == rule_id]
    got = sorted((finding.status, finding.pointer, finding.line) for finding in findings)
    expected = sorted((item["status"], item["pointer"], item["line"]) for item in case["expect"])
    assert got == expected
    for item in case["expect"]:
        if "message" in item:
            messages = [finding.message for finding in findings
                        if (finding.status, finding.pointer, finding.line) == (item["status"], item["pointer"], item["line"])]
            assert any(item["message"] in message for message in messages), messages


def test_every_clause_has_a_rule_with_failing_and_passing_cases(packs):
    rules = {rule.id: rule for pack in packs for rule in pack.rules}
    covered: dict[str, set[str]] = {}
    for rule_id, _name, case in load_cases():
        for item in case["expect"]:
            covered.setdefault(rules[rule_id].clause, set()).add(item["status"])
    for clause in CLAUSES:
        assert any(rule.clause == clause for rule in rules.values()), f"no rule enforces {clause}"
        assert {"fail", "pass"} <= covered.get(clause, set()), f"{clause} lacks a failing or a passing case"


def test_every_rule_has_cases(packs):
    with_cases = {rule_id for rule_id, _name, _case in load_cases()}
    assert sorted(rule.id for pack in packs for rule in pack.rules if rule.id not in with_cases) == []
