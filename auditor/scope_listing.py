"""``wsaudit scopes``: select catalog entries and show them as text or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from auditor.catalog import ScopeCatalog, ScopeInfo

_BADGE_COLORS = {"restricted": "31", "sensitive": "33", "non_sensitive": "32"}


def filter_scopes(
    catalog: ScopeCatalog,
    text: str,
    api: str | None = None,
    classification: str | None = None,
    include_all: bool = False,
) -> list[ScopeInfo]:
    """Entries matching ``text`` (all of them when empty) and the given filters."""
    entries = catalog.search(text) if text.strip() else sorted(catalog, key=lambda entry: (entry.api, entry.scope))
    return [
        entry
        for entry in entries
        if (include_all or (entry.workspace and entry.status == "active"))
        and (api is None or entry.api == api)
        and (classification is None or entry.classification == classification)
    ]


def render_scopes_text(entries: list[ScopeInfo], color: bool = False) -> str:
    lines: list[str] = []
    for entry in entries:
        badge = entry.classification.replace("_", "-")
        if color:
            badge = f"\x1b[{_BADGE_COLORS.get(entry.classification, '0')}m{badge:<13}\x1b[0m"
        else:
            badge = f"{badge:<13}"
        status = "" if entry.status == "active" else f"  [{entry.status}]"
        lines.append(f"{badge} {entry.scope}  ({entry.api}){status}")
        if entry.description:
            lines.append(f"{'':13} {entry.description}")
        if entry.narrower:
            lines.append(f"{'':13} narrower: {', '.join(entry.narrower)}")
    return "\n".join(lines) + "\n"


def render_scopes_json(catalog: ScopeCatalog, entries: list[ScopeInfo]) -> str:
    document = {
        "catalog_sources": catalog.sources,
        "scopes": [asdict(entry) for entry in entries],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
