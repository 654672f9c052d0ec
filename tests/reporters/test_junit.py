"""JUnit XML: valid against the CI servers' structure, and the counts parse back right."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.helpers import MINIMAL, parse_valid_junit, run_wsaudit
from tests.reporters.support import (AS_OF_ARGS, EXAMPLE_PATHS, audit_results, make_report, render,
                                     write_review_files)

def expected_cases(findings: list[dict]) -> dict[str, str]:
    """Rule id → the outcome its test case must have, worked out from the JSON findings."""
    statuses: dict[str, set[str]] = {}
    for finding in findings:
        statuses.setdefault(finding["rule_id"], set()).add(finding["status"])
    outcome = {}
    for rule_id, seen in statuses.items():
        if "fail" in seen:
            outcome[rule_id] = "failure"
        elif seen & {"incomplete", "waived", "baselined"}:
            outcome[rule_id] = "skipped"
        else:
            outcome[rule_id] = "passed"
    return outcome


def test_the_schema_refuses_what_ci_servers_would():
    with pytest.raises(etree.DocumentInvalid):
        parse_valid_junit('<testsuites><testsuite name="a" tests="1"><testcase name="x"/></testsuite></testsuites>')
    with pytest.raises(etree.DocumentInvalid):
        parse_valid_junit('<testsuites><testsuite name="a" tests="1"><testcase name="x" classname="c">'
                    '<skipped/><failure/></testcase></testsuite></testsuites>')


def test_junit_of_the_examples_parses_back_with_the_right_counts():
    output = run_wsaudit("audit", "examples/manifests", "--format", "junit", *AS_OF_ARGS).stdout
    root = parse_valid_junit(output)
    report = json.loads(run_wsaudit("audit", "examples/manifests", "--format", "json", *AS_OF_ARGS).stdout)

    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == EXAMPLE_PATHS
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite, manifest in zip(suites, report["manifests"]):
        findings = [f for f in report["findings"] if f["manifest"] == manifest["path"]]
        expected = expected_cases(findings)
        cases = suite.findall("testcase")
        outcomes = {}
        for case in cases:
            rule_id = case.get("name").split(" ", 1)[0]
            assert case.get("classname") == manifest["path"]
            children = [child.tag for child in case]
            outcomes[rule_id] = children[0] if children else "passed"
        assert outcomes == expected
        counts = {"tests": len(cases), "failures": sum(o == "failure" for o in outcomes.values()),
                  "skipped": sum(o == "skipped" for o in outcomes.values())}
        assert {key: int(suite.get(key)) for key in counts} == counts
        assert suite.get("errors") == "0"
        assert suite.find("properties/property[@name='app']").get("value") == manifest["app"]
        for key in totals:
            totals[key] += counts[key]
    assert {key: int(root.get(key)) for key in totals} == totals
    # Every failed finding is named in its test case's failure, with its place.
    failures = "\n".join(element.text for element in root.iter("failure"))
    for finding in report["findings"]:
        if finding["status"] == "fail":
            assert f"{finding['manifest']}:{finding['line']}:{finding['column']}" in failures


def test_waived_and_baselined_rules_are_skipped_with_the_reason(tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    root = parse_valid_junit(render("junit", make_report(results, waiver_set, packs)))
    calendar = root.find("testsuite[@name='examples/manifests/calendar-connector.yaml']")
    [waived] = [case for case in calendar.findall("testcase") if case.get("name").startswith("WUD-SC-004 ")]
    message = waived.find("skipped").get("message")
    assert "privacy@example.com" in message and "2027-03-31" in message and "<together> | reviewed" in message
    rooms = root.find("testsuite[@name='examples/manifests/room-booking-service.yaml']")
    [accepted] = [case for case in rooms.findall("testcase") if case.get("name").startswith("WUD-HA-002 ")]
    assert accepted.find("skipped").get("message").startswith("baselined:")
    assert rooms.get("failures") == "0"


def test_control_characters_from_a_manifest_keep_the_xml_well_formed(write):
    path = write("odd.yaml", MINIMAL.replace("name: Tiny", 'name: "Tiny\\e[31m\\u0001 & <co>"'))
    output = run_wsaudit("audit", str(path), "--format", "junit", *AS_OF_ARGS).stdout
    root = parse_valid_junit(output)
    assert root.find("testsuite/properties/property").get("value") == "Tiny\\x1b[31m\\x01 & <co>"


def test_an_empty_report_is_a_valid_empty_document():
    root = parse_valid_junit(render("junit", make_report([])))
    assert root.get("tests") == "0" and len(root) == 0
