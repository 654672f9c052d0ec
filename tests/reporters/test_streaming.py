"""Every format renders a batch in flat memory, alone or several in one pass.

Measured without a clock: a stream hands out N fresh results copied from the examples; as it
hands out each one it counts the results still alive (weak references), and at the middle and
the end of the batch the objects the garbage collector tracks. A renderer that kept the
results, or an object per finding, would make both counts grow with N.
"""

from __future__ import annotations

import gc
import io
import json
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from auditor import __version__
from auditor.model.report import ManifestResult, ReportStream
from auditor.reporters import FORMATS, RenderOptions, renderer
from tests.reporters.support import EXAMPLE_PATHS, audit_results, make_report, write_review_files

# An example manifest yields some 48 findings, 4 of them not passes: a renderer that kept
# one object per finding that did not pass would add about 20 tracked objects per manifest.
OBJECTS_PER_MANIFEST = 10


@pytest.fixture(scope="module")
def examples() -> tuple[list[ManifestResult], object, list]:
    return audit_results(EXAMPLE_PATHS)


def _tracked_objects() -> int:
    """How many objects the garbage collector tracks, counted without a reference to any of
    them: the renderers run in other threads, and a list of every object would also hold
    a tuple one of them is still building from a generator, which Python then cannot finish
    (it resizes the tuple in place only while nothing else refers to it)."""
    gc.freeze()
    try:
        return gc.get_freeze_count()
    finally:
        gc.unfreeze()


class Batch:
    """A stream of ``count`` fresh results (the examples' again and again, each under its own
    path), watching how many are alive as it hands them out."""

    def __init__(self, examples: tuple[list[ManifestResult], object, list], count: int,
                 keep: tuple[str, ...] | None = None, inventory: bool = True) -> None:
        self.sources, _, self.packs = examples
        self.count = count
        self.keep = keep
        self.inventory = inventory
        self.alive: weakref.WeakSet[ManifestResult] = weakref.WeakSet()
        self.most_alive = 0
        self.tracked: dict[int, int] = {}

    def _results(self) -> Iterator[ManifestResult]:
        for index in range(1, self.count + 1):
            source = self.sources[index % len(self.sources)]
            path = f"batch/{index:04}-{Path(source.path).name}"
            findings = tuple(replace(finding, manifest=path) for finding in source.findings
                             if self.keep is None or finding.rule_id in self.keep)
            result = replace(source, path=path, findings=findings,
                             inventory=source.inventory if self.inventory else None)
            self.alive.add(result)
            self.most_alive = max(self.most_alive, len(self.alive))
            if index in (self.count // 2, self.count):
                gc.collect()
                self.tracked[index] = _tracked_objects()
            yield result

    def stream(self) -> ReportStream:
        report = make_report([], packs=self.packs)
        return ReportStream(__version__, report.packs, report.as_of, self._results(), lambda: [],
                            rules=report.rules, expected=self.count)

    def objects_per_manifest(self) -> float:
        """Tracked objects gained per manifest over the second half of the batch."""
        half = self.count // 2
        return (self.tracked[self.count] - self.tracked[half]) / (self.count - half)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_each_format_renders_a_batch_in_flat_memory(format_name, examples, tmp_path):
    measured = {}
    for count in (30, 60):
        batch = Batch(examples, count)
        with open(tmp_path / f"report-{count}", "w", encoding="utf-8") as out:
            renderer(format_name)(batch.stream(), out, RenderOptions())
        measured[count] = (batch.most_alive, batch.objects_per_manifest())
    # As many results alive at most for 60 manifests as for 30 (the one being rendered and the
    # next), and at most a few objects more per manifest.
    assert (measured[60][0] == measured[30][0] <= 3
            and max(growth for _, growth in measured.values()) <= OBJECTS_PER_MANIFEST), measured


def test_several_formats_read_a_batch_once_in_flat_memory(examples, tmp_path):
    from auditor.cli.common import write_reports
    from auditor.reporters.fan_out import QUEUE_SIZE

    # Each format's queue, the result it renders and the one it rendered last; the reader's two.
    bound = len(FORMATS) * (QUEUE_SIZE + 2) + 2
    most_alive = {}
    for count in (bound + 1, 2 * (bound + 1)):
        batch = Batch(examples, count)
        write_reports(batch.stream(), [(name, str(tmp_path / f"{count}.{name}")) for name in sorted(FORMATS)])
        most_alive[count] = batch.most_alive
    assert max(most_alive.values()) <= bound, most_alive


def _sarif(report) -> str:
    out = io.StringIO()
    renderer("sarif")(report, out, RenderOptions())
    return out.getvalue()


def test_streamed_sarif_is_laid_out_as_one_json_document(examples, tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, waiver_set, packs = audit_results(EXAMPLE_PATHS, waivers, baseline)
    text = _sarif(make_report(results, waiver_set, packs))
    document = json.loads(text)
    assert (len(document["runs"][0]["results"]) > 0
            and text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def test_streamed_sarif_without_results_is_laid_out_as_one_json_document(examples):
    results, _, packs = examples
    passes_only = [replace(result, findings=tuple(f for f in result.findings if f.status == "pass"))
                   for result in results]
    text = _sarif(make_report(passes_only, packs=packs))
    document = json.loads(text)
    assert (document["runs"][0]["results"] == []
            and text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _one_failure_two_passes(examples) -> tuple[str, ...]:
    """Rule ids that leave, in the first example with both, one failure and two passes."""
    for result in examples[0]:
        failed = [f.rule_id for f in result.findings if f.status == "fail"]
        passed = sorted({f.rule_id for f in result.findings if f.status == "pass"} - set(failed))
        if failed and len(passed) >= 2 and sum(f.rule_id == failed[0] for f in result.findings) == 1:
            return (failed[0], *passed[:2])
    raise AssertionError("no example has a failure and two passes")


def _html(report) -> str:
    out = io.StringIO()
    renderer("html")(report, out, RenderOptions())
    return out.getvalue()


def test_a_large_html_report_counts_passes_instead_of_listing_them(examples):
    from auditor.reporters.html import PASS_LISTING_LIMIT

    keep = _one_failure_two_passes(examples)
    count = PASS_LISTING_LIMIT + 1
    batch = Batch(examples, count, keep=keep, inventory=False)
    page = _html(batch.stream())
    passes = sum(1 for index in range(1, count + 1)
                 for f in examples[0][index % len(examples[0])].findings if f.rule_id in keep and f.status == "pass")
    assert (page.count('data-status="pass"'), page.count('data-status="fail"') > 0,
            f"{passes:,} passed findings are counted but not listed" in page) == (0, True, True)


def test_an_html_report_at_the_limit_lists_every_pass(examples):
    from auditor.reporters.html import PASS_LISTING_LIMIT

    keep = _one_failure_two_passes(examples)
    batch = Batch(examples, PASS_LISTING_LIMIT, keep=keep, inventory=False)
    results = list(batch.stream().iter_results())
    passes = sum(1 for result in results for f in result.findings if f.status == "pass")
    page = _html(make_report(results, packs=examples[2]))
    assert (page.count('data-status="pass"'), "not listed" in page) == (passes, False)


def _with_passes(result: ManifestResult, count: int) -> ManifestResult:
    """``result`` with its findings that did not pass and ``count`` copies of one that did."""
    passed = next(finding for finding in result.findings if finding.status == "pass")
    return replace(result, findings=tuple(f for f in result.findings if f.status != "pass") + (passed,) * count)


def test_a_manifest_with_more_passes_than_the_limit_counts_them_instead_of_listing_them(examples):
    from auditor.reporters.html import MANIFEST_PASS_LISTING_LIMIT

    results, _, packs = examples
    many = MANIFEST_PASS_LISTING_LIMIT + 1
    # The manifest with too many passes comes first: the one after it still lists its own.
    listed = [f for f in results[1].findings if f.status == "pass"]
    page = _html(make_report([_with_passes(results[0], many), results[1]], packs=packs))
    assert (page.count('data-status="pass"'), f"{many} passed findings not listed; see the JSON report." in page,
            f"{many} passed findings are counted but not listed: a manifest with more than "
            f"{MANIFEST_PASS_LISTING_LIMIT} passed findings lists only" in page) == (len(listed), True, True)


def test_a_manifest_with_as_many_passes_as_the_limit_lists_them_all(examples):
    from auditor.reporters.html import MANIFEST_PASS_LISTING_LIMIT

    results, _, packs = examples
    page = _html(make_report([_with_passes(results[0], MANIFEST_PASS_LISTING_LIMIT)], packs=packs))
    assert (page.count('data-status="pass"'), "not listed" in page) == (MANIFEST_PASS_LISTING_LIMIT, False)


def test_a_baseline_keeps_one_manifest_s_records_at_a_time(examples):
    from auditor.rules.baseline import write_baseline

    batch = Batch(examples, 200)
    write_baseline(batch.stream().iter_results(), __version__, io.StringIO())
    # Where each manifest's records wait on disk: an entry per manifest. Keeping the records
    # (4 or so per example manifest) in memory would add that many objects per manifest.
    assert batch.objects_per_manifest() <= 2, batch.objects_per_manifest()


class _Writes(io.StringIO):
    """A text stream that remembers the longest text written to it at once."""

    longest = 0

    def write(self, text: str) -> int:
        self.longest = max(self.longest, len(text))
        return super().write(text)


def test_json_writes_one_manifest_s_many_findings_in_bounded_pieces(examples):
    results, _, packs = examples
    longest = {}
    for copies in (100, 200):
        many = replace(results[0], findings=results[0].findings * copies)
        out = _Writes()
        renderer("json")(make_report([many], packs=packs), out, RenderOptions())
        longest[copies] = out.longest
    # Written whole, the manifest's findings would be one text twice as long for twice as many.
    assert longest[200] <= 1.1 * longest[100], longest
