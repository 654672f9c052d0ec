"""Code evidence everywhere: ``scan-code`` in every report format, and ``audit --code``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DESKTOP, PHONE, measure_layout, parse_valid_junit, run_wsaudit, sarif_schema_errors

A = "https://www.googleapis.com/auth/"
QUICKSTART = '''\
from googleapiclient.discovery import build

SCOPES = ["https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/drive"]
service = build("gmail", "v1")
labels = service.users().labels().list(userId="me").execute()
'''


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A code tree below ``repo/src`` and a manifest declaring one broad and one unused scope."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "quickstart.py").write_text(QUICKSTART, encoding="utf-8")
    manifest = tmp_path / "app.yaml"
    manifest.write_text("manifest_version: 1\napp: {name: Labels, developer: D, type: web}\nscopes:\n"
                        "  - scope: gmail.readonly\n  - scope: calendar.readonly\n", encoding="utf-8")
    return root, manifest


def _scan(root: Path, manifest: Path, *args: str):
    return run_wsaudit("scan-code", str(root), "--manifest", str(manifest), *args)


def test_sarif_is_valid_and_points_into_the_source_relative_to_the_scanned_root(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    result = _scan(root, manifest, "--format", "sarif")
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert sarif_schema_errors(document) == []
    locations = {item["ruleId"]: item["locations"][0]["physicalLocation"] for item in document["runs"][0]["results"]}
    assert locations["SCAN-001"]["artifactLocation"] == {"uri": "src/quickstart.py", "uriBaseId": "%SRCROOT%"}
    assert locations["SCAN-001"]["region"] == {"startLine": 3, "startColumn": 62}
    assert {"SCAN-001", "SCAN-003", "SCAN-004"} <= set(locations)


def test_junit_parses_back_with_one_suite_per_file(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    result = _scan(root, manifest, "--format", "junit")
    assert result.code == 1, result.stderr
    suites = {suite.get("name"): suite for suite in parse_valid_junit(result.stdout)}
    assert set(suites) == {str(manifest), "src/quickstart.py"}
    failing = [case.get("name").split()[0] for case in suites["src/quickstart.py"] if case.find("failure") is not None]
    assert failing == ["SCAN-001"]


def test_json_keeps_the_least_privilege_object_and_findings_name_the_file(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    document = json.loads(_scan(root, manifest, "--format", "json").stdout)
    least = document["least_privilege"]
    assert least["needed"] == [A + "gmail.labels"]
    assert least["broader_than_needed"][0]["scope"] == A + "gmail.readonly"
    assert least["calls"][0]["file"] == "src/quickstart.py"
    assert [item["path"] for item in document["manifests"]] == [str(manifest), "src/quickstart.py"]
    undeclared = [f for f in document["findings"] if f["rule_id"] == "SCAN-001"]
    assert [(f["manifest"], f["line"]) for f in undeclared] == [("src/quickstart.py", 3)]


@pytest.mark.parametrize("output_format, heading", [("text", "least privilege:"),
                                                     ("markdown", "### Least privilege from code"),
                                                     ("html", 'id="least-privilege-title"')])
def test_text_markdown_and_html_show_the_least_privilege_section(tmp_path: Path, output_format: str, heading: str):
    root, manifest = _tree(tmp_path)
    result = _scan(root, manifest, "--format", output_format)
    assert result.code == 1, result.stderr
    assert heading in result.stdout
    assert "gmail.labels" in result.stdout.split(heading, 1)[1]
    assert "users.labels.list" in result.stdout and "src/quickstart.py:5" in result.stdout


SEARCHING = '''\
from googleapiclient.discovery import build

service = build("gmail", "v1")
found = service.users().messages().list(userId="me", q="is:unread").execute()
'''


@pytest.mark.parametrize("output_format, lang, expected", [
    ("json", "en", '"reason": "the call passes q: the call could not search with a Gmail query (q)"'),
    ("text", "en", "ruled out: gmail.metadata for gmail.users.messages.list (search.py:4): the call passes q: "
                   "the call could not search with a Gmail query (q)"),
    ("text", "fr", "exclu\u00a0: gmail.metadata pour gmail.users.messages.list (search.py:4)\u00a0: l'appel passe q"
                   "\u00a0: l'appel ne pourrait pas chercher avec une requête Gmail (q)"),
    ("markdown", "en", "| `gmail.metadata` | the call passes q: the call could not search with a Gmail query \\(q\\) | "
                       "gmail.users.messages.list \\(search.py:4\\) |"),
    ("html", "en", "<td><code><bdi>gmail.metadata</bdi></code></td>\n        <td><bdi>the call passes q: the call could not "
                   "search with a Gmail query (q)</bdi></td>"),
], ids=["json", "text", "text-fr", "markdown", "html"])
def test_a_narrower_scope_the_calls_rule_out_is_shown_with_why(tmp_path: Path, output_format, lang, expected):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "search.py").write_text(SEARCHING, encoding="utf-8")
    manifest = tmp_path / "app.yaml"
    manifest.write_text("manifest_version: 1\napp: {name: Search, developer: D, type: web}\nscopes:\n"
                        "  - scope: gmail.readonly\n", encoding="utf-8")
    result = _scan(tmp_path / "src", manifest, "--format", output_format, "--lang", lang)
    assert result.code == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_least_privilege_section_fits_the_screen_in_a_browser(tmp_path: Path, open_page, viewport):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "search.py").write_text(SEARCHING, encoding="utf-8")
    manifest = tmp_path / "app.yaml"
    manifest.write_text("manifest_version: 1\napp: {name: Search, developer: D, type: web}\nscopes:\n"
                        "  - scope: gmail.modify\n", encoding="utf-8")
    path = tmp_path / "scan.html"
    result = _scan(tmp_path / "src", manifest, "--format", "html", "-o", str(path))
    assert result.code == 0, result.stderr
    page = open_page(path, viewport=viewport).page
    tables = page.evaluate("[...document.querySelectorAll('#least-privilege table')]"
                           ".map(table => [table.className, table.getBoundingClientRect().height > 0])")
    layout = measure_layout(page, ["#least-privilege th", "#least-privilege td"])
    assert (tables, layout.scroll_width <= viewport["width"], layout.overflowing, layout.overlapping) == (
        [["least-needed stack", True], ["least-ruled-out stack", True], ["least-broader stack", True]], True, [], [])


def test_an_audit_report_has_no_least_privilege_section():
    result = run_wsaudit("audit", "examples/manifests/inbox-digest.yaml", "--format", "markdown")
    assert "Least privilege from code" not in result.stdout


def test_several_formats_in_one_run(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    result = _scan(root, manifest, "--format", "sarif", "-o", str(sarif), "--format", "junit", "-o", str(junit))
    assert result.code == 1, result.stderr
    assert sarif_schema_errors(json.loads(sarif.read_text(encoding="utf-8"))) == []
    parse_valid_junit(junit.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- audit --code


def test_audit_with_code_fails_sc4_and_sc6_on_the_code_evidence(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    result = run_wsaudit("audit", str(manifest), "--code", str(root / "src"), "--format", "json", "--as-of", "2026-01-01")
    assert result.code == 1, result.stderr
    findings = {(f["rule_id"], f["pointer"]): f for f in json.loads(result.stdout)["findings"]}
    broad = findings[("WUD-SC-004", "/scopes/0")]
    assert broad["status"] == "fail"
    assert f"{A}gmail.labels would suffice for gmail.users.labels.list ({root}/src/quickstart.py:5)" in broad["message"]
    unused = findings[("WUD-SC-006", "/scopes/1")]
    assert unused["status"] == "fail", unused["message"]
    used = findings[("WUD-SC-006", "/scopes/0")]
    assert used["status"] == "pass" and "users.labels.list" in used["message"]


def test_audit_without_code_judges_use_by_the_manifest_alone(tmp_path: Path):
    _, manifest = _tree(tmp_path)
    result = run_wsaudit("audit", str(manifest), "--format", "json", "--as-of", "2026-01-01")
    statuses = {f["pointer"]: f["status"] for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "WUD-SC-006"}
    assert statuses == {"/scopes/0": "incomplete", "/scopes/1": "incomplete"}


def test_the_code_evidence_applies_to_each_manifest(tmp_path: Path):
    root, manifest = _tree(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text("manifest_version: 1\napp: {name: Other, developer: D, type: web}\nscopes:\n"
                     "  - scope: gmail.labels\n", encoding="utf-8")
    result = run_wsaudit("audit", str(manifest), str(other), "--code", str(root), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    used = {(f["manifest"], f["status"]) for f in findings if f["rule_id"] == "WUD-SC-006" and f["pointer"] == "/scopes/0"}
    assert used == {(str(manifest), "pass"), (str(other), "pass")}
    broad = {f["manifest"]: f["status"] for f in findings if f["rule_id"] == "WUD-SC-004" and f["pointer"] == "/scopes/0"}
    # gmail.readonly is broader than the labels call needs; gmail.labels is what it needs.
    assert broad == {str(manifest): "fail"}


def test_audit_with_a_missing_code_path_exits_2(tmp_path: Path):
    _, manifest = _tree(tmp_path)
    result = run_wsaudit("audit", str(manifest), "--code", str(tmp_path / "nowhere"))
    assert result.code == 2, result.stderr
    assert "nowhere: error: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr
