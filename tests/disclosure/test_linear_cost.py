"""A disclosure of a large manifest is built and written in work that grows with it.

Every data element of the manifest comes from one scope, so the scope's list of elements
holds them all: a list asked whether it already holds each new element (as the builder
once did) compares it with every one before it. Work is counted in lines of Python run
(``lines_run``), not timed.
"""

from __future__ import annotations

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import build_disclosure
from auditor.disclosure.render import FORMATS, render_disclosure
from auditor.manifest.load import load_manifest
from tests.helpers import big_manifest_files, lines_run

SIZES = (150, 300)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    paths = big_manifest_files(tmp_path_factory.mktemp("large"), SIZES)
    return {size: load_manifest(str(path)).model for size, path in paths.items()}


def test_a_large_manifest_s_disclosure_is_built_in_linear_work(models):
    catalog = ScopeCatalog.load()
    build_disclosure(models[SIZES[0]], catalog)  # first use, not counted
    # Before: 43,342 lines for 150 elements and 131,242 for 300.
    small, large = (lines_run(lambda size=size: build_disclosure(models[size], catalog)) for size in SIZES)
    assert large <= 2.2 * small


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_a_large_manifest_s_disclosure_is_written_in_linear_work(output_format, models):
    catalog = ScopeCatalog.load()
    built = {size: build_disclosure(models[size], catalog) for size in SIZES}
    render_disclosure(built[SIZES[0]], output_format)  # templates loaded once, not counted
    small, large = (lines_run(lambda size=size: render_disclosure(built[size], output_format)) for size in SIZES)
    assert large <= 2.2 * small
