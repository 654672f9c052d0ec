"""``wsaudit scopes``: select catalog entries and show them as text or JSON.

Every classification is shown with where it comes from: the Google page (or Google's own
scope list) that states it, or ``inferred`` with the reasoning, so a reviewer can check it.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from auditor.catalog.scope_catalog import ScopeCatalog, ScopeInfo

_BADGE_COLORS = {"restricted": "31", "sensitive": "33", "non_sensitive": "32"}
INFERRED_KIND = "inferred"


def source_kind(catalog: ScopeCatalog, entry: ScopeInfo) -> str:
    """The kind of Google statement behind a classification (``api_page``, …) or ``inferred``."""
    if entry.inferred:
        return INFERRED_KIND
    kinds = catalog.sources.get("classification_source_kinds") or {}
    return kinds.get(entry.classification_source, "unknown")


def provenance(entry: ScopeInfo) -> str:
    """One line naming the source of a classification: its URL, or ``inferred: reasoning``."""
    if entry.inferred:
        return f"inferred: {entry.reasoning or 'no reasoning recorded'}"
    return entry.classification_source


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
        lines.append(f"{'':13} source: {provenance(entry)}")
        if entry.classification_quote:
            lines.append(f"{'':13} quote: \"{entry.classification_quote}\"")
        if entry.narrower:
            lines.append(f"{'':13} narrower: {', '.join(entry.narrower)}")
        for alternative in entry.alternatives:
            lines.append(f"{'':13} alternative: {alternative.scope} ({alternative.trade})")
        if entry.replaced_by:
            lines.append(f"{'':13} replaced by: {', '.join(entry.replaced_by)}")
    return "\n".join(lines) + "\n"


def render_scopes_json(catalog: ScopeCatalog, entries: list[ScopeInfo]) -> str:
    document = {
        "catalog_sources": catalog.sources,
        "scopes": [dict(asdict(entry), classification_source_kind=source_kind(catalog, entry)) for entry in entries],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def provenance_counts(catalog: ScopeCatalog) -> dict:
    """How many classifications rest on each kind of Google source, and how many are inferred.

    Counted for the Workspace scopes (the ones an audit judges) and for the whole catalog.
    """
    counts: dict = {}
    for label, entries in (("workspace", [entry for entry in catalog if entry.workspace]), ("all", list(catalog))):
        by_kind: dict[str, int] = {}
        for entry in entries:
            kind = source_kind(catalog, entry)
            by_kind[kind] = by_kind.get(kind, 0) + 1
        inferred = by_kind.pop(INFERRED_KIND, 0)
        counts[label] = {
            "total": len(entries),
            "sourced": len(entries) - inferred,
            "inferred": inferred,
            "sourced_by_kind": dict(sorted(by_kind.items())),
        }
    return counts


def render_provenance_text(counts: dict) -> str:
    lines = []
    for label, title in (("workspace", "Workspace scopes"), ("all", "all scopes")):
        item = counts[label]
        share = 100 * item["sourced"] / item["total"] if item["total"] else 0.0
        lines.append(f"{title}: {item['total']} classifications, {item['sourced']} sourced ({share:.0f}%), "
                     f"{item['inferred']} inferred")
        for kind, number in item["sourced_by_kind"].items():
            lines.append(f"  {kind}: {number}")
    return "\n".join(lines) + "\n"


def render_provenance_json(counts: dict) -> str:
    return json.dumps({"provenance": counts}, indent=2, sort_keys=True) + "\n"
