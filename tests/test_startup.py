"""Start-up stays cheap: `wsaudit --help` must not import the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

HEAVY = ("jsonschema", "jinja2", "requests", "google", "yaml", "urllib3")


def imported_modules(*args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "auditor", *args],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    names = set()
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_help_imports_nothing_heavy():
    modules = imported_modules("--help")
    assert "click" in modules  # the measurement itself works
    heavy = sorted(name for name in modules if name.split(".")[0] in HEAVY)
    assert heavy == []


def test_subcommand_help_imports_nothing_heavy():
    modules = imported_modules("validate", "--help")
    assert not any(name.split(".")[0] in HEAVY for name in modules)
