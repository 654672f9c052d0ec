"""An audit's work grows with the manifest, never faster: twice the entries, twice the work.

Work is counted in function calls (``work_done``), which unlike a clock does not depend on
how busy the machine is.
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from auditor.catalog.scope_catalog import CATALOG_FILE, ScopeCatalog
from auditor.manifest.load import load_manifest
from auditor.rules.engine import evaluate
from auditor.resources import policies_dir
from auditor.rules.packs import load_packs

from tests.helpers import big_manifest, work_done

AS_OF = datetime.date(2026, 11, 21)
MAX_BYTES = 64 << 20
@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    """The built-in packs, once used: what the first audit of a process sets up (compiled
    patterns, the report language) is not work that grows with a manifest."""
    loaded = load_packs()
    judging_work(tmp_path_factory.mktemp("warm-up"), big_manifest(3, unknown_scopes=1), loaded)
    return loaded


def judging_work(tmp_path, text: str, packs) -> tuple[int, int]:
    """The work of judging a manifest (facts, rules, findings, inventory) and its findings."""
    path = tmp_path / f"app-{len(text)}.yaml"
    path.write_text(text, encoding="utf-8")
    manifest = load_manifest(str(path), MAX_BYTES)
    # A catalog of its own: one remembers the suggestions it found for earlier runs.
    catalog = ScopeCatalog.load(policies_dir() / CATALOG_FILE)
    findings: list[int] = []
    work = work_done(lambda: findings.append(len(evaluate(manifest, packs, catalog, AS_OF).findings)))
    return work, findings[0]


def test_lists_that_name_every_entry_are_judged_in_linear_time(tmp_path, packs):
    (small, small_findings), (large, large_findings) = (judging_work(tmp_path, big_manifest(size), packs)
                                                        for size in (1_000, 2_000))
    assert large_findings > 1.9 * small_findings  # the findings grow with the entries…
    assert large <= 2.2 * small  # …and so does the work, not with their square


def test_unknown_scopes_are_judged_in_linear_time(tmp_path, packs):
    (small, _), (large, _) = (judging_work(tmp_path, big_manifest(10, unknown_scopes=size), packs)
                              for size in (100, 200))
    assert large <= 2.2 * small


def test_a_run_whose_rules_show_no_suggestion_does_not_look_for_one(tmp_path, packs):
    without = [dataclasses.replace(pack, rules=tuple(rule for rule in pack.rules
                                                     if "facts.suggestions" not in rule.reads)) for pack in packs]
    assert sum(len(pack.rules) for pack in without) == sum(len(pack.rules) for pack in packs) - 1
    text = big_manifest(10, unknown_scopes=100)
    looking, _ = judging_work(tmp_path, text, packs)
    not_looking, _ = judging_work(tmp_path, text, without)
    # Each suggestion compares the scope with every scope of the catalog: hundreds of
    # calls per unknown scope, where judging it takes a few dozen.
    assert not_looking * 3 < looking
