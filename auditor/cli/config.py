"""Project defaults for the gate, read from ``.wsaudit.toml`` or ``[tool.wsaudit]`` in
``pyproject.toml``.

The file is looked for in the current folder and then in each parent, the nearest one
winning (``.wsaudit.toml`` before ``pyproject.toml`` in the same folder; a ``pyproject.toml``
without a ``[tool.wsaudit]`` table does not count). Options given on the command line always
win over the file. Paths in the file are relative to the file's folder.

Keys (with ``-`` or ``_``)::

    fail-on  = "high"               # critical, high, medium, low, info, never
    strict   = false
    policy   = ["policies/org.yaml"]  # extra rule packs (a string or a list)
    waivers  = "waivers.yaml"
    baseline = "wsaudit-baseline.json"
    paths    = ["manifests"]        # what audit and validate read when given no PATH
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.model.errors import AuditorError

CONFIG_FILE = ".wsaudit.toml"
PYPROJECT = "pyproject.toml"
SEVERITY_CHOICES = ("critical", "high", "medium", "low", "info", "never")
# Key → the parameter name each command gives it, and the commands that take it.
_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fail_on": ("fail_on", ("audit", "diff", "scan-code", "probe", "check-policy", "verify-readiness")),
    "strict": ("strict", ("audit", "probe", "check-policy", "verify-readiness")),
    "policy": ("policies", ("audit", "diff", "rules")),
    "waivers": ("waivers", ("audit",)),
    "baseline": ("baseline", ("audit",)),
    "paths": ("paths", ("audit", "validate")),
}


# (command, setting, parameter) for ``wsaudit config``, in the order it lists them.
SETTINGS: tuple[tuple[str, tuple[str, str]], ...] = tuple(
    (command, (key.replace("_", "-"), parameter))
    for key, (parameter, commands) in _KEYS.items() for command in commands)


class ConfigError(AuditorError):
    """A configuration file that cannot be used."""


@dataclass(frozen=True)
class Config:
    """The settings a configuration file gives (already validated), and where it is."""

    source: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's ``default_map``: per command, the defaults this file sets."""
        defaults: dict[str, dict[str, Any]] = {}
        for key, value in self.values.items():
            parameter, commands = _KEYS[key]
            for command in commands:
                defaults.setdefault(command, {})[parameter] = value
        return defaults


def find_config(start: str | os.PathLike[str] = ".") -> Path | None:
    """The nearest configuration file from ``start`` upwards, or ``None``."""
    folder = Path(start).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return False
    return b"[tool.wsaudit]" in head


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and check ``path`` (a ``.wsaudit.toml``, or a ``pyproject.toml`` whose
    ``[tool.wsaudit]`` table holds the settings)."""
    import tomllib

    shown = os.path.relpath(path) if os.path.isabs(path) else str(path)
    try:
        if not os.path.isfile(path):
            raise ConfigError("not a regular file", shown)
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", shown) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", shown) from None
    table: Any = document
    if Path(path).name == PYPROJECT:
        table = document.get("tool", {}).get("wsaudit", {})
        if not isinstance(table, dict):
            raise ConfigError("[tool.wsaudit] must be a table", shown)
    values = {}
    base = Path(path).resolve().parent
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key not in _KEYS:
            known = ", ".join(name.replace("_", "-") for name in _KEYS)
            raise ConfigError(f"unknown setting {raw_key!r} (known: {known})", shown)
        values[key] = _checked(key, value, base, shown)
    return Config(shown, values)


def _checked(key: str, value: Any, base: Path, shown: str) -> Any:
    if key == "fail_on":
        if value not in SEVERITY_CHOICES:
            raise ConfigError(f"fail-on must be one of {', '.join(SEVERITY_CHOICES)}, not {value!r}", shown)
        return value
    if key == "strict":
        if not isinstance(value, bool):
            raise ConfigError(f"strict must be true or false, not {value!r}", shown)
        return value
    if key in ("policy", "paths"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(item, str) and item for item in items):
            raise ConfigError(f"{key} must be a path or a list of paths", shown)
        return tuple(_relative(base, item) for item in items)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} must be a path", shown)
    return _relative(base, value)


def _relative(base: Path, item: str) -> str:
    """A path of the file, as seen from the current folder (shorter in messages)."""
    absolute = base / item
    try:
        return os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return str(absolute)
