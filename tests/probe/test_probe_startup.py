"""``wsaudit probe --help`` stays cheap: the probe's network libraries load only when it runs."""

from __future__ import annotations

from tests.helpers import HEAVY, imported_modules


def test_probe_help_imports_no_network_library():
    modules = imported_modules("probe", "--help")
    assert "auditor.cli.probe" in modules
    assert not [name for name in modules if name.split(".")[0] in HEAVY or name.startswith("auditor.probe")]
