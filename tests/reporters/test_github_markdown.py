"""Markdown output as GitHub shows it: rendered with cmark-gfm, GitHub's own renderer.

Audit reports, compliance diffs and disclosures end up in pull-request comments, job
summaries and READMEs. GitHub renders them with cmark-gfm and its extensions (tables,
autolinks, strikethrough, task lists), which link bare URLs by reading the Markdown source:
an escape written next to a URL can end up inside the link. These tests render what the
command writes and check what a reader sees: every URL links to exactly itself, every table
row has the header's number of cells, no HTML and no ``@mention`` comes from a manifest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.helpers import EXAMPLES, RenderedPage, render_like_github, run_wsaudit
from tests.disclosure.hostile import HOSTILE
from tests.reporters.support import AS_OF_ARGS, EXAMPLE_PATHS

URL = re.compile(r"(?:https?://|www\.)[^\s<>()\"'`,]+", re.IGNORECASE)
MENTION = re.compile(r"(?<![A-Za-z0-9_`])@[A-Za-z0-9][A-Za-z0-9_-]*")
# The elements our templates write; any other element in the rendered page came from a value.
OUR_ELEMENTS = {"a", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3", "h4", "hr", "li",
                "ol", "p", "pre", "strong", "sub", "summary", "table", "tbody", "td", "th", "thead", "tr", "ul"}


def table_cell_counts(markdown: str) -> list[list[int]]:
    """Per table of the Markdown source, the number of cells of each row (the delimiter row
    too), counted the way GFM splits a row: at every ``|`` not escaped by a backslash."""
    tables: list[list[int]] = []
    current: list[int] = []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            row = re.sub(r"\\.", "x", line.strip())
            current.append(len(row.strip("|").split("|")))
        elif current:
            tables.append(current)
            current = []
    return tables


def assert_renders_as_intended(markdown: str) -> RenderedPage:
    rendered = render_like_github(markdown)
    page = RenderedPage(rendered)
    assert page.elements <= OUR_ELEMENTS, page.elements - OUR_ELEMENTS
    visible = "".join(page.plain_text)
    for href, text in page.links:
        assert "%5C" not in href.upper() and not text.endswith("\\"), (href, text)
        if URL.fullmatch(text):
            assert href == (text if text.lower().startswith("http") else f"http://{text}"), (href, text)
    assert URL.findall(visible) == [], "every URL outside code is a link"
    everything = visible + "".join(page.summary_text)
    assert "\\)" not in everything and "\\(" not in everything
    assert MENTION.findall(everything) == []
    for counts in table_cell_counts(markdown):
        assert len(set(counts)) == 1, counts
    assert len(table_cell_counts(markdown)) == rendered.count("<table>")
    return page


# ---------------------------------------------------------------- inputs

SCOPE_TEXT = ("Reads mail (see https://www.googleapis.com/auth/gmail.readonly) for @octocat and @acme/security; "
              "docs at https://developers.google.com/workspace/guides (section 2), www.example.com.")


@pytest.fixture(scope="module")
def hostile_manifest(tmp_path_factory) -> Path:
    """The disclosure tests' hostile manifest, with URLs in parentheses and mentions added."""
    manifest = yaml.safe_load(yaml.safe_dump(HOSTILE))
    manifest["scopes"][0]["justification"] += " " + SCOPE_TEXT
    manifest["app"]["description"] += " " + SCOPE_TEXT
    manifest["data"][0]["description"] += " (https://mail.google.com/) @team"
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.wsaudit.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _written(*args: str, tmp_path: Path, expected: tuple[int, ...] = (0, 1)) -> str:
    output = tmp_path / "out.md"
    result = run_wsaudit(*args, "-o", str(output))
    assert result.code in expected, result.stderr
    return output.read_text(encoding="utf-8")


# ---------------------------------------------------------------- audit reports


def test_the_audit_report_of_the_examples_renders_as_intended(tmp_path):
    markdown = _written("audit", *EXAMPLE_PATHS, "--format", "markdown", *AS_OF_ARGS, tmp_path=tmp_path)
    page = assert_renders_as_intended(markdown)
    # The scope URLs of the findings are links to themselves, the case that used to break.
    assert ("https://www.googleapis.com/auth/drive.labels", "https://www.googleapis.com/auth/drive.labels") in page.links


def test_the_audit_report_of_a_hostile_manifest_renders_as_intended(tmp_path, hostile_manifest):
    markdown = _written("audit", str(hostile_manifest), "--format", "markdown", *AS_OF_ARGS, tmp_path=tmp_path,
                        expected=(0, 1, 2))
    assert_renders_as_intended(markdown)


def test_a_scope_url_before_a_closing_parenthesis_links_to_itself(tmp_path):
    """The reported case: ``(closest known: …, …drive.labels)`` in a finding's message."""
    markdown = _written("audit", str(EXAMPLES / "mailbox-export.yaml"), "--format", "markdown", *AS_OF_ARGS,
                        tmp_path=tmp_path)
    page = RenderedPage(render_like_github(markdown))
    targets = {href for href, _ in page.links}
    assert "https://www.googleapis.com/auth/drive.labels" in targets
    assert not any(href.upper().endswith(("%5C", "\\", ")")) for href in targets), targets


# ---------------------------------------------------------------- diffs


def test_the_compliance_diff_renders_as_intended(tmp_path, hostile_manifest):
    base, head = tmp_path / "base", tmp_path / "head"
    for folder, source in ((base, EXAMPLES / "inbox-digest.yaml"), (head, EXAMPLES / "mailbox-export.yaml")):
        folder.mkdir()
        (folder / "app.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    markdown = _written("diff", str(base), str(head), "--format", "markdown", "--fail-on", "never",
                        tmp_path=tmp_path)
    page = assert_renders_as_intended(markdown)
    assert any(href == "https://www.googleapis.com/auth/gmail.readonly" for href, _ in page.links)


def test_the_diff_of_a_hostile_manifest_renders_as_intended(tmp_path, hostile_manifest):
    base = tmp_path / "base.yaml"
    base.write_text((EXAMPLES / "inbox-digest.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    markdown = _written("diff", str(base), str(hostile_manifest), "--format", "markdown", "--fail-on", "never",
                        tmp_path=tmp_path, expected=(0, 1, 2))
    assert_renders_as_intended(markdown)


# ---------------------------------------------------------------- disclosures


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_example_disclosure_renders_as_intended(tmp_path, example, lang):
    markdown = _written("disclose", str(EXAMPLES / example), "--lang", lang, *AS_OF_ARGS, tmp_path=tmp_path)
    page = assert_renders_as_intended(markdown)
    assert page.links, "the privacy policy and the scopes are links"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_disclosure_of_a_hostile_manifest_renders_as_intended(tmp_path, hostile_manifest, lang):
    markdown = _written("disclose", str(hostile_manifest), "--lang", lang, *AS_OF_ARGS, tmp_path=tmp_path,
                        expected=(0, 1, 2))
    page = assert_renders_as_intended(markdown)
    assert ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.readonly") in \
        page.links


# ---------------------------------------------------------------- the checks themselves


def test_the_checks_catch_the_escape_that_used_to_break_links():
    """What the Markdown reporter wrote before: an escaped ``)`` right after a bare URL."""
    broken = "| a |\n|---|\n| closest known: \\(https://www.googleapis.com/auth/drive.labels\\) |\n"
    with pytest.raises(AssertionError):
        assert_renders_as_intended(broken)


@pytest.mark.parametrize("broken", [
    "| a | b |\n|---|---|\n| one | two \\| three | four |\n",
    "text <img src=x>\n",
    "ask @octocat\n",
])
def test_the_checks_catch_broken_tables_raw_html_and_mentions(broken):
    with pytest.raises(AssertionError):
        assert_renders_as_intended(broken)

