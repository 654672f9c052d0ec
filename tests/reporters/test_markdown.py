"""Markdown for pull-request comments: tables that hold together, inert values, a size cap."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from auditor.model.findings import Status
from auditor.reporters.markdown import COMMENT_LIMIT, size

from tests.helpers import lines_run, run_wsaudit
from tests.reporters.support import (AS_OF_ARGS, EXAMPLE_PATHS, HOSTILE_MANIFEST, HOSTILE_NAME,
                                     HOSTILE_RECIPIENT, audit_results,
                                     make_report, render, write_review_files)


def cells(line: str) -> list[str]:
    """The cells of a table row as GitHub splits them: on every pipe not escaped by a backslash."""
    assert line.startswith("|") and line.endswith("|"), line
    found, current, index = [], "", 1
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            current += line[index:index + 2]
            index += 2
            continue
        if char == "|":
            found.append(current.strip())
            current = ""
        else:
            current += char
        index += 1
    return found


def tables(text: str) -> list[list[str]]:
    """Each table of ``text`` as its lines (a table is a run of lines starting with a pipe)."""
    found, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def assert_tables_hold(text: str) -> int:
    found = tables(text)
    for table in found:
        width = len(cells(table[0]))
        assert re.fullmatch(r"\|(?:-{3,}:?\|)+", table[1].replace("---:", "---:")), table[1]
        for line in table:
            assert len(cells(line)) == width, line
    return len(found)


class Rendered(HTMLParser):
    """What a Markdown renderer made of the document: tags, attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text += data


def to_html(markdown: str) -> Rendered:
    # CommonMark with GitHub's tables; raw HTML passes through, as it does before GitHub's
    # sanitiser, so anything that escaped its context would show up here as a tag.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parsed = Rendered()
    parsed.feed(html)
    return parsed


# "a": a URL in a finding's text is written as an autolink, a link to exactly itself.
SAFE_TAGS = {"p", "strong", "em", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "b", "sub",
             "blockquote", "ul", "li", "a"}


def test_examples_give_a_verdict_then_a_summary_table_then_failures(tmp_path):
    output = run_wsaudit("audit", "examples/manifests", "--format", "markdown", *AS_OF_ARGS).stdout
    lines = output.splitlines()
    assert lines[0].startswith("❌ **wsaudit: failed** (fails on high) — 22 failed (5 critical, 10 high, 6 medium, 1 low)")
    assert lines[2].startswith("| Manifest | App | Result |")
    assert assert_tables_hold(output) == 1 + 8  # the summary, and one table per manifest with findings
    summary_rows = tables(output)[0][2:]
    assert len(summary_rows) == len(EXAMPLE_PATHS) + 1  # and the total
    assert output.count("<details>") == output.count("</details>") == 8  # inbox-digest passes
    # Passes are counted, never listed.
    assert "| pass |" not in output
    # The total row counts the passes the JSON report of the same run holds.
    summary = json.loads(run_wsaudit("audit", "examples/manifests", "--format", "json", *AS_OF_ARGS).stdout)["summary"]
    assert summary_rows[-1].rstrip(" |").rsplit("|", 1)[-1].strip() == str(summary["pass"])
    assert "Shortened" not in output
    assert size(output) < COMMENT_LIMIT
    rendered = to_html(output)
    assert rendered.tags <= SAFE_TAGS


def test_a_passing_run_says_so():
    path = "examples/manifests/inbox-digest.yaml"
    output = run_wsaudit("audit", path, "--format", "markdown", *AS_OF_ARGS).stdout
    passed = json.loads(run_wsaudit("audit", path, "--format", "json", *AS_OF_ARGS).stdout)["summary"]["pass"]
    assert output.startswith(f"✅ **wsaudit: passed** — 0 failed · 0 incomplete · {passed} passed")
    assert "<details>" not in output
    assert_tables_hold(output)


def test_waivers_baselines_and_warnings_are_shown(tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    output = render("markdown", make_report(results, waiver_set, packs))
    assert_tables_hold(output)
    [waived] = [line for line in output.splitlines() if line.startswith("| waived |")]
    assert "waived until 2027-03-31 by privacy@example.com: Calendar sync needs calendars and events &lt;together&gt; \\| reviewed" in waived
    assert any(line.startswith("| baselined |") for line in output.splitlines())
    assert "**Waiver warnings**" in output and "nowhere.yaml" in output


def test_hostile_values_render_as_inert_text(write):
    path = write("hostile|<i>x</i>.yaml", HOSTILE_MANIFEST)
    results, _, _ = audit_results([str(path)])
    output = render("markdown", make_report(results))
    assert_tables_hold(output)
    rendered = to_html(output)
    assert rendered.tags <= SAFE_TAGS, rendered.tags - SAFE_TAGS
    assert not [name for name, _ in rendered.attributes if name.startswith("on")]
    assert "img" not in rendered.tags
    hrefs = [value for name, value in rendered.attributes if name == "href"]
    assert all(href.startswith(("http://", "https://")) and href in rendered.text for href in hrefs), hrefs
    assert HOSTILE_NAME in rendered.text
    assert f"transfer 'sink' to {HOSTILE_RECIPIENT} is prohibited" in rendered.text
    assert "hostile|<i>x</i>.yaml" in rendered.text  # the file name in the <summary> too
    # Nothing in the source could start an image or a link either.
    assert "![" not in output and "](" not in output


def _copies(result, count: int):
    return [replace(result, path=f"apps/team-{index:04d}/manifest.yaml", app=f"App {index}",
                    findings=tuple(replace(f, manifest=f"apps/team-{index:04d}/manifest.yaml") for f in result.findings))
            for index in range(count)]


@pytest.mark.parametrize("copies", [60, 900])
def test_the_size_cap_cuts_with_a_clear_note(copies):
    """60 copies overflow the finding blocks only; 900 overflow the summary table too."""
    [receipts], _, _ = audit_results(["examples/manifests/receipt-tracker.yaml"])
    results = _copies(receipts, copies)
    output = render("markdown", make_report(results))
    assert size(output) < COMMENT_LIMIT
    assert_tables_hold(output)
    lines = output.splitlines()
    failed = copies * sum(1 for finding in receipts.findings if finding.status == "fail")
    # Finding blocks list failing and incomplete findings.
    per_copy = sum(1 for finding in receipts.findings if finding.status in ("fail", "incomplete"))
    assert lines[0].startswith(f"❌ **wsaudit: failed** (fails on high) — {failed} failed")  # totals count everything
    [note] = [line for line in lines if "Shortened" in line]
    assert "65,536" in note

    summary = tables(output)[0]
    rows_shown = len(summary) - 3  # header, rule, total
    rows_left = int(re.search(r"(\d+) manifests? left out of the table", note).group(1)) if "left out of the table" in note else 0
    assert rows_shown + rows_left == copies
    if copies == 60:
        assert rows_left == 0
    else:
        assert rows_left > 0 and f"leaves out {rows_left} more manifests ({rows_left} with failures)" in output
    finding_rows = sum(len(table) - 2 for table in tables(output)[1:])
    not_listed = int(re.search(r"(\d+) findings? of \d+ manifests? not listed", note).group(1))
    assert finding_rows + not_listed == per_copy * copies
    fail_part, incomplete_part = re.search(r"\((\d+) fail(?:, (\d+) incomplete)?\)", note).groups()
    assert int(fail_part) + int(incomplete_part or 0) == not_listed, note
    # Every block that was opened is closed, the cut one included.
    assert output.count("<details>") == output.count("</details>") >= 1
    # The last block shown is cut short exactly when it says so.
    last_block_rows = len(tables(output)[-1]) - 2
    cut_short = last_block_rows < per_copy
    assert ("more findings of this manifest, left out for length" in output) == cut_short, last_block_rows


@pytest.mark.parametrize("repeats", [1, 8], ids=["blocks-fill-the-comment", "each-block-larger-than-a-comment"])
def test_manifests_past_a_full_comment_are_counted_without_writing_their_rows(repeats):
    """Once the comment is full, a manifest's failing findings are counted, not written as
    rows only to be left out (2,000 manifests cost twice the CPU of the JSON report before):
    they cost a few lines of Python each more than passing ones, where writing a row costs
    about 300."""
    [receipts], _, _ = audit_results(["examples/manifests/receipt-tracker.yaml"])
    findings = receipts.findings * repeats
    costs = {}
    for status in (Status.PASS, Status.FAIL):
        result = replace(receipts, findings=tuple(replace(f, status=status) for f in findings))
        reports = {count: make_report(_copies(result, count)) for count in (200, 400)}
        render("markdown", reports[200])  # the template's set-up, not counted
        small, large = (lines_run(lambda count=count: render("markdown", reports[count])) for count in (200, 400))
        costs[status] = (large - small) / 200
    assert costs[Status.FAIL] - costs[Status.PASS] < 10 * len(findings), costs


def test_one_runaway_value_cannot_fill_the_comment():
    [receipts], _, _ = audit_results(["examples/manifests/receipt-tracker.yaml"])
    huge = replace(receipts, app="A" * 100_000,
                   findings=tuple(replace(f, message="m" * 100_000) for f in receipts.findings))
    output = render("markdown", make_report([huge]))
    assert size(output) < COMMENT_LIMIT
    assert_tables_hold(output)
    assert "Shortened" not in output  # clipped values, not a cut report
    assert "…" in output


def test_the_verdict_follows_the_gate():
    # calendar-connector fails only medium rules: it fails a medium gate, passes a high one.
    path = "examples/manifests/calendar-connector.yaml"
    medium = run_wsaudit("audit", path, "--format", "markdown", "--fail-on", "medium", *AS_OF_ARGS)
    high = run_wsaudit("audit", path, "--format", "markdown", "--fail-on", "high", *AS_OF_ARGS)
    assert (medium.code, high.code) == (1, 0), (medium.stderr, high.stderr)
    assert medium.stdout.startswith("❌ **wsaudit: failed** (fails on medium) — 2 failed")
    assert high.stdout.startswith("⚠️ **wsaudit: passed the gate** (fails on high), with failures below it — 2 failed")
