"""Every format renders one large manifest in work that grows with it, never faster.

The manifest's storage places, transfers and grants each name one data element, and one of
each names them all; a report that matched every element against every step (as the HTML
report's data-flow table once did) does four times the work for twice the entries. Work is
counted in lines of Python run (``lines_run``), not timed. Rendering a whole report is
mostly the findings' own, linear work, which hides a small quadratic part at sizes a test
can afford: the HTML view of a manifest, where that part was, is counted on its own too.
"""

from __future__ import annotations

import pytest

from auditor.reporters import FORMATS
from auditor.reporters.html import manifest_view
from tests.helpers import big_manifest_files, lines_run
from tests.reporters.support import audit_results, make_report, render

SIZES = (150, 300)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """The audit result of the large manifest at each size (with its data-flow inventory)."""
    paths = big_manifest_files(tmp_path_factory.mktemp("large"), SIZES)
    results = {size: audit_results([str(path)])[0] for size, path in paths.items()}
    render("json", make_report(results[SIZES[0]]))  # first use: templates and encoders set up
    return results


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_a_large_manifest_renders_in_linear_work(format_name, audited):
    for size in SIZES:
        render(format_name, make_report(audited[size]))  # set-up of the format, not counted
    small, large = (lines_run(lambda size=size: render(format_name, make_report(audited[size]))) for size in SIZES)
    assert large <= 2.2 * small


def test_the_html_view_of_a_large_manifest_is_built_in_linear_work(audited):
    # Before: 80,622 lines for 150 entries and 295,272 for 300 (every element against every step).
    small, large = (lines_run(lambda size=size: manifest_view(1, audited[size][0])) for size in SIZES)
    assert large <= 2.2 * small
