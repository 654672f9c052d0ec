"""Start-up stays cheap: `wsaudit --help` must not import the heavy libraries."""

from __future__ import annotations

import pytest

from tests.helpers import HEAVY, imported_modules


def test_help_imports_nothing_heavy():
    modules = imported_modules("--help")
    assert "click" in modules  # the measurement itself works
    heavy = sorted(name for name in modules if name.split(".")[0] in HEAVY)
    assert heavy == []


def test_subcommand_help_imports_nothing_heavy():
    modules = imported_modules("validate", "--help")
    assert not any(name.split(".")[0] in HEAVY for name in modules)


# The library's front door, the result model and the renderers load with the command that
# uses them, never to show help.
_LOADED_BY_COMMANDS = ("auditor.api", "auditor.model.findings", "auditor.model.report")


def _loaded_by_commands(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name in _LOADED_BY_COMMANDS or name.startswith("auditor.reporters."))


def test_help_leaves_the_library_and_the_renderers_unloaded():
    modules = imported_modules("--help")
    assert "auditor.cli.main" in modules  # the measurement itself works
    assert _loaded_by_commands(modules) == []


@pytest.mark.parametrize("command", ["audit", "diff", "scan-code", "check-policy", "probe"])
def test_command_help_leaves_the_library_and_the_renderers_unloaded(command):
    assert _loaded_by_commands(imported_modules(command, "--help")) == []


def test_the_command_collects_cycles_after_ten_thousand_new_containers():
    import subprocess
    import sys

    from tests.helpers import REPO

    # The threshold the process runs with once wsaudit has started (a child, so that this
    # test's own process keeps Python's default).
    code = ("import gc, sys\nfrom auditor.cli.main import run\nsys.argv = ['wsaudit', '--help']\n"
            "try:\n    run()\nexcept SystemExit:\n    print(gc.get_threshold()[0], file=sys.stderr)\n")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert completed.stderr.strip() == "10000", completed.stderr
