"""Apps Script services and the scopes they need (data in ``apps_script.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor.catalog.scope_names import canonical_scope

_DATA = Path(__file__).resolve().parent / "apps_script.yaml"


@dataclass(frozen=True)
class BuiltInService:
    """A built-in service (``DocumentApp``): its default scopes and per-method overrides."""

    name: str
    scopes: tuple[str, ...]
    methods: dict[str, tuple[str, ...]]
    source: str
    quote: str | None
    inferred: bool
    reason: str | None

    def scopes_for(self, method: str) -> tuple[str, ...]:
        """Full scope URLs any one of which authorizes ``Service.method(...)``; empty: none needed."""
        return self.methods.get(method, self.scopes)


@dataclass(frozen=True)
class AppsScriptFacts:
    built_in: dict[str, BuiltInService]
    ui_methods: frozenset[str]
    ui_scopes: tuple[str, ...]
    advanced: dict[str, tuple[str, str]]
    # An advanced service's name for a method -> the API's (`remove` -> `delete`).
    renamed: dict[str, str]


def _full(scopes: list[str]) -> tuple[str, ...]:
    return tuple(canonical_scope(scope) for scope in scopes)


@cache
def load_apps_script_facts() -> AppsScriptFacts:
    """The packaged Apps Script facts, read once."""
    from auditor.resources import load_packaged_yaml

    document = load_packaged_yaml(_DATA.read_text(encoding="utf-8"))
    services = {}
    for name, item in document["built_in"].items():
        services[name] = BuiltInService(
            name, _full(item.get("scopes") or []),
            {method: _full(scopes) for method, scopes in (item.get("methods") or {}).items()},
            item["source"], item.get("quote"), bool(item.get("inferred")), item.get("reason"))
    ui = document["ui_methods"]
    advanced = {name: (pair[0], pair[1]) for name, pair in document["advanced"].items()}
    renamed = dict(document["renamed_methods"]["methods"])
    return AppsScriptFacts(services, frozenset(ui["methods"]), _full(ui["scopes"]), advanced, renamed)
