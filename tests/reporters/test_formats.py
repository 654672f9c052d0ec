"""Every registered format renders an empty and a full report, identically on every run."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from auditor.reporters import FORMATS

from tests.helpers import run_wsaudit, sarif_schema_errors
from tests.reporters.support import AS_OF_ARGS, EXAMPLE_PATHS, audit_results, make_report, render, write_review_files


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser's interface
        self.tags.append(tag)


def check_document(format_name: str, text: str) -> None:
    """Format-specific proof that ``text`` is a well-formed document of its kind."""
    assert text.endswith("\n")
    if format_name in ("json", "sarif"):
        json.loads(text)
    elif format_name == "junit":
        assert ElementTree.fromstring(text.encode("utf-8")).tag == "testsuites"
    elif format_name == "html":
        collector = _Collector()
        collector.feed(text)
        assert collector.tags[:1] == ["html"] and "main" in collector.tags
    elif format_name == "markdown":
        assert text.splitlines()[0].startswith(("❌", "⚠️", "✅"))


@pytest.fixture(scope="module")
def full_results(tmp_path_factory):
    """The examples with a waiver, an expired and an unmatched waiver, and a baseline."""
    folder = tmp_path_factory.mktemp("review")
    waivers, baseline = write_review_files(folder)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    return results, waiver_set, packs


def test_the_full_report_has_every_status(full_results):
    results, _, _ = full_results
    statuses = {finding.status for result in results for finding in result.findings}
    assert statuses == {"fail", "incomplete", "pass", "waived", "baselined"}


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_format_renders_an_empty_and_a_full_report(format_name, full_results):
    empty = render(format_name, make_report([]))
    check_document(format_name, empty)

    results, waiver_set, packs = full_results
    full = render(format_name, make_report(results, waiver_set, packs))
    check_document(format_name, full)
    assert len(full) > len(empty)
    if format_name != "sarif":  # SARIF speaks of files and rules, not apps
        assert "Inbox Digest" in full
    # The same report object renders the same bytes again.
    assert render(format_name, make_report(results, waiver_set, packs)) == full


def test_results_with_their_inventory_cross_process_boundaries(full_results):
    results, _, _ = full_results
    for result in results:
        assert result.inventory is not None
        assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_output_is_byte_identical_across_runs(format_name, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for target in (first, second):
        result = run_wsaudit("audit", "examples/manifests", "--format", format_name, "-o", str(target), *AS_OF_ARGS)
        assert result.code == 1, result.stderr  # the examples include failures
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size > 0


def test_several_outputs_in_one_run_match_single_runs(tmp_path):
    names = ("html", "markdown", "sarif", "junit", "json")
    suffix = {"html": "html", "markdown": "md", "sarif": "sarif", "junit": "xml", "json": "json"}
    arguments = []
    for name in names:
        arguments += ["--format", name, "-o", str(tmp_path / f"together.{suffix[name]}")]
    together = run_wsaudit("audit", "examples/manifests", *arguments, *AS_OF_ARGS)
    assert together.code == 1 and together.stdout == "", together.stderr
    for name in names:
        alone = run_wsaudit("audit", "examples/manifests", "--format", name, *AS_OF_ARGS)
        assert (tmp_path / f"together.{suffix[name]}").read_text(encoding="utf-8") == alone.stdout, name


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_format_renders_results_without_inventory_or_rules(format_name, full_results):
    """Other producers of the result model (the live probe) give neither; nothing may break."""
    results, waiver_set, packs = full_results
    bare = [replace(result, inventory=None) for result in results]
    report = replace(make_report(bare, waiver_set, packs), rules=())
    text = render(format_name, report)
    check_document(format_name, text)
    if format_name == "sarif":
        assert sarif_schema_errors(json.loads(text)) == []
        [run] = json.loads(text)["runs"]
        described = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
        assert described == {result["ruleId"] for result in run["results"]}
