"""One smoke property through the real command: a mutated manifest never makes ``wsaudit
audit`` die with a traceback; it exits 0, 1 (findings) or 2 (the manifest is refused)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

from tests.helpers import run_wsaudit
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.seeds import Mutant
from tests.fuzz.strategies import manifest_mutants


@fuzz_settings("cli")
@given(manifest_mutants("text"))
def test_audit_command_exits_0_1_or_2_on_a_mutated_manifest(fuzz_folder: Path, case: Mutant) -> None:
    path = fuzz_folder / "cli-mutant.yaml"
    path.write_bytes(case.raw)
    result = run_wsaudit("audit", str(path), "--format", "json", "--as-of", "2026-11-21")
    assert result.code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
