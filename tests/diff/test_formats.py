"""``wsaudit diff`` renders the one result model in every registered format."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.reporters import FORMATS
from tests.helpers import VISIBLE_FINDINGS, parse_valid_junit, run_wsaudit, sarif_schema_errors
from tests.diff.support import AD_TRANSFER, AS_OF, DIGEST, RESTRICTED_SCOPE, edited, line_of

HEAD = edited(RESTRICTED_SCOPE, AD_TRANSFER)


@pytest.fixture
def revisions(tmp_path) -> tuple[str, str]:
    """Base and head as paths relative to ``tmp_path`` (the run's working folder)."""
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / "app.yaml").write_text(DIGEST, encoding="utf-8")
    (tmp_path / "head" / "app.yaml").write_text(HEAD, encoding="utf-8")
    return "base/app.yaml", "head/app.yaml"


def diff(tmp_path: Path, *args: str, expected: int = 1) -> str:
    result = run_wsaudit("diff", *args, *AS_OF, cwd=tmp_path)
    assert result.code == expected, result.stderr
    return result.stdout


def test_json_is_the_report_contract_plus_a_diff_object(tmp_path, revisions):
    report = json.loads(diff(tmp_path, *revisions, "--format", "json"))
    assert report["report_version"] == 1
    assert report["manifests"] == [{"app": "Inbox Digest", "path": "head/app.yaml"}]
    by_rule = {finding["rule_id"]: finding for finding in report["findings"]}
    scope = by_rule["WUD-DIFF-001"]
    assert (scope["status"], scope["severity"], scope["manifest"]) == ("fail", "info", "head/app.yaml")
    position = (scope["pointer"], scope["line"], scope["column"])
    assert position == ("/scopes/1", line_of(HEAD, "  - scope: https://mail"), 5)
    assert scope["citation"]["section"] == "Request the minimum relevant permissions"
    assert by_rule["WUD-DIFF-011"]["line"] == line_of(HEAD, "  - id: ads")
    # The introduced finding keeps its own rule and severity.
    assert (by_rule["WUD-LU-002"]["status"], by_rule["WUD-LU-002"]["severity"]) == ("fail", "critical")
    assert report["summary"]["fail_by_severity"]["critical"] == 1
    summary = report["diff"]["summary"]
    assert (summary["escalations"], summary["blocking"], summary["fail_on"]) == (2, 1, "high")
    assert report["diff"]["manifests"][0]["state"] == "changed"


def test_a_fixed_finding_passes_and_says_so(tmp_path, revisions):
    base, head = revisions
    report = json.loads(diff(tmp_path, head, base, "--format", "json", expected=0))
    [fixed] = [finding for finding in report["findings"] if finding["rule_id"] == "WUD-LU-002"]
    assert fixed["status"] == "pass"
    assert fixed["message"].startswith("fixed by this change: transfer 'ads' to AdCo")
    assert fixed["manifest"] == head and fixed["line"] == line_of(HEAD, "  - id: ads")
    # The comparison keeps the finding as the base revision reported it.
    [pair] = report["diff"]["manifests"]
    assert [f["status"] for f in pair["fixed"] if f["rule_id"] == "WUD-LU-002"] == ["fail"]
    assert {f["status"] for f in report["findings"]} == {"pass"}


def test_sarif_is_valid_and_points_at_the_head(tmp_path, revisions):
    document = json.loads(diff(tmp_path, *revisions, "--format", "sarif"))
    assert sarif_schema_errors(document) == []
    [run] = document["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["WUD-DIFF-001"]["shortDescription"]["text"] == "New restricted scope"
    results = {result["ruleId"]: result for result in run["results"]}
    assert set(results) == {"WUD-DIFF-001", "WUD-DIFF-011", "WUD-LU-002", "WUD-SC-004"}
    location = results["WUD-DIFF-001"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "head/app.yaml"
    assert location["region"]["startLine"] == line_of(HEAD, "  - scope: https://mail")
    assert (results["WUD-DIFF-001"]["level"], results["WUD-LU-002"]["level"]) == ("note", "error")
    for result in results.values():
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_junit_parses_back_with_one_failure_per_failing_rule(tmp_path, revisions):
    root = parse_valid_junit(diff(tmp_path, *revisions, "--format", "junit"))
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "head/app.yaml"
    cases = suite.findall("testcase")
    failed = {case.get("name").split(" ", 1)[0] for case in cases if case.find("failure") is not None}
    assert failed == {"WUD-DIFF-001", "WUD-DIFF-011", "WUD-LU-002", "WUD-SC-004"}
    assert int(root.get("failures")) == 4
    [ad_failure] = [case.find("failure") for case in cases if case.get("name").startswith("WUD-DIFF-011")]
    assert f"head/app.yaml:{line_of(HEAD, '  - id: ads')}:5" in ad_failure.text


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_h1, self.h1 = False, ""

    def handle_starttag(self, tag, attrs):
        self.in_h1 = self.in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        self.in_h1 = self.in_h1 and tag != "h1"

    def handle_data(self, data):
        if self.in_h1:
            self.h1 += data


def test_html_names_the_comparison_and_shows_the_findings_in_a_browser(tmp_path, revisions, open_page):
    path = tmp_path / "diff.html"
    diff(tmp_path, *revisions, "--format", "html", "-o", str(path))
    headings = _Headings()
    headings.feed(path.read_text(encoding="utf-8"))
    assert headings.h1 == "Workspace API compliance diff"
    opened = open_page(path)
    assert opened.console_errors == []
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.page.evaluate(VISIBLE_FINDINGS) == 4  # two escalations, two introduced findings


def test_markdown_is_the_pull_request_comment(tmp_path, revisions):
    text = diff(tmp_path, *revisions, "--format", "markdown")
    assert text.startswith("### :x: wsaudit: 1 new finding(s) at or above high, 2 escalation(s)\n")
    assert "| head/app.yaml | changed | 2 | 2 | 0 |" in text
    assert "| escalation | scopes | <https://mail.google.com/> | new restricted scope \\(gmail\\) |" in text
    assert "**Introduced**" in text and "**Fixed**" not in text
    assert text.rstrip("\n").splitlines()[-1].startswith("FAIL: 1 of 1 manifest(s) changed, 2 escalation(s)")


def test_an_unchanged_pair_gets_a_quiet_comment(tmp_path, revisions):
    base, _ = revisions
    text = diff(tmp_path, base, base, "--format", "markdown", expected=0)
    assert text.startswith("### :white_check_mark: wsaudit: 0 new finding(s)")
    assert "| (no manifest changed) | | | | |" in text and "<details>" not in text


def test_text_lists_every_change_and_ends_with_the_verdict(tmp_path, revisions):
    base, head = revisions
    lines = diff(tmp_path, head, base, expected=0).splitlines()
    assert any("WUD-DIFF-101" in line and "[pass] scopes https://mail.google.com/: scope removed" in line
               for line in lines)
    assert any("WUD-DIFF-109" in line and "transfers ads: transfer removed" in line for line in lines)
    assert lines[-1].startswith("OK: 1 of 1 manifest(s) changed, 0 escalation(s), 0 finding(s) introduced")


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_several_formats_in_one_run_match_single_runs(tmp_path, revisions, format_name):
    together = tmp_path / f"together.{format_name}"
    other = "json" if format_name != "json" else "text"
    diff(tmp_path, *revisions, "--format", format_name, "-o", str(together), "--format", other,
         "-o", str(tmp_path / "other.out"))
    alone = diff(tmp_path, *revisions, "--format", format_name)
    assert together.read_text(encoding="utf-8") == alone


def test_a_comment_too_long_for_github_keeps_the_table_and_the_verdict(tmp_path):
    from auditor import __version__
    from auditor.rules.batch import AuditSettings
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.diff.run import Side, diff_report, run_diff
    from auditor.manifest.load import load_manifest
    from auditor.rules.packs import load_packs
    from auditor.reporters.markdown import LIMIT, size
    from tests.reporters.support import AS_OF as AS_OF_DATE, render

    (tmp_path / "base.yaml").write_text(DIGEST, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(HEAD, encoding="utf-8")
    old, new = load_manifest(str(tmp_path / "base.yaml")), load_manifest(str(tmp_path / "head.yaml"))
    names = [f"apps/app-{number:03}.yaml" for number in range(120)]
    packs = load_packs()
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), AS_OF_DATE, 1 << 20)
    compared, errors = run_diff(Side("base", {name: lambda: old for name in names}),
                                Side("head", {name: lambda: new for name in names}), settings)
    assert errors == []
    text = render("markdown", diff_report(compared, packs, AS_OF_DATE.isoformat(), __version__))
    assert size(text) <= LIMIT
    assert text.count(" | changed | 2 | 2 | 0 |\n") == 120
    assert "<details>" not in text and "left out to stay under the 65,536-character limit" in text
    assert text.rstrip("\n").splitlines()[-1].startswith("FAIL: 120 of 120 manifest(s) changed")
