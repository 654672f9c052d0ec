"""Start-up stays cheap: `wsaudit --help` must not import the heavy libraries."""

from __future__ import annotations

from tests.helpers import HEAVY, imported_modules


def test_help_imports_nothing_heavy():
    modules = imported_modules("--help")
    assert "click" in modules  # the measurement itself works
    heavy = sorted(name for name in modules if name.split(".")[0] in HEAVY)
    assert heavy == []


def test_subcommand_help_imports_nothing_heavy():
    modules = imported_modules("validate", "--help")
    assert not any(name.split(".")[0] in HEAVY for name in modules)
