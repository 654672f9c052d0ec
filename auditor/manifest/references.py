"""Checks the schema cannot express: unique ids, and references that must resolve.

Each error names both ends: the reference that does not resolve, and the list where its
target should have been (with that list's line, or the fact that the list is missing).
"""

from __future__ import annotations

from typing import Any, Callable

from auditor.model.errors import AuditorError, ManifestError
from auditor.manifest.schema_check import dotted, suggestion
from auditor.catalog.scope_names import canonical_scope
from auditor.manifest.yaml_source import YamlDocument

ID_LISTS = ("data", "storage", "transfers")
# A "did you mean" compares one name with every candidate; past this many unresolved
# references in one manifest the rest go without, so the cost stays linear.
MAX_SUGGESTIONS = 20
DATA_REFERENCES = ("storage", "transfers", "human_access")
_CROSS_API = frozenset({"any"})


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def check_references(document: YamlDocument, known_families: Callable[[], frozenset[str]]) -> list[AuditorError]:
    """Return every id, reference and scope-name problem of a manifest's data."""
    data = document.data
    if not isinstance(data, dict):
        return []
    errors: list[AuditorError] = []

    def error(pointer: str, message: str) -> None:
        line, column = document.locate(pointer)
        errors.append(ManifestError(message, document.path, line, column))

    def list_place(key: str) -> str:
        return f"`{key}` (line {document.locate_key('/' + key)[0]})"

    suggested = 0

    def no_such_data(target: str) -> str:
        nonlocal suggested
        if "data" not in data:
            return "but the manifest has no `data` list to define it"
        suggested += 1
        near = suggestion(target, data_ids) if suggested <= MAX_SUGGESTIONS else ""
        return f"but no item of {list_place('data')} has that id{near}"

    ids: dict[str, dict[str, int]] = {}
    for key in ID_LISTS:
        seen: dict[str, int] = {}
        for index, item in _items(data, key):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = seen[ident]
                error(
                    f"/{key}/{index}/id",
                    f"duplicate id {ident!r} in {key}: {key}[{first}] (line "
                    f"{document.locate(f'/{key}/{first}')[0]}) already uses it",
                )
            else:
                seen[ident] = index
        ids[key] = seen

    data_ids = ids["data"]
    for key in DATA_REFERENCES:
        for index, item in _items(data, key):
            targets = item.get("data")
            if not isinstance(targets, list):
                continue
            for position, target in enumerate(targets):
                if isinstance(target, str) and target not in data_ids:
                    error(
                        f"/{key}/{index}/data/{position}",
                        f"{dotted([key, index, 'data', position])} names data element {target!r}, "
                        + no_such_data(target),
                    )

    requested: dict[str, int] = {}
    for index, item in _items(data, "scopes"):
        scope = item.get("scope")
        if not isinstance(scope, str):
            continue
        name = canonical_scope(scope)
        if name in requested:
            first = requested[name]
            error(
                f"/scopes/{index}/scope",
                f"scope {name} is requested twice: scopes[{first}] (line "
                f"{document.locate(f'/scopes/{first}')[0]}) already names it",
            )
        else:
            requested[name] = index

    for index, item in _items(data, "data"):
        sources = item.get("source_scopes")
        if not isinstance(sources, list):
            continue
        for position, scope in enumerate(sources):
            if isinstance(scope, str) and canonical_scope(scope) not in requested:
                error(
                    f"/data/{index}/source_scopes/{position}",
                    f"{dotted(['data', index, 'source_scopes', position])} names scope {scope!r}, "
                    f"which is not requested under {list_place('scopes')}",
                )

    declared: dict[tuple[str, str], int] = {}
    families: frozenset[str] | None = None
    for index, item in _items(data, "use_cases"):
        api, use_case = item.get("api"), item.get("use_case")
        if not isinstance(api, str):
            continue
        if families is None:
            families = known_families() | _CROSS_API
        if api not in families:
            error(
                f"/use_cases/{index}/api",
                f"use_cases[{index}].api: {api!r} is not an API family of the scope catalog"
                f"{suggestion(api, families)} (see `wsaudit scopes`)",
            )
        if isinstance(use_case, str):
            if (api, use_case) in declared:
                error(
                    f"/use_cases/{index}",
                    f"use case {use_case!r} of {api} is declared twice "
                    f"(first as use_cases[{declared[(api, use_case)]}])",
                )
            declared.setdefault((api, use_case), index)
    return errors
