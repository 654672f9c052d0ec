"""A long fuzz campaign that keeps going after a crash and sorts crashes into classes.

The pytest properties stop at the first failure of each target and shrink it; a campaign
instead runs every target for its share of the inputs, records each crash (an exception
other than ``AuditorError``, or a hang) under a class — the exception type and the deepest
frame of the ``auditor`` package it passed through — and saves the first input of each class
with its traceback. Run it on one core, from the checkout::

    python -m tests.fuzz.campaign --inputs 100000 --crashes fuzz-crashes

It prints the number of inputs per target, how many were valid, the crash classes with
their counts, and the time taken; exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz.budget import CI_EXAMPLES
from tests.fuzz.pipeline import (drive_baseline, drive_manifest, drive_pack, drive_waivers, prepare_folder,
                                 run_guarded)
from tests.fuzz.seeds import Mutant
from tests.fuzz.strategies import baseline_mutants, manifest_mutants, pack_mutants, waiver_mutants

# Inputs per Hypothesis run: each run starts a fresh engine, which bounds its memory.
CHUNK = 250


def _targets(folder: Path) -> dict[str, tuple[st.SearchStrategy[Mutant], Callable[[Mutant], str], str]]:
    return {
        "manifest_text": (manifest_mutants("text"), lambda m: run_guarded(drive_manifest, m.raw, m.seed.raw, folder),
                          ".yaml"),
        "manifest_data": (manifest_mutants("data"), lambda m: run_guarded(drive_manifest, m.raw, m.seed.raw, folder),
                          ".yaml"),
        "pack_text": (pack_mutants("text"), lambda m: run_guarded(drive_pack, m.raw, folder), ".yaml"),
        "pack_data": (pack_mutants("data"), lambda m: run_guarded(drive_pack, m.raw, folder), ".yaml"),
        "waivers": (waiver_mutants(), lambda m: run_guarded(drive_waivers, m.raw, folder), ".yaml"),
        "baseline": (baseline_mutants(), lambda m: run_guarded(drive_baseline, m.raw, folder), ".json"),
    }


def crash_class(error: BaseException) -> str:
    """``Type at auditor/module.py:function`` for the deepest project frame on the stack."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/auditor/" in frame.filename.replace("\\", "/")]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    place = "?" if where is None else f"{where.filename.replace(chr(92), '/').split('/auditor/')[-1]}:{where.name}"
    last = frames[-1] if frames else None
    inner = "" if last is None or last is where else f" (in {Path(last.filename).name}:{last.name})"
    return f"{type(error).__name__} at auditor/{place}{inner}"


class Campaign:
    def __init__(self, crashes: Path) -> None:
        self.crashes = crashes
        self.inputs: Counter[str] = Counter()
        self.valid: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()
        self.first_seen: dict[str, str] = {}

    def record(self, target: str, mutant: Mutant, suffix: str, error: BaseException) -> None:
        name = crash_class(error)
        self.classes[name] += 1
        if name in self.first_seen:
            return
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:100]
        folder = self.crashes / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"input{suffix}").write_bytes(mutant.raw)
        (folder / "traceback.txt").write_text(
            f"target: {target}\nseed: {mutant.seed.name}\n{mutant!r}\n\n"
            + "".join(traceback.format_exception(error)), encoding="utf-8")
        self.first_seen[name] = target

    def summary(self, command: str, elapsed: float) -> dict[str, Any]:
        summary = {
            "command": command,
            "inputs": sum(self.inputs.values()),
            "seconds": round(elapsed),
            "by_target": {name: {"inputs": self.inputs[name], "valid": self.valid[name]} for name in self.inputs},
            "crashes": sum(self.classes.values()),
            "classes": dict(self.classes.most_common()),
        }
        self.crashes.mkdir(parents=True, exist_ok=True)
        (self.crashes / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return summary

    def run(self, name: str, strategy: st.SearchStrategy[Mutant], drive: Callable[[Mutant], str], suffix: str,
            count: int, chunk_seed: int) -> None:
        @seed(chunk_seed)
        @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def one(mutant: Mutant) -> None:
            self.inputs[name] += 1
            try:
                if drive(mutant) == "valid":
                    self.valid[name] += 1
            except Exception as error:  # noqa: BLE001 - every other exception is what we collect
                self.record(name, mutant, suffix, error)

        one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="total inputs over every target")
    parser.add_argument("--seed", type=int, default=0, help="first random seed (each chunk uses the next)")
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"), help="folder for crash reproducers")
    args = parser.parse_args(argv)

    started = time.monotonic()
    campaign = Campaign(args.crashes)
    command = "python -m tests.fuzz.campaign " + " ".join(argv if argv is not None else sys.argv[1:])
    total_weight = sum(weight for name, weight in CI_EXAMPLES.items() if name != "cli")
    with tempfile.TemporaryDirectory() as scratch:
        targets = _targets(prepare_folder(Path(scratch)))
        shares = {name: max(1, round(args.inputs * CI_EXAMPLES[name] / total_weight)) for name in targets}
        done: Counter[str] = Counter()
        chunk_seed = args.seed
        while any(done[name] < shares[name] for name in targets):
            for name, (strategy, drive, suffix) in targets.items():
                count = min(CHUNK, shares[name] - done[name])
                if count <= 0:
                    continue
                campaign.run(name, strategy, drive, suffix, count, chunk_seed)
                chunk_seed += 1
                done[name] += count
            # Written after every round, so an interrupted campaign still leaves its figures.
            summary = campaign.summary(command, time.monotonic() - started)
            print(f"[{summary['seconds']:7d} s] {summary['inputs']:,} inputs, {summary['crashes']:,} crashes in "
                  f"{len(summary['classes'])} classes", flush=True)
    print(json.dumps(summary, indent=2))
    return 1 if campaign.classes else 0


if __name__ == "__main__":
    sys.exit(main())
