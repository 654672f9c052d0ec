"""Mutated manifests, policy packs, waiver files and baselines through the whole pipeline.

The property of every test: whatever the input, the library answers with a result or with
its own error (:class:`~auditor.model.errors.AuditorError`, which the command prints as
``path:line:col: error: message`` and exits 2) — never another exception, never a hang.
See ``budget.py`` for the number of examples and how to run a long campaign.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, seed

from tests.fuzz.budget import campaign_seed, fuzz_settings
from tests.fuzz.pipeline import drive_baseline, drive_manifest, drive_pack, drive_waivers, run_guarded
from tests.fuzz.seeds import Mutant
from tests.fuzz.strategies import baseline_mutants, manifest_mutants, pack_mutants, waiver_mutants


def fuzz(target: str, strategy):
    """``given(strategy)`` with the target's budget (and the campaign's seed, if any)."""

    def decorate(test):
        test = fuzz_settings(target)(given(strategy)(test))
        chosen = campaign_seed()
        return seed(chosen)(test) if chosen is not None else test

    return decorate


@fuzz("manifest_text", manifest_mutants("text"))
def test_manifest_with_mutated_text_is_audited_reported_disclosed_and_diffed_or_refused(
        fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_manifest, case.raw, case.seed.raw, fuzz_folder) in ("valid", "invalid")


@fuzz("manifest_data", manifest_mutants("data"))
def test_manifest_with_mutated_data_is_audited_reported_disclosed_and_diffed_or_refused(
        fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_manifest, case.raw, case.seed.raw, fuzz_folder) in ("valid", "invalid")


@fuzz("pack_text", pack_mutants("text"))
def test_policy_pack_with_mutated_text_loads_and_evaluates_or_is_refused(
        fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_pack, case.raw, fuzz_folder) in ("valid", "invalid")


@fuzz("pack_data", pack_mutants("data"))
def test_policy_pack_with_mutated_data_loads_and_evaluates_or_is_refused(
        fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_pack, case.raw, fuzz_folder) in ("valid", "invalid")


@fuzz("waivers", waiver_mutants())
def test_mutated_waiver_file_applies_or_is_refused(fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_waivers, case.raw, fuzz_folder) in ("valid", "invalid")


@fuzz("baseline", baseline_mutants())
def test_mutated_baseline_applies_or_is_refused(fuzz_folder: Path, case: Mutant) -> None:
    assert run_guarded(drive_baseline, case.raw, fuzz_folder) in ("valid", "invalid")
