"""Policy packs: the documented custom pack works from YAML alone; broken packs exit 2 located."""

from __future__ import annotations

import json
import os
import re

import pytest

from auditor.rules.packs import load_packs
from auditor.cli.rule_listing import filter_rules, render_rules
from auditor.manifest.yaml_source import MAX_DEPTH
from tests.helpers import EXAMPLES, MINIMAL, REPO, run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]
DOCS = REPO / "docs" / "rules.md"


def documented_pack() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), flags=re.S)
    [pack] = [block for block in blocks if block.startswith("pack_version:")]
    return pack


def test_docs_rules_md_is_generated_from_the_packs():
    packs = load_packs()
    fresh = render_rules(packs, filter_rules(packs), "markdown")
    assert DOCS.read_text() == fresh, "docs/rules.md is stale: run wsaudit rules --format markdown -o docs/rules.md"
    for rule in filter_rules(packs):
        assert f"#### {rule.id}" in fresh and rule.citation.quote in fresh


def test_documented_custom_pack_loads_and_produces_findings(write):
    pack = write("acme-rules.yaml", documented_pack())
    listed = run_wsaudit("rules", "--policy", str(pack), "--category", "retention")
    assert listed.code == 0 and "ACME-RET-001" in listed.stdout, (listed.stdout, listed.stderr)
    manifest = write("m.yaml", MINIMAL.replace("  - scope: openid\n", "  - scope: openid\n  - scope: gmail.readonly\n") + (
        "data:\n  - {id: mail, description: Mail, source_scopes: [gmail.readonly], purposes: [user_facing_feature]}\n"
        "  - {id: names, description: Names, source_scopes: [openid], purposes: [user_facing_feature]}\n"
        "storage:\n"
        "  - {id: forever, data: [names], location: own_systems, retention: indefinite}\n"
        "  - {id: month, data: [names], location: own_systems, retention: P30D}\n"
        "  - {id: unknown, data: [names], location: own_systems}\n"
        "transfers:\n"
        "  - {id: ads, recipient: Ad network, recipient_type: advertising_platform, data: [mail], purpose: provide_feature}\n"
        "  - {id: crm, recipient: CRM, recipient_type: service_provider, data: [mail], purpose: provide_feature}\n"
    ))
    result = run_wsaudit("audit", str(manifest), "--policy", str(pack), "--no-builtin-policy", "--format", "json",
                         "--fail-on", "medium", *AS_OF)
    report = json.loads(result.stdout)
    got = sorted((f["rule_id"], f["status"], f["pointer"]) for f in report["findings"])
    assert got == [
        ("ACME-RET-001", "fail", "/storage/0"),
        ("ACME-RET-001", "incomplete", "/storage/2"),
        ("ACME-RET-001", "pass", "/storage/1"),
        ("ACME-XFR-001", "fail", "/transfers/0"),
        ("ACME-XFR-001", "pass", "/transfers/1"),
    ]
    assert result.code == 1, result.stderr
    assert [p["id"] for p in report["policies"]] == ["acme-data-handling"]
    [fail] = [f for f in report["findings"] if f["rule_id"] == "ACME-RET-001" and f["status"] == "fail"]
    assert fail["message"] == "storage 'forever' keeps data indefinitely"
    assert fail["clause"] is None
    assert fail["citation"]["policy"] == "ACME Data Handling Standard"
    # With the built-in pack too, both packs' rules are evaluated.
    both = json.loads(run_wsaudit("audit", str(manifest), "--policy", str(pack), "--format", "json", *AS_OF).stdout)
    assert {p["id"] for p in both["policies"]} == {"workspace-user-data", "acme-data-handling"}


RULE = """\
pack_version: 1
pack: {id: broken, version: "1", title: Broken}
rules:
  - id: X-1
    title: T
    severity: low
    category: c
    citation: {section: S, quote: Q}
    select: /app
    assert: true
    message: {fail: F}
    remediation: R
"""
BROKEN = {
    # kind: (text, line, column, fragment of the message)
    "unknown key": (RULE + "    titel: oops\n", 13, 5, "unknown key 'titel' in rules[0] (did you mean 'title'?)"),
    "bad severity": (RULE.replace("severity: low", "severity: severe"), 6, 15, "'severe' is not allowed"),
    "unsupported keyword": (RULE.replace("assert: true", "assert: {dependentRequired: {a: [b]}}"), 10, 14,
                            "unsupported JSON Schema keyword(s): dependentRequired"),
    "lookahead pattern": (RULE.replace("assert: true", "assert:\n      properties:\n        name: {pattern: '^(?=a)'}"),
                          12, 16, "pattern '^(?=a)'"),
    "backreference": (RULE.replace("assert: true", "assert: {patternProperties: {'(a)\\1': true}}"), 10, 34,
                      "pattern '(a)\\\\1'"),
    "recursive ref": (RULE.replace("assert: true", "assert: {properties: {next: {$ref: '#'}}}"), 10, 34,
                      "recursive reference '#'"),
    "keyword value": (RULE.replace("assert: true", "assert: {properties: {tier: {minimum: low}}}"), 10, 34,
                      "minimum must be a number"),
    "utf-16": (RULE.encode("utf-16"), 1, 1, "UTF-16"),
    "deep": (RULE.replace("assert: true", "assert: {allOf: " + "[" * 200 + "]" * 200 + "}"), 10, 81,
             f"nesting deeper than {MAX_DEPTH} levels"),
    "tagged scalar": (RULE.replace("severity: low", "severity: !!bool maybe"), 6, 15, "cannot be read"),
    "yaml syntax": (RULE.replace("title: T", "title: [unclosed"), 6, 13, "invalid YAML"),
    "missing assert": (RULE.replace("    assert: true\n", ""), 4, 5, "rules[0] is missing the required key 'assert'"),
    "not a pack": ("- just a list\n", 1, 1, "not a policy pack"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_pack_exits_2_with_file_and_line(write, kind):
    text, line, column, fragment = BROKEN[kind]
    pack = write("broken.yaml", text)
    result = run_wsaudit("audit", "examples/manifests/inbox-digest.yaml", "--policy", str(pack))
    assert result.code == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{pack}:{line}:{column}: error: "), first
    assert fragment in first
    assert "Traceback" not in result.stderr


def test_duplicate_rule_id_across_packs_exits_2(write):
    pack = write("dup.yaml", RULE.replace("X-1", "WUD-SC-001"))
    result = run_wsaudit("rules", "--policy", str(pack))
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{pack}:4:1: error: rule id WUD-SC-001 is already defined in policies/workspace-user-data.yaml:")


def test_missing_policy_path_exits_2(tmp_path):
    result = run_wsaudit("audit", "examples/manifests", "--policy", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "no such policy file or folder" in result.stderr, result.stderr


def test_rules_command_filters_and_formats():
    everything = run_wsaudit("rules")
    assert everything.code == 0, everything.stderr
    assert everything.stdout.splitlines()[-1] == f"{len(load_packs()[0].rules)} rule(s)"
    critical = run_wsaudit("rules", "--severity", "critical", "--format", "json")
    ids = [rule["id"] for rule in json.loads(critical.stdout)["rules"]]
    assert ids and all(rule["severity"] == "critical" for rule in json.loads(critical.stdout)["rules"])
    assert "WUD-LU-002" in ids
    by_clause = run_wsaudit("rules", "--clause", "se-1")
    assert [line.split()[0] for line in by_clause.stdout.splitlines()[1:-1]] == ["WUD-SE-001", "WUD-SE-009"]


def test_every_rule_cites_the_policy_with_a_short_quote():
    seeds = (REPO.parent / "shared" / "seeds" / "003_b022caad8e041d0e.txt")
    policy_text = seeds.read_text() if seeds.exists() else None
    for rule in filter_rules(load_packs()):
        assert rule.citation.url and rule.citation.url.startswith("https://")
        assert 10 <= len(rule.citation.quote) <= 200
        if policy_text is not None:
            assert rule.citation.quote.replace('\\"', '"') in policy_text.replace("\u2019", "'"), rule.id


def test_backtracking_pattern_in_a_pack_cannot_hang_the_audit(write):
    pack = write("slow.yaml", RULE.replace("assert: true", "assert: {properties: {name: {pattern: '^(a+)+$'}}}"))
    manifest = write("m.yaml", MINIMAL.replace("name: Tiny", "name: " + "a" * 40 + "!"))
    # A backtracking engine needs about 2**40 steps for this name: the child would not finish,
    # and the run's own timeout fails the test. Linear-time matching answers at once.
    result = run_wsaudit("audit", str(manifest), "--policy", str(pack), "--no-builtin-policy", "--fail-on", "low", *AS_OF)
    assert result.code == 1, result.stderr
    assert "X-1" in result.stdout


def test_refused_pattern_prints_one_line_and_no_engine_log(write):
    pack = write("look.yaml", RULE.replace("assert: true", "assert: {properties: {name: {pattern: 'a(?!b)'}}}"))
    result = run_wsaudit("rules", "--policy", str(pack))
    assert result.code == 2, result.stderr
    assert result.stderr.splitlines() == [result.stderr.splitlines()[0]]
    assert result.stderr.startswith(f"{pack}:10:34: error: ")


def test_pack_given_as_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pack.yaml"
    os.mkfifo(fifo)
    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--policy", str(fifo))
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{fifo}: error: ") and "not a regular file" in result.stderr
