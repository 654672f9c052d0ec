"""The HTML report in a real headless Chromium: offline, filterable by keyboard, accessible, inert."""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.model.findings import Status
from tests.helpers import (DESKTOP, PHONE, VISIBLE_FINDINGS, big_manifest_files, lines_run, measure_layout, run_wsaudit,
                           save_screenshots)
from tests.reporters.support import (AS_OF_ARGS, EXAMPLE_PATHS, HOSTILE_DEVELOPER, HOSTILE_MANIFEST, HOSTILE_NAME,
                                     HOSTILE_RECIPIENT, audit_results, make_report, render, write_review_files)

def html_report(tmp_path: Path, *paths: str) -> Path:
    target = tmp_path / "audit.html"
    result = run_wsaudit("audit", *paths, "--format", "html", "-o", str(target), *AS_OF_ARGS)
    assert result.code in (0, 1), result.stderr
    return target


def json_findings(*paths: str) -> list[dict]:
    return json.loads(run_wsaudit("audit", *paths, "--format", "json", *AS_OF_ARGS).stdout)["findings"]


def png_width(path: Path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", header[16:20])[0]


def focus_by_keyboard(page, element_id: str, limit: int = 120) -> None:
    """Move the focus to ``element_id`` with Tab (or Shift+Tab), as a keyboard user would."""
    for key in ("Tab", "Shift+Tab"):
        for _ in range(limit):
            page.keyboard.press(key)
            if page.evaluate("document.activeElement ? document.activeElement.id : ''") == element_id:
                return
    pytest.fail(f"#{element_id} cannot be reached with the keyboard")


def count_visible(page, attribute: str, value: str) -> int:
    return page.evaluate(
        "([name, value]) => Array.from(document.querySelectorAll(`li.finding[${name}='${value}']`))"
        ".filter(e => e.checkVisibility()).length", [attribute, value])


@pytest.mark.parametrize("manifest", EXAMPLE_PATHS)
def test_html_report_of_each_example_in_a_browser(manifest, tmp_path, open_page):
    path = html_report(tmp_path, manifest)
    findings = json_findings(manifest)
    problems = [f for f in findings if f["status"] != "pass"]
    opened = open_page(path)
    page = opened.page

    assert opened.console_errors == []
    assert opened.requests == [path.resolve().as_uri()]
    # Passes start hidden; everything else is shown.
    assert page.evaluate(VISIBLE_FINDINGS) == len(problems)
    assert page.locator("#filter-status").inner_text().startswith(f"Showing {len(problems)} of {len(findings)} findings")

    # Show the passes with the keyboard, then hide and show one severity.
    focus_by_keyboard(page, "filter-status-pass")
    page.keyboard.press("Space")
    assert page.evaluate(VISIBLE_FINDINGS) == len(findings)
    severity = findings[0]["severity"]
    with_severity = sum(1 for f in findings if f["severity"] == severity)
    focus_by_keyboard(page, f"filter-severity-{severity}")
    page.keyboard.press("Space")
    assert count_visible(page, "data-severity", severity) == 0
    assert page.evaluate(VISIBLE_FINDINGS) == len(findings) - with_severity
    page.keyboard.press("Space")
    assert count_visible(page, "data-severity", severity) == with_severity
    assert page.evaluate(VISIBLE_FINDINGS) == len(findings)

    screenshot = tmp_path / f"{Path(manifest).stem}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert png_width(screenshot) == 1280
    assert opened.console_errors == []
    assert opened.requests == [path.resolve().as_uri()]


def test_without_scripts_everything_is_readable(tmp_path, open_page):
    path = html_report(tmp_path, "examples/manifests")
    findings = json_findings("examples/manifests")
    opened = open_page(path, javascript=False)
    page = opened.page
    assert page.evaluate(VISIBLE_FINDINGS) == len(findings)
    assert not page.locator("#filter").is_visible()
    assert opened.requests == [path.resolve().as_uri()]


def test_the_report_shows_inventory_and_data_flow(tmp_path, open_page):
    path = html_report(tmp_path, "examples/manifests/receipt-tracker.yaml")
    page = open_page(path).page
    section = page.locator("section.manifest")
    assert section.locator("h2").inner_text().startswith("Tallyho Receipts")
    identity = section.locator("dl.identity").inner_text()
    assert "Tallyho Money Apps Inc." in identity and "https://tallyho.example/privacy" in identity
    gmail = section.locator("table.scopes tbody tr", has_text="gmail.readonly")
    assert gmail.locator(".badge").inner_text() == "Restricted"
    assert "receipt-emails, spending-profile" in gmail.inner_text()
    profile = section.locator("table.flow tbody tr", has_text="spending-profile").first
    storage, transfers, access = (profile.locator("td").nth(index).inner_text() for index in range(3))
    assert "backend-db" in storage and "phone-cache" in storage
    assert "research-panel" in transfers and "data_broker" in transfers and "receipt-parser" not in transfers
    assert "support" in access
    # Findings are grouped by category, with location, remediation and the cited clause.
    broker = section.locator("li.finding", has_text="research-panel").first
    text = broker.inner_text()
    assert "examples/manifests/receipt-tracker.yaml:129" in text and "Remediation:" in text
    assert broker.locator("blockquote").inner_text().strip()
    assert broker.locator("figcaption a").get_attribute("href").startswith("https://")
    assert broker.locator("xpath=ancestor::section[@data-group]/h4").inner_text() == "Limited use"


def test_waivers_and_baselines_are_explained(tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    html = render("html", make_report(results, waiver_set, packs))
    assert ("<strong>Waived</strong> until <bdi>2027-03-31</bdi> by <bdi>privacy@example.com</bdi>: "
            "<bdi>Calendar sync needs calendars and events &lt;together&gt; | reviewed</bdi>") in html
    assert "<strong>Baselined:</strong>" in html
    assert "Waiver warnings" in html and "examples/manifests/nowhere.yaml" in html


def test_a_hostile_manifest_renders_as_inert_text(write, tmp_path, open_page):
    manifest = write("hostile.yaml", HOSTILE_MANIFEST)
    results, _, _ = audit_results([str(manifest)])
    path = tmp_path / "hostile.html"
    path.write_text(render("html", make_report(results)), encoding="utf-8")
    opened = open_page(path)
    page = opened.page
    assert opened.console_errors == []
    assert opened.requests == [path.resolve().as_uri()]
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
    assert page.evaluate("""Array.from(document.querySelectorAll('*')).filter(
        e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length""") == 0
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert all(href.startswith(("#", "https://", "http://")) for href in hrefs), hrefs
    assert "javascript://example.com/%0Awindow.pwned=3" not in hrefs
    page.locator("#filter-status-pass").check()
    text = page.locator("main").inner_text()
    for value in (HOSTILE_NAME, HOSTILE_DEVELOPER, f"transfer 'sink' to {HOSTILE_RECIPIENT}",
                  "javascript://example.com/%0Awindow.pwned=3", "<svg onload=alert(1)>"):
        assert value in text


CONTRAST = """() => {
  const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const parse = s => s.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const value = parse(getComputedStyle(node).backgroundColor);
      if (value.length < 4 || value[3] > 0) return value;
    }
    return [255, 255, 255];
  };
  const worst = [];
  const selector = '.badge, p, td, th, dt, dd, label, legend, h1, h2, h3, h4, h5, a, code, .loc, .details, figcaption';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility() || !el.textContent.trim()) continue;
    const fg = luminance(parse(getComputedStyle(el).color)), bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) worst.push([el.tagName, el.className, el.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
  }
  return worst;
}"""

OUTLINE = """() => {
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => Number(h.tagName[1]));
  const unlabelled = Array.from(document.querySelectorAll('input, select, textarea, button')).filter(
    control => !(control.labels && control.labels.length) && !control.getAttribute('aria-label') && !control.textContent.trim());
  return {
    headings: headings,
    unlabelled: unlabelled.length,
    landmarks: ['body > header', 'body > nav', 'body > main', 'body > footer'].map(s => document.querySelectorAll(s).length),
    lang: document.documentElement.lang,
    formName: document.getElementById('filter').getAttribute('aria-label'),
  };
}"""


def test_structure_and_contrast_meet_accessibility_needs(tmp_path, open_page):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    path = tmp_path / "all.html"
    path.write_text(render("html", make_report(results, waiver_set, packs)), encoding="utf-8")
    page = open_page(path).page
    page.locator("#filter-reset").click()  # show every finding, passes included
    outline = page.evaluate(OUTLINE)
    headings = outline["headings"]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(after <= before + 1 for before, after in zip(headings, headings[1:])), headings
    assert outline["unlabelled"] == 0
    assert outline["landmarks"] == [1, 1, 1, 1]
    assert outline["lang"] == "en" and outline["formName"]
    assert page.evaluate(CONTRAST) == []


def test_print_stylesheet_drops_the_controls(tmp_path, open_page):
    path = html_report(tmp_path, "examples/manifests/receipt-tracker.yaml")
    page = open_page(path).page
    page.emulate_media(media="print")
    assert not page.locator("nav.manifests").is_visible()
    assert not page.locator("#filter fieldset").first.is_visible()
    assert page.locator("section.manifest").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.badge')).backgroundColor") == "rgb(255, 255, 255)"
    page.emulate_media(media="screen")
    assert page.locator("nav.manifests").is_visible()


def test_an_empty_report_opens_cleanly(tmp_path, open_page):
    path = tmp_path / "empty.html"
    path.write_text(render("html", make_report([])), encoding="utf-8")
    opened = open_page(path)
    assert opened.console_errors == []
    assert "No manifest was audited." in opened.page.locator("main").inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_manifest_with_too_many_passes_to_list_says_how_many_it_counted(tmp_path, open_page, viewport):
    large = big_manifest_files(tmp_path, (150,))[150]
    receipts = "examples/manifests/receipt-tracker.yaml"
    passes = {path: sum(f["status"] == "pass" for f in json_findings(path)) for path in (str(large), receipts)}
    page = open_page(html_report(tmp_path, str(large), receipts), viewport=viewport).page
    sections = {path: page.locator("section.manifest").filter(has_text=Path(path).name) for path in passes}
    outcome = (sections[str(large)].locator("li.finding[data-status=pass]").count(),
               sections[str(large)].locator("p.note", has_text=f"{passes[str(large)]} passed findings not listed")
               .is_visible(),
               page.locator("p.note", has_text=f"{passes[str(large)]} passed findings are counted but not listed")
               .is_visible(),
               sections[receipts].locator("li.finding[data-status=pass]").count(),
               page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])
    assert outcome == (0, True, True, passes[receipts], True), (outcome, passes)


# ---------------------------------------------------------------- phone and desktop layout

LAYOUT_GROUPS = ["th", "td", ".tiles li", "nav.manifests li", ".finding-head > *", "form.filter > *",
                 "form.filter .check"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_report_fits_the_screen_without_sideways_scrolling(tmp_path, open_page, viewport):
    path = tmp_path / "report.html"
    result = run_wsaudit("audit", *EXAMPLE_PATHS, "--format", "html", "-o", str(path), *AS_OF_ARGS)
    assert result.code == 1, result.stderr
    page = open_page(path, viewport=viewport).page
    top, full = save_screenshots(page, tmp_path, f"report-{viewport['width']}")
    assert png_width(top) == png_width(full) == viewport["width"] * (3 if viewport is PHONE else 1)
    layout = measure_layout(page, LAYOUT_GROUPS)
    assert layout.scroll_width <= viewport["width"]
    assert layout.overflowing == []
    assert layout.overlapping == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_sticky_filter_leaves_the_screen_to_the_findings(tmp_path, open_page, viewport):
    path = tmp_path / "report.html"
    result = run_wsaudit("audit", *EXAMPLE_PATHS, "--format", "html", "-o", str(path), *AS_OF_ARGS)
    assert result.code == 1, result.stderr
    page = open_page(path, viewport=viewport).page
    page.evaluate("document.querySelector('section.manifest').scrollIntoView()")
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(100)
    box = page.evaluate("(() => { const r = document.querySelector('form.filter').getBoundingClientRect();"
                        " return {top: r.top, height: r.height}; })()")
    assert abs(box["top"]) <= 1, "the filter stays at the top while the findings scroll"
    assert box["height"] <= 0.15 * viewport["height"], box
    # Every box of the filter can still be reached: a line of boxes scrolls inside the bar.
    for box_id in ("filter-severity-info", "filter-status-pass"):
        page.locator(f"#{box_id}").scroll_into_view_if_needed()
        assert page.locator(f"#{box_id}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_storage_transfer_or_grant_shared_by_data_elements_is_written_once_per_manifest(tmp_path):
    """A step that names several data elements is shown in each of their data-flow rows:
    its markup is written once and reused. Each row of the large manifest has its element
    and its own storage, transfer and grant (four steps written) and the three steps that
    name every element: those three, reused, must add less than one written step to a row
    (three written steps, three quarters of the row's own work, when each row wrote them)."""
    sizes = (20, 40)
    paths = big_manifest_files(tmp_path, sizes)
    growth = {}
    for shared in (True, False):
        reports = {}
        for size in sizes:
            [result], _, _ = audit_results([str(paths[size])])
            inventory = result.inventory
            if not shared:
                inventory = replace(inventory, **{section: tuple(step for step in getattr(inventory, section)
                                                                 if len(step.data) == 1)
                                                  for section in ("storage", "transfers", "human_access")})
            reports[size] = make_report([replace(result, findings=(), inventory=inventory)])
        render("html", reports[sizes[0]])  # the templates' set-up, not counted
        fewer, more = (lines_run(lambda size=size: render("html", reports[size])) for size in sizes)
        growth[shared] = (more - fewer) / (sizes[1] - sizes[0])
    assert growth[True] - growth[False] < growth[False] / 4, growth


def test_the_markup_a_rule_decides_is_written_once_per_page():
    """A finding's badges, title, remediation and citation depend on its rule and status
    alone: written once per page, a failing finding (which shows them all) costs little
    more than a passed one (1.6 times its lines of Python when each finding wrote them)."""
    [receipts], _, _ = audit_results(["examples/manifests/receipt-tracker.yaml"])
    costs = {}
    for status in (Status.PASS, Status.FAIL):
        findings = tuple(replace(finding, status=status) for finding in receipts.findings)
        reports = {copies: make_report([replace(receipts, findings=findings * copies)]) for copies in (4, 8)}
        render("html", reports[4])  # the templates' set-up, not counted
        fewer, more = (lines_run(lambda copies=copies: render("html", reports[copies])) for copies in (4, 8))
        costs[status] = (more - fewer) / (4 * len(findings))
    assert costs[Status.FAIL] < 1.4 * costs[Status.PASS], costs
