"""Instruction counts for the throughput benchmark: the audit and its floors as valgrind's
callgrind counts them, which other work on the machine does not move.

CPU time on a shared machine moves with whatever else runs (the short C ``compose`` floor
more than the audit), so a CPU ratio is a range. The number of instructions a run executes
depends on its inputs, not on the machine (hash randomisation is fixed with
``PYTHONHASHSEED=0``); what still moves it a little (the floors, by up to 2%) is the order in
which a process's threads take turns, such as the pool's in the floors' parent. Start-up is left out by counting two sizes of the same corpus, the
first ``sample`` manifests and the first ``2 * sample``: the difference is what ``sample``
more manifests cost. Every process a run starts is counted (``--trace-children``).

Instructions are not CPU time: C code such as libyaml's runs more instructions per cycle
than the interpreter, and callgrind runs a program's threads one at a time, so a run of
several processes or threads is counted as its work, not its waiting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable


def valgrind() -> str | None:
    return shutil.which("valgrind")


def counted(command: list[str], cwd: Path) -> int:
    """Instructions executed by ``command`` and every process it starts, under callgrind."""
    program = valgrind()
    if program is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="wsaudit-callgrind-") as folder:
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        completed = subprocess.run([program, "--tool=callgrind", "--trace-children=yes",
                                    f"--callgrind-out-file={folder}/callgrind.%p", *command],
                                   cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, check=False)
        if completed.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command[:4])} … failed under valgrind with exit code "
                             f"{completed.returncode}:\n{completed.stderr[-2000:]}")
        total = 0
        for path in Path(folder).iterdir():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("summary:"):
                    total += int(line.split()[1])
        return total


def per_manifest(paths: list[Path], sample: int, base: Path, commands: dict[str, Callable[[Path], list[str]]],
                 cwd: Path) -> dict[str, float]:
    """For each named command (given a folder of manifests), the instructions ``sample``
    more manifests cost, per manifest: counted on the first ``sample`` and the first
    ``2 * sample`` of ``paths``."""
    if len(paths) < 2 * sample:
        raise SystemExit(f"--instructions {sample} needs at least {2 * sample} manifests (-n)")
    folders = {}
    for size in (sample, 2 * sample):
        folder = folders[size] = base / f"instructions-{size}"
        folder.mkdir(exist_ok=True)
        for path in paths[:size]:
            shutil.copyfile(path, folder / path.name)
    return {name: (counted(command(folders[2 * sample]), cwd) - counted(command(folders[sample]), cwd)) / sample
            for name, command in commands.items()}
