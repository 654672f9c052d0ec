"""Joining discovery documents and curated facts into catalog entries.

Rules, in order of precedence (curated data always wins over the rules below it):

1. **Which documents.** Every discovery document is read; when an API ships several
   versions the newest one's description of a scope is kept (see ``discovery``).
2. **Family** (``api``): see ``families``.
3. **Classification**: a curated group names its source (a Google page, Google's
   restricted-scope list, the developer-tools list or the policy definition) and a short
   quote from it, or ``reasoning`` for an inferred classification. Every Workspace scope
   must be covered; other scopes no group covers get ``heuristic_classification``.
4. **Narrower** holds scopes of the same API that grant a subset: the curated lists plus
   ``X.readonly`` under ``X``. Substitutes that are not subsets go to **alternatives** with
   their trade-off; retired scopes name their successors in **replaced_by**.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.catalog.scope_names import short_scope

from .checks import check_known, check_narrower, check_provenance
from .curation import (
    CLASSIFICATIONS,
    INFERRED,
    CatalogError,
    Entry,
    Source,
    clean_text,
    full_scope,
    heuristic_classification,
    load_curation,
    load_sources,
)
from .discovery import CLIENT_PACKAGE, PINNED_CLIENT_VERSION, default_documents_dir, read_discovery
from .families import WORKSPACE_FAMILIES, family_of

CATALOG_VERSION = 1
SCRIPTS_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CURATION = SCRIPTS_DIR / "scope_curation.yaml"


def _collect_entries(docs, curation: dict[str, Any], overrides: dict[str, str], problems: list[str]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for doc in docs:  # newest version of each API first, so its description wins
        for scope, description in sorted(doc.scopes.items()):
            entry = entries.setdefault(scope, Entry(scope=scope))
            entry.used_by.add(doc.api)
            if not entry.description and description:
                entry.description = description

    # Scopes no discovery document lists (add-ons, Apps Script, Meet media, aliases).
    for item in curation.get("extra_scopes") or []:
        scope = full_scope(item["scope"])
        if scope in entries:
            problems.append(f"extra_scopes: {scope} is already in a discovery document; drop it from the YAML")
            continue
        entries[scope] = Entry(scope=scope, description=clean_text(item["description"]),
                               description_source=item.get("description_source"))
        if item.get("api"):
            overrides.setdefault(scope, item["api"])

    # Retired scopes (some are still listed by old discovery documents).
    for item in curation.get("retired") or []:
        scope = full_scope(item["scope"])
        entry = entries.setdefault(scope, Entry(scope=scope))
        entry.status = "retired"
        entry.note = clean_text(item["note"])
        entry.replaced_by = [full_scope(target) for target in item.get("replaced_by") or []]
        if not entry.replaced_by:
            problems.append(f"retired: {scope} names no replaced_by")
        if item.get("description"):
            entry.description = clean_text(item["description"])
        if item.get("api"):
            overrides.setdefault(scope, item["api"])

    for scope, text in (curation.get("descriptions") or {}).items():
        scope = full_scope(scope)
        check_known([scope], entries, "descriptions", problems)
        if scope in entries:
            entries[scope].description = clean_text(text)
    return entries


def _group_members(group: dict[str, Any], entries: dict[str, Entry], where: str,
                   problems: list[str]) -> list[tuple[str, str | None, bool]]:
    """(scope, its own quote or None, listed one by one) for each member of a group."""
    members: list[tuple[str, str | None, bool]] = []
    for item in group.get("scopes") or []:
        if isinstance(item, dict):
            members.append((full_scope(item["scope"]), clean_text(item["quote"]) if item.get("quote") else None, True))
        else:
            members.append((full_scope(item), None, True))
    check_known([scope for scope, _, _ in members], entries, where, problems)
    prefixes = tuple(group.get("prefixes") or ())
    if prefixes:
        named = {scope for scope, _, _ in members}
        prefixed = [scope for scope in sorted(entries) if short_scope(scope).startswith(prefixes)]
        if not prefixed:
            problems.append(f"{where}: no scope starts with {', '.join(prefixes)}")
        members += [(scope, None, False) for scope in prefixed if scope not in named]
    return members


def _classify(curation: dict[str, Any], entries: dict[str, Entry], sources: dict[str, Source],
              problems: list[str]) -> set[str]:
    """Apply the curated groups; return the scopes that groups list one by one."""
    assigned: dict[str, str] = {}
    listed: set[str] = set()
    for index, group in enumerate(curation.get("classifications") or []):
        where = f"classifications[{index}]"
        classification = group.get("classification")
        if classification not in CLASSIFICATIONS:
            problems.append(f"{where}: classification must be one of {', '.join(CLASSIFICATIONS)}")
            continue
        source_name, reasoning = group.get("source"), group.get("reasoning")
        if bool(source_name) == bool(reasoning):
            problems.append(f"{where}: give exactly one of source (a Google statement) or reasoning (inferred)")
            continue
        if source_name and source_name not in sources:
            problems.append(f"{where}: unknown source {source_name!r}")
            continue
        group_quote = clean_text(group["quote"]) if group.get("quote") else None
        for scope, own_quote, one_by_one in _group_members(group, entries, where, problems):
            if scope not in entries:
                continue
            if scope in assigned:
                problems.append(f"{where}: {scope} is already classified by {assigned[scope]}")
                continue
            assigned[scope] = where
            entry = entries[scope]
            entry.classification = classification
            if source_name:
                entry.classification_source = sources[source_name].url
                quote = own_quote or group_quote
                entry.classification_quote = quote.replace("{scope}", scope) if quote else None
                if one_by_one:
                    listed.add(scope)
            else:
                entry.classification_source = INFERRED
                entry.reasoning = clean_text(reasoning)

    for entry in entries.values():
        if entry.classification:
            continue
        if entry.workspace:
            problems.append(f"{entry.scope} ({entry.api}): Workspace scope without a curated classification")
            continue
        entry.classification, entry.reasoning = heuristic_classification(entry)
        entry.classification_source = INFERRED
    return listed


def _relate(curation: dict[str, Any], entries: dict[str, Entry], problems: list[str]) -> None:
    curated: dict[str, list[str]] = {}
    for scope, targets in (curation.get("narrower") or {}).items():
        scope = full_scope(scope)
        full_targets = [full_scope(target) for target in targets]
        curated[scope] = full_targets
        check_known([scope], entries, "narrower", problems)
        check_known(full_targets, entries, f"narrower of {scope}", problems)
        if scope in full_targets:
            problems.append(f"narrower of {scope}: a scope cannot be narrower than itself")
        if scope in entries:
            entries[scope].narrower.update(target for target in full_targets if target in entries and target != scope)
    for scope, entry in entries.items():
        readonly = scope + ".readonly"
        if "://" in scope and readonly in entries:
            entry.narrower.add(readonly)

    for scope, items in (curation.get("alternatives") or {}).items():
        scope = full_scope(scope)
        check_known([scope], entries, "alternatives", problems)
        for item in items or []:
            target, trade = full_scope(item.get("scope", "")), clean_text(item.get("trade", ""))
            check_known([target], entries, f"alternatives of {scope}", problems)
            if not trade:
                problems.append(f"alternatives of {scope}: {target} needs a trade (what is given up or gained)")
            if scope in entries and target in entries and target != scope:
                entries[scope].alternatives[target] = trade
    for entry in entries.values():
        check_known(entry.replaced_by, entries, f"replaced_by of {entry.scope}", problems)
    check_narrower(entries, curated, problems)


def build_catalog(documents_dir: Path | None = None, curation_path: Path | None = None,
                  client_version: str | None = None) -> dict[str, Any]:
    """Build the catalog document (a JSON-ready dict) from the discovery documents and the curation."""
    documents_dir = documents_dir or default_documents_dir()
    curation = load_curation(curation_path or DEFAULT_CURATION)
    docs = read_discovery(documents_dir)
    if not docs:
        raise CatalogError(f"no discovery documents found in the {CLIENT_PACKAGE} package")

    problems: list[str] = []
    sources = load_sources(curation, problems)
    overrides = {full_scope(scope): family for scope, family in (curation.get("families") or {}).items()}
    entries = _collect_entries(docs, curation, overrides, problems)

    check_known(overrides, entries, "families", problems)
    for entry in entries.values():
        entry.api = family_of(entry.scope, entry.used_by, overrides)
        entry.workspace = entry.api in WORKSPACE_FAMILIES
        if not entry.description:
            problems.append(f"{entry.scope}: no description (add one under descriptions:)")

    listed = _classify(curation, entries, sources, problems)
    _relate(curation, entries, problems)
    check_provenance(entries, listed, sources, problems)

    if problems:
        raise CatalogError("the scope catalog cannot be built:\n  " + "\n  ".join(problems))

    used = {entry.classification_source for entry in entries.values()} - {INFERRED}
    return {
        "catalog_version": CATALOG_VERSION,
        "sources": {
            CLIENT_PACKAGE: client_version or PINNED_CLIENT_VERSION,
            "discovery": {doc.key: doc.revision for doc in docs},
            "classification_pages": sorted(used | {source.url for source in sources.values()}),
            "classification_source_kinds": {source.url: source.kind for source in sorted(sources.values(), key=lambda s: s.url)},
        },
        "scopes": [entries[scope].as_json() for scope in sorted(entries)],
    }
