"""Markdown output is valid CommonMark with its tables intact, and manifest text stays inert."""

from __future__ import annotations

import pytest
import yaml
from markdown_it import MarkdownIt

from auditor.disclosure.document import build_document
from auditor.disclosure.render import render_disclosure

from tests.disclosure.hostile import HOSTILE, IMAGE, SCRIPT, write_hostile
from tests.disclosure.support import EXAMPLE_PATHS, LANGUAGES, disclosure_of, example_ids, read, render


def _parse(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def _tables(tokens) -> list[dict]:
    """Each table's header cell count and the cell count of every body row."""
    tables, current, row = [], None, None
    for token in tokens:
        if token.type == "table_open":
            current = {"header": 0, "rows": []}
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close" and current is not None:
            if current["header"] == 0:
                current["header"] = row
            else:
                current["rows"].append(row)
        elif token.type == "table_close":
            tables.append(current)
            current = None
    return tables


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=example_ids())
@pytest.mark.parametrize("language", LANGUAGES)
def test_tables_are_intact(path, language):
    disclosure = disclosure_of(path)
    expected = [block for section in build_document(disclosure, language).sections
                for block in section.blocks if block.kind == "table"]
    tokens = _parse(render(path, "markdown", language))
    tables = _tables(tokens)
    assert len(tables) == len(expected) >= 2
    for table, block in zip(tables, expected):
        assert table["header"] == len(block.columns)
        assert table["rows"] == [len(block.columns)] * len(block.rows)
    assert not any(token.type in ("html_block", "html_inline") for token in tokens)
    text = render(path, "markdown", language)
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    headings = [token for token in tokens if token.type == "heading_open"]
    assert [h.tag for h in headings][:2] == ["h1", "h2"] and sum(h.tag == "h1" for h in headings) == 1


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=example_ids())
def test_links_are_the_manifest_urls(path):
    text = render(path, "markdown", "en")
    links = {token.attrs["href"] for token in _parse(text) if token.type == "inline"
             for token in token.children if token.type == "link_open"}
    disclosure = disclosure_of(path)
    app = disclosure.app
    # The published Limited Use statement is linked only where the page affirms it.
    statement = disclosure.limited_use_url if disclosure.assurances.limited_use == "affirmed" else None
    manifest_links = {url for url in (app.homepage_url, app.privacy_policy_url, disclosure.deletion_url, statement)
                      if url}
    assert manifest_links <= links
    # Besides them, only the scope URLs of the permission tables are links, each to itself.
    scope_links = links - manifest_links
    assert all(url in text for url in scope_links)
    assert all(url.startswith("https://www.googleapis.com/auth/") or url == "https://mail.google.com/"
               for url in scope_links), scope_links


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_product_markdown_is_short_and_valid(language):
    for path in EXAMPLE_PATHS:
        text = render(path, "markdown", language, in_product=True)
        tokens = _parse(text)
        assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1"]
        assert not any(t.type.startswith("table") for t in tokens)
        assert not any(token.type in ("html_block", "html_inline") for token in tokens)
        assert len(text) < 2500


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("in_product", [False, True], ids=["full", "in-product"])
def test_hostile_values_stay_inert(tmp_path, language, in_product):
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.disclosure.build import build_disclosure
    from auditor.manifest.load import load_manifest

    disclosure = build_disclosure(load_manifest(write_hostile(tmp_path)).model, ScopeCatalog.load())
    text = render_disclosure(disclosure, "markdown", language, in_product=in_product)
    tokens = _parse(text)
    kinds = {token.type for token in tokens} | {child.type for token in tokens for child in token.children or ()}
    assert not kinds & {"html_block", "html_inline", "image", "code_inline", "code_block", "fence", "strong", "em",
                        "hr", "blockquote_open", "ordered_list_open"}
    hrefs = {child.attrs["href"] for token in tokens for child in token.children or () if child.type == "link_open"}
    page = read(text, "markdown")
    # Only http(s) URLs become links, each shown as written (a URL in free text is an autolink,
    # as GitHub makes it anyway); javascript:// and markup around a URL stay text.
    assert all(href.startswith(("http://", "https://")) and href in page.text for href in hrefs), hrefs
    assert ("https://evil.example/limited-use" in hrefs) is not in_product
    assert page.tags <= {"h1", "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "a"}
    assert SCRIPT in page.text and IMAGE in page.text  # shown literally, as written
    if not in_product:
        for table in page.tables:
            assert len({len(row) for row in table}) == 1  # no pipe broke a row
        assert HOSTILE["app"]["homepage_url"] in page.text
        assert "# not a heading - not a list" in page.text
        assert page.headings[0].startswith(SCRIPT)


@pytest.mark.parametrize("scope, product", [
    ("apps.licensing", "Enterprise License Manager"), ("apps.order.readonly", "Google Workspace Reseller"),
    ("apps.groups.migration", "Groups Migration"),
])
def test_a_scope_of_the_admin_apis_is_listed_under_its_product_name(tmp_path, scope, product):
    # These scopes were listed under the catalog's family id ("licensing") as a heading of
    # the published policy.
    data = yaml.safe_load(EXAMPLE_PATHS[0].read_text(encoding="utf-8"))
    data["scopes"].append({"scope": f"https://www.googleapis.com/auth/{scope}", "justification": "Admin feature.",
                           "requested": "incremental", "features": ["Admin"]})
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    page = read(render(path, "markdown", "en"), "markdown")
    assert product in page.headings
