"""HTML disclosures opened in headless Chromium: self-contained, error-free and inert."""

from __future__ import annotations

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import build_disclosure
from auditor.disclosure.render import render_disclosure
from auditor.manifest.load import load_manifest

from tests.helpers import DESKTOP, EXAMPLES, PHONE, measure_layout, png_size, save_screenshots
from tests.disclosure.hostile import SCRIPT, write_hostile
from tests.disclosure.support import EXAMPLE_PATHS, LANGUAGES, example_ids, message, render


def _open(open_page, tmp_path, html: str, name: str = "disclosure.html"):
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    opened = open_page(path)
    return path, opened


def _assert_self_contained(path, opened):
    assert opened.console_errors == []
    assert opened.requests == [path.resolve().as_uri()]  # the page itself, nothing else


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=example_ids())
@pytest.mark.parametrize("language", LANGUAGES)
def test_example_disclosure_in_the_browser(open_page, tmp_path, path, language):
    page_path, opened = _open(open_page, tmp_path, render(path, "html", language))
    _assert_self_contained(page_path, opened)
    page = opened.page
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("table.permissions").count() >= 1
    headers = page.locator("table.permissions").first.locator("thead th").all_inner_texts()
    assert headers == [message(language, f"permissions.column.{key}") for key in ("permission", "scope", "data", "use")]
    for row in page.locator("table.permissions tbody tr").all():
        assert row.locator("td").count() == 4
    assert page.locator("section#limited-use h2").inner_text() == message(language, "heading.limited_use")
    assert page.locator("section#in-product .consent").count() == 1
    assert page.locator(".consent .consent").count() == 0
    # Nothing is wider than the window: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_product_html_in_the_browser(open_page, tmp_path, language):
    path = next(p for p in EXAMPLE_PATHS if p.stem == "inbox-digest")
    page_path, opened = _open(open_page, tmp_path, render(path, "html", language, in_product=True))
    _assert_self_contained(page_path, opened)
    assert opened.page.locator("table").count() == 0
    assert opened.page.locator("h2").count() == 0
    assert opened.page.locator(".consent li").count() == 4
    assert opened.page.locator(".consent .consent").count() == 0


def test_hostile_manifest_stays_inert_in_the_browser(open_page, tmp_path):
    disclosure = build_disclosure(load_manifest(write_hostile(tmp_path)).model, ScopeCatalog.load())
    for language in LANGUAGES:
        for in_product in (False, True):
            html = render_disclosure(disclosure, "html", language, in_product=in_product)
            page_path, opened = _open(open_page, tmp_path, html, f"hostile-{language}-{in_product}.html")
            _assert_self_contained(page_path, opened)
            page = opened.page
            assert page.evaluate("typeof window.pwned") == "undefined"
            for tag in ("script", "img", "iframe", "b", "i"):
                assert page.locator(f"body {tag}").count() == 0, tag
            assert page.locator("h1").inner_text().startswith(SCRIPT)
            hrefs = page.eval_on_selector_all("a", "links => links.map(link => link.getAttribute('href'))")
            assert all(href.startswith("https://evil.example/limited-use") for href in hrefs)


def test_screenshot(open_page, tmp_path):
    """A full-page screenshot of a disclosure with every section, for a human to look at."""
    path = next(p for p in EXAMPLE_PATHS if p.stem == "receipt-tracker")
    page_path, opened = _open(open_page, tmp_path, render(path, "html", "fr"))
    _assert_self_contained(page_path, opened)
    shot = tmp_path / "disclosure.png"
    opened.page.screenshot(path=str(shot), full_page=True)
    # The picture is the whole page: as wide as the window, as tall as the document, with the
    # last section's heading inside it.
    width, height = png_size(shot)
    page_height = opened.page.evaluate("document.documentElement.scrollHeight")
    last_heading_bottom = opened.page.evaluate(
        "Math.max(...[...document.querySelectorAll('h2')].map(h => h.getBoundingClientRect().bottom + scrollY))")
    assert width == DESKTOP["width"]
    assert height == page_height
    assert 0 < last_heading_bottom <= height


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_disclosure_fits_the_screen_and_its_headers_stay_apart(open_page, tmp_path, language, viewport):
    """Every table of the disclosure, French headers included, at a phone's and a desktop's width."""
    page_path = tmp_path / f"disclosure-{language}.html"
    page_path.write_text(render(EXAMPLES / "mailbox-export.yaml", "html", language), encoding="utf-8")
    page = open_page(page_path, viewport=viewport).page
    top, full = save_screenshots(page, tmp_path, f"disclosure-{language}-{viewport['width']}")
    scale = 3 if viewport is PHONE else 1
    assert png_size(top) == (viewport["width"] * scale, viewport["height"] * scale)
    assert png_size(full)[0] == viewport["width"] * scale
    assert png_size(full)[1] >= png_size(top)[1]
    layout = measure_layout(page, ["th", "td", "h1", "h2", "h3"])
    assert layout.scroll_width <= viewport["width"]
    assert layout.overflowing == []
    assert layout.overlapping == []
    # Nothing scrolls sideways inside the page either: every table is as wide as the text.
    widest = page.evaluate("Math.max(...[...document.querySelectorAll('table')].map(t => t.scrollWidth"
                           " - t.parentElement.clientWidth))")
    assert widest <= 0
