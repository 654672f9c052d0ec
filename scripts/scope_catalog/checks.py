"""Consistency checks of the curated data against the scopes the catalog holds.

Every problem is collected so that one run reports all of them.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from auditor.catalog.scope_names import short_scope

from .curation import INFERRED, Entry, Source


def check_known(scopes: Iterable[str], known: dict[str, Entry], where: str, problems: list[str]) -> None:
    """Report each scope the catalog does not hold, with the closest known name."""
    for scope in scopes:
        if scope not in known:
            hint = difflib.get_close_matches(scope, list(known), n=1)
            suffix = f" (did you mean {hint[0]}?)" if hint else ""
            problems.append(f"{where}: {scope} is not in the catalog{suffix}")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a path that ends where it starts, or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if state.get(target) is None:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def check_narrower(entries: dict[str, Entry], curated: dict[str, list[str]], problems: list[str]) -> None:
    """``narrower`` means "a subset of the same API": other APIs go to ``alternatives``.

    ``curated`` holds the hand-written lists (scope -> narrower scopes); the generic
    ``X.readonly`` rule needs no check (same name, same API), and discovery-derived family
    names of non-Workspace APIs may differ for one product.
    """
    for scope, targets in sorted(curated.items()):
        entry = entries.get(scope)
        for target in targets:
            other = entries.get(target)
            if entry is not None and other is not None and other.api != entry.api:
                problems.append(
                    f"narrower of {scope}: {target} belongs to {other.api}, not {entry.api}; "
                    "list it under alternatives with its trade-off"
                )
    for scope, entry in sorted(entries.items()):
        for target in sorted(entry.narrower & set(entry.alternatives)):
            problems.append(f"{scope}: {target} is both narrower and an alternative")
    cycle = find_cycle({scope: entry.narrower for scope, entry in entries.items()})
    if cycle:
        problems.append("narrower alternatives form a cycle: " + " -> ".join(cycle))


def _names(scope: str) -> tuple[str, str]:
    return scope, short_scope(scope)


def check_provenance(entries: dict[str, Entry], listed: set[str], sources: dict[str, Source],
                     problems: list[str]) -> None:
    """Every stated classification carries a quote; a quote for a listed scope names it.

    ``listed`` holds the scopes a group names one by one: their source must be a page with the
    scope in it, so the quote must show the scope (full URL or short form). Policy definitions
    and blanket statements (groups by prefix) name no single scope.
    """
    kinds = {source.url: source.kind for source in sources.values()}
    for scope, entry in sorted(entries.items()):
        if entry.classification_source == INFERRED:
            if entry.classification_quote:
                problems.append(f"{scope}: an inferred classification has no quote")
            continue
        if not entry.classification_quote:
            problems.append(f"{scope}: classification from {entry.classification_source} without a quote")
            continue
        if len(entry.classification_quote) > 240:
            problems.append(f"{scope}: quote longer than 240 characters; keep quotes short")
        if scope in listed and kinds.get(entry.classification_source) != "policy_definition":
            if not any(name in entry.classification_quote for name in _names(scope)):
                problems.append(f"{scope}: the quote from {entry.classification_source} does not name the scope")
