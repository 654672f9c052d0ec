"""SARIF: valid against the official 2.1.0 schema, faithful to the findings, stable fingerprints."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.reporters.sarif import indented_json
from auditor.rules.packs import load_packs

from tests.helpers import EXAMPLES, REPO, RenderedPage, render_like_github, run_wsaudit, sarif_schema_errors
from tests.reporters.support import (AS_OF_ARGS, EXAMPLE_PATHS, audit_results, make_report, render,
                                     write_review_files)

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def test_the_schema_catches_a_broken_log():
    # The validator is live: a result without a message and a bad level are refused.
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal"}]}]}
    assert len(sarif_schema_errors(broken)) >= 2


@pytest.mark.parametrize("manifest", EXAMPLE_PATHS)
def test_sarif_of_each_example_is_valid_and_faithful(manifest):
    result = run_wsaudit("audit", manifest, "--format", "sarif", *AS_OF_ARGS)
    document = json.loads(result.stdout)
    assert sarif_schema_errors(document) == []
    findings = json.loads(run_wsaudit("audit", manifest, "--format", "json", *AS_OF_ARGS).stdout)["findings"]

    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    problems = [f for f in findings if f["status"] != "pass"]
    assert len(run["results"]) == len(problems)
    for sarif_result, finding in zip(run["results"], problems):
        assert sarif_result["ruleId"] == finding["rule_id"]
        assert rules[sarif_result["ruleIndex"]]["id"] == finding["rule_id"]
        # A verdict resting on an inferred scope classification says so under the message.
        notes = [f"Note: classification of {item['scope']} as {item['classification']} is inferred, not stated "
                 f"by Google: {item['reason']}" for item in finding.get("inferred", ())]
        assert sarif_result["message"]["text"] == "\n".join([finding["message"], *notes])
        assert sarif_result["properties"].get("inferred") == finding.get("inferred")
        [location] = sarif_result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": manifest, "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": finding["line"], "startColumn": finding["column"]}
        assert location["logicalLocations"][0]["fullyQualifiedName"] == finding["pointer"]
        assert sarif_result["partialFingerprints"] == {"wsaudit/v1": finding["fingerprint"]}
        if finding["status"] == "fail":
            assert (sarif_result["kind"], sarif_result["level"]) == ("fail", LEVEL[finding["severity"]])
        else:
            assert (sarif_result["kind"], sarif_result["level"]) == ("open", "none")
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_the_driver_describes_every_loaded_rule():
    document = json.loads(render("sarif", make_report([])))
    assert sarif_schema_errors(document) == []
    [run] = document["runs"]
    assert run["results"] == []
    descriptors = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    loaded = [rule for pack in load_packs() for rule in pack.rules]
    assert list(descriptors) == [rule.id for rule in loaded]
    security_severity = {"critical": 9.0, "high": 7.0, "medium": 4.0, "low": 0.1}
    for rule in loaded:
        descriptor = descriptors[rule.id]
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"]
        assert descriptor["name"].isalnum()
        assert rule.remediation in descriptor["help"]["text"]
        assert rule.citation.quote in descriptor["help"]["text"]
        assert descriptor["helpUri"] == rule.citation.url
        assert descriptor["defaultConfiguration"]["level"] == LEVEL[rule.severity]
        properties = descriptor["properties"]
        assert "security" in properties["tags"] and set(rule.tags) <= set(properties["tags"])
        score = float(properties["security-severity"])
        # Inside GitHub's band for the severity: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
        if rule.severity == "critical":
            assert score > 9.0
        elif rule.severity == "info":
            assert score == 0.0
        else:
            upper = {"high": 9.0, "medium": 7.0, "low": 4.0}[rule.severity]
            assert security_severity[rule.severity] <= score < upper



def test_each_rule_has_a_full_description_and_help_of_its_own():
    """Code scanning shows fullDescription and help in the alert's rule panel: the obligation
    in the policy's words and why it matters, then how to fix it and where the policy says so."""
    document = json.loads(render("sarif", make_report([])))
    descriptors = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    loaded = [rule for pack in load_packs() for rule in pack.rules]
    full = [descriptors[rule.id]["fullDescription"]["text"] for rule in loaded]
    assert len(set(full)) == len(loaded), "no two rules share a description"
    for rule in loaded:
        descriptor = descriptors[rule.id]
        description = descriptor["fullDescription"]["text"]
        assert description != descriptor["shortDescription"]["text"]
        assert rule.citation.quote in description and rule.citation.section in description
        assert "Why it matters: " in description, rule.id
        if rule.description:
            assert rule.description.strip() in description
        help_text = descriptor["help"]["text"]
        for part in (rule.remediation, rule.citation.quote, rule.citation.section, rule.citation.url):
            assert part in help_text, (rule.id, part)
        rendered = render_like_github(descriptor["help"]["markdown"])
        page = RenderedPage(rendered)
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())
        assert " ".join(rule.citation.quote.split()) in shown
        assert (rule.citation.url, rule.citation.url) in page.links
        assert "blockquote" in page.elements and "strong" in page.elements


def test_waived_and_baselined_findings_are_suppressed_not_dropped(tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    document = json.loads(render("sarif", make_report(results, waiver_set, packs)))
    assert sarif_schema_errors(document) == []
    [run] = document["runs"]
    by_status: dict[str, list] = {}
    for sarif_result in run["results"]:
        by_status.setdefault(sarif_result["properties"]["status"], []).append(sarif_result)
    [waived] = by_status["waived"]
    [suppression] = waived["suppressions"]
    assert (suppression["kind"], suppression["status"]) == ("external", "accepted")
    assert "privacy@example.com" in suppression["justification"] and "2027-03-31" in suppression["justification"]
    [baselined] = by_status["baselined"]
    assert baselined["suppressions"][0]["kind"] == "external"
    assert all("suppressions" not in r for r in by_status["fail"] + by_status["incomplete"])
    assert "pass" not in by_status
    # Expired and unmatched waivers are reported as configuration notifications.
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert len(notes) == 2 and all(note["level"] == "warning" for note in notes)


def test_fingerprints_survive_moved_lines_and_paths_are_relative(tmp_path):
    """Lines inserted above every element move the findings, not their fingerprints."""
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    before_dir.mkdir()
    after_dir.mkdir()
    original = (EXAMPLES / "receipt-tracker.yaml").read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    first_key = next(index for index, line in enumerate(lines) if line.startswith("manifest_version"))
    (before_dir / "app.yaml").write_text(original, encoding="utf-8")
    (after_dir / "app.yaml").write_text(
        "".join(lines[:first_key]) + "# a new note\n# another one\n\n" + "".join(lines[first_key:]), encoding="utf-8")

    def results_of(folder: Path) -> list:
        output = run_wsaudit("audit", "app.yaml", "--format", "sarif", *AS_OF_ARGS, cwd=folder).stdout
        return json.loads(output)["runs"][0]["results"]

    before, after = results_of(before_dir), results_of(after_dir)
    # A SARIF result for each finding that is not a pass.
    report = json.loads(run_wsaudit("audit", "app.yaml", "--format", "json", *AS_OF_ARGS, cwd=before_dir).stdout)
    assert len(before) == sum(1 for finding in report["findings"] if finding["status"] != "pass")
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 3 for r in before] == \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after]
    assert after[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "app.yaml",
                                                                                "uriBaseId": "%SRCROOT%"}

def test_a_manifest_outside_the_working_folder_gets_an_absolute_uri(tmp_path):
    outside = tmp_path / "with space.yaml"
    shutil.copy(EXAMPLES / "room-booking-service.yaml", outside)
    document = json.loads(run_wsaudit("audit", str(outside), "--format", "sarif", *AS_OF_ARGS, cwd=REPO).stdout)
    assert sarif_schema_errors(document) == []
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert "uriBaseId" not in location
    assert location["uri"].startswith("file:///") and location["uri"].endswith("/with%20space.yaml")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@given(_JSON_VALUES, st.sampled_from(["", "  ", "        "]))
def test_results_are_written_as_json_indents_them(value, indent):
    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + indent)
    assert indented_json(value, indent) == expected
