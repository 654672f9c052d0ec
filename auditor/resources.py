"""Locate the data folders (``policies/``, ``reports/templates/``).

A wheel carries them inside the package as ``auditor/_data/…`` (see ``pyproject.toml``); an
editable install or a plain checkout finds them at the top of the source tree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    bundled = _PACKAGE / "_data" / installed
    if bundled.is_dir():
        return bundled
    source = _PACKAGE.parent / checkout
    if source.is_dir():
        return source
    raise FileNotFoundError(
        f"data folder {installed!r} is missing from this installation; reinstall workspace-auditor"
    )


@cache
def policies_dir() -> Path:
    """The folder holding the scope catalog and the built-in rule packs."""
    return _find("policies", "policies")


@cache
def templates_dir() -> Path:
    """The folder holding the Jinja2 report and disclosure templates."""
    return _find("templates", "reports/templates")


@cache
def report_catalogs_dir() -> Path:
    """The folder holding the report strings of each language (``reports/i18n``)."""
    return _find("report-i18n", "reports/i18n")


def schemas_dir() -> Path:
    """The folder holding the JSON Schemas of the manifest and the policy files."""
    return _PACKAGE / "schemas"


def load_packaged_yaml(source: Any) -> Any:
    """Parse one of wsaudit's own data files (a text or an open file) with libyaml's C parser
    when PyYAML has it: these files are trusted and need no positions, and the pure-Python
    parser costs a tenth of a second on each report catalog at every start."""
    import yaml

    return yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
