"""Verdicts show their evidence: a finding that rests on a scope classification the catalog
inferred (Google does not state it) says so in every format; other findings stay as they were."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.reporters import FORMATS

from tests.helpers import run_wsaudit
from tests.reporters.support import AS_OF_ARGS, audit_results, make_report, render

GUESSED = "https://www.googleapis.com/auth/admin.directory.user.readonly"
STATED = ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/drive.file")
MANIFEST = f"""\
manifest_version: 1
app: {{name: Roster, developer: D, type: web}}
scopes:
  - scope: {GUESSED}
  - scope: {STATED[0]}
    justification: Show the user's unread mail
"""


@pytest.fixture(scope="module")
def guessed_entry():
    entry = ScopeCatalog.load().get(GUESSED)
    # The test means something only while the catalog infers this classification.
    assert entry is not None and entry.classification_source == "inferred" and entry.reasoning
    for scope in STATED:
        assert ScopeCatalog.load().get(scope).classification_source != "inferred"
    return entry


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "roster.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return str(path)


def note_of(entry) -> str:
    return (f"classification of {entry.scope} as {entry.classification} is inferred, not stated by Google: "
            f"{entry.reasoning.strip()}")


def test_json_lists_the_inferred_classification_on_the_findings_that_rest_on_it(manifest, guessed_entry):
    result = run_wsaudit("audit", manifest, "--format", "json", *AS_OF_ARGS)
    assert result.code in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    [justification] = [f for f in findings if f["rule_id"] == "WUD-SC-005" and f["pointer"].startswith("/scopes/0")]
    assert justification["status"] == "fail"
    assert justification["inferred"] == [{"scope": GUESSED, "classification": guessed_entry.classification,
                                          "reason": guessed_entry.reasoning.strip()}]
    # The stated scope's verdicts, and a verdict that reads no classification, carry no key.
    stated = [f for f in findings if f["pointer"].startswith("/scopes/1")]
    assert stated and all("inferred" not in f for f in stated)
    [retired_check] = [f for f in findings if f["rule_id"] == "WUD-SC-009" and f["pointer"] == "/scopes/0"]
    assert "inferred" not in retired_check


class _Evidence(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.notes: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += 1
        elif tag == "p" and ("class", "evidence") in attrs:
            self._depth = 1
            self.notes.append("")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.notes[-1] += data


@pytest.mark.parametrize("format_name", sorted(set(FORMATS) - {"json"}))
def test_every_other_format_shows_a_visible_note(manifest, guessed_entry, format_name):
    results, waiver_set, packs = audit_results([manifest])
    output = render(format_name, make_report(results, waiver_set, packs), verbose=True)
    note = note_of(guessed_entry)
    if format_name == "html":
        parser = _Evidence()
        parser.feed(output)
        assert f"Note: {note}" in [" ".join(text.split()) for text in parser.notes]
    elif format_name == "junit":
        root = ElementTree.fromstring(output)
        failures = [case.find("failure") for case in root.iter("testcase") if "WUD-SC-005" in case.get("name")]
        assert failures and f"Note: {note}" in failures[0].text
    elif format_name == "sarif":
        [run] = json.loads(output)["runs"]
        [flagged] = [r for r in run["results"] if r["ruleId"] == "WUD-SC-005"]
        assert flagged["message"]["text"].endswith(f"\nNote: {note}")
        assert flagged["properties"]["inferred"][0]["scope"] == GUESSED
    elif format_name == "markdown":
        # What a reader of the rendered comment sees (GitHub's renderer), tags and escapes gone.
        import html
        import re

        import cmarkgfm

        shown = html.unescape(re.sub(r"<[^>]+>", "", cmarkgfm.github_flavored_markdown_to_html(output)))
        assert f"note: {note}" in " ".join(shown.split())
    else:
        assert f"note: {note}" in output


def test_a_report_without_inferred_classifications_shows_no_note(tmp_path, guessed_entry):
    path = tmp_path / "plain.yaml"
    path.write_text(MANIFEST.replace(GUESSED, STATED[1]), encoding="utf-8")
    results, waiver_set, packs = audit_results([str(path)])
    assert all(not finding.inferred for result in results for finding in result.findings)
    assert "inferred, not stated" not in render("text", make_report(results, waiver_set, packs), verbose=True)
