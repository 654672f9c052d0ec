"""The cyclic garbage collector waits while a manifest is read and judged, and comes back after.

A large manifest keeps tens of thousands of containers alive at once; every full collection
scanned all of them, so those scans grew faster than the manifest. Counting collections
(instead of timing them) shows whether the pause holds.
"""

from __future__ import annotations

import datetime
import gc

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES
from auditor.manifest.load import load_manifest
from auditor.model.collector import cycle_collection_paused
from auditor.model.report import ManifestResult
from auditor.rules.batch import AuditSettings, audit_one
from auditor.rules.packs import load_packs
from tests.helpers import big_manifest


@pytest.fixture
def eager_collector():
    """A collector that runs after every few new containers, so any unpaused stretch of
    work triggers it; Python's own thresholds come back afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(10, 1, 1)
    runs: list[int] = []

    def counted(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(counted)
    try:
        yield runs
    finally:
        gc.callbacks.remove(counted)
        gc.set_threshold(*thresholds)


def _collections_auditing(tmp_path, entries: int, runs: list[int]) -> int:
    path = tmp_path / f"app-{entries}.yaml"
    path.write_text(big_manifest(entries), encoding="utf-8")
    settings = AuditSettings(tuple(load_packs()), ScopeCatalog.load(), datetime.date(2026, 11, 21), DEFAULT_MAX_BYTES)
    runs.clear()
    assert isinstance(audit_one(str(path), settings), ManifestResult)
    return len(runs)


def test_collections_while_auditing_do_not_grow_with_the_manifest(tmp_path, eager_collector):
    # Unpaused, at these thresholds: about 5,000 collections for 100 entries, 10,000 for 200.
    assert _collections_auditing(tmp_path, 200, eager_collector) == _collections_auditing(
        tmp_path, 100, eager_collector) <= 2


def test_collections_while_loading_do_not_grow_with_the_manifest(tmp_path, eager_collector):
    counts = []
    for entries in (100, 200):
        path = tmp_path / f"app-{entries}.yaml"
        path.write_text(big_manifest(entries), encoding="utf-8")
        eager_collector.clear()
        load_manifest(str(path))
        counts.append(len(eager_collector))
    assert counts[0] == counts[1] <= 2


def _tracked_reachable(root) -> int:
    """How many containers the cyclic collector tracks are reachable from ``root``."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in gc.get_referents(stack.pop()):
            if gc.is_tracked(child) and id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def test_the_collector_comes_back_after_the_manifest_is_freed(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text(big_manifest(1_000), encoding="utf-8")
    settings = AuditSettings(tuple(load_packs()), ScopeCatalog.load(), datetime.date(2026, 11, 21), DEFAULT_MAX_BYTES)
    document = load_manifest(str(path)).document
    young: list[int] = []

    def counted(phase: str, info: dict) -> None:
        if phase == "start":
            young.append(gc.get_count()[0])

    gc.collect()
    thresholds = gc.get_threshold()
    gc.set_threshold(1_000, 10, 10)
    gc.callbacks.append(counted)
    try:
        assert isinstance(audit_one(str(path), settings), ManifestResult)
    finally:
        gc.callbacks.remove(counted)
        gc.set_threshold(*thresholds)
    # The first collection after the pause looks at the new containers still alive: the
    # result's, not the manifest's as well (with the manifest alive it saw both).
    assert young and young[0] < _tracked_reachable(document)


def test_the_collector_is_on_again_after_a_pause():
    with cycle_collection_paused():
        pass
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_inner_pause_does_not_end_the_outer_one():
    with cycle_collection_paused():
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
