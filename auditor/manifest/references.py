"""Checks the schema cannot express: unique ids, and references that must resolve.

Each error names both ends: the reference that does not resolve, and the list where its
target should have been (with that list's line, or the fact that the list is missing).
"""

from __future__ import annotations

from functools import lru_cache
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
# The same scope names recur in manifest after manifest (and twice in each: requested, then
# named as a data source): each is spelled out once.
_canonical_scope = lru_cache(maxsize=1024)(canonical_scope)


@lru_cache(maxsize=8)
def _with_cross_api(families: frozenset[str]) -> frozenset[str]:
    """The catalog's families and ``any``: one set per catalog, not one per manifest."""
    return families | _CROSS_API


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def check_references(document: YamlDocument, known_families: Callable[[], frozenset[str]]) -> list[AuditorError]:
    """Return every id, reference and scope-name problem of a manifest's data."""
    if not isinstance(document.data, dict):
        return []
    check = _ReferenceCheck(document, document.data)
    data_ids = check.unique_ids()["data"]
    check.data_references(data_ids)
    requested = check.unique_scopes()
    check.source_scopes(requested)
    check.use_cases(known_families)
    return check.errors


class _ReferenceCheck:
    """The checks of one manifest, in the order its errors are reported; each step adds to
    :attr:`errors`, so a manifest with several problems shows them all at once."""

    def __init__(self, document: YamlDocument, data: dict[str, Any]) -> None:
        self.document = document
        self.data = data
        self.errors: list[AuditorError] = []
        self.suggested = 0
        self.lists: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    def items(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        """The mappings of list ``key`` with their indexes, listed once per manifest (the id
        lists are read again when the references into them are checked)."""
        found = self.lists.get(key)
        if found is None:
            found = self.lists[key] = _items(self.data, key)
        return found

    def error(self, pointer: str, message: str) -> None:
        line, column = self.document.locate(pointer)
        self.errors.append(ManifestError(message, self.document.path, line, column))

    def list_place(self, key: str) -> str:
        return f"`{key}` (line {self.document.locate_key('/' + key)[0]})"

    def line_of(self, pointer: str) -> int:
        return self.document.locate(pointer)[0]

    def unique_ids(self) -> dict[str, dict[str, int]]:
        """Each id list's ids with the index first using them; a later repeat is an error."""
        ids: dict[str, dict[str, int]] = {}
        for key in ID_LISTS:
            seen: dict[str, int] = {}
            for index, item in self.items(key):
                ident = item.get("id")
                if not isinstance(ident, str):
                    continue
                if ident in seen:
                    first = seen[ident]
                    self.error(f"/{key}/{index}/id", f"duplicate id {ident!r} in {key}: {key}[{first}] (line "
                                                     f"{self.line_of(f'/{key}/{first}')}) already uses it")
                else:
                    seen[ident] = index
            ids[key] = seen
        return ids

    def data_references(self, data_ids: dict[str, int]) -> None:
        """Storage, transfers and human access name data elements that exist."""
        for key in DATA_REFERENCES:
            for index, item in self.items(key):
                targets = item.get("data")
                if not isinstance(targets, list):
                    continue
                for position, target in enumerate(targets):
                    if isinstance(target, str) and target not in data_ids:
                        self.error(f"/{key}/{index}/data/{position}",
                                   f"{dotted([key, index, 'data', position])} names data element {target!r}, "
                                   + self.no_such_data(target, data_ids))

    def no_such_data(self, target: str, data_ids: dict[str, int]) -> str:
        if "data" not in self.data:
            return "but the manifest has no `data` list to define it"
        self.suggested += 1
        near = suggestion(target, data_ids) if self.suggested <= MAX_SUGGESTIONS else ""
        return f"but no item of {self.list_place('data')} has that id{near}"

    def unique_scopes(self) -> dict[str, int]:
        """Each requested scope (canonical name) with its index; a second request is an error."""
        requested: dict[str, int] = {}
        for index, item in self.items("scopes"):
            scope = item.get("scope")
            if not isinstance(scope, str):
                continue
            name = _canonical_scope(scope)
            if name in requested:
                first = requested[name]
                self.error(f"/scopes/{index}/scope", f"scope {name} is requested twice: scopes[{first}] (line "
                                                     f"{self.line_of(f'/scopes/{first}')}) already names it")
            else:
                requested[name] = index
        return requested

    def source_scopes(self, requested: dict[str, int]) -> None:
        """A data element's source scopes are among the requested ones."""
        for index, item in self.items("data"):
            sources = item.get("source_scopes")
            if not isinstance(sources, list):
                continue
            for position, scope in enumerate(sources):
                if isinstance(scope, str) and _canonical_scope(scope) not in requested:
                    self.error(f"/data/{index}/source_scopes/{position}",
                               f"{dotted(['data', index, 'source_scopes', position])} names scope {scope!r}, "
                               f"which is not requested under {self.list_place('scopes')}")

    def use_cases(self, known_families: Callable[[], frozenset[str]]) -> None:
        """Each use case names a known API family, and no (api, use case) pair twice; the
        catalog's families are looked up only when a use case needs them."""
        declared: dict[tuple[str, str], int] = {}
        families: frozenset[str] | None = None
        for index, item in self.items("use_cases"):
            api, use_case = item.get("api"), item.get("use_case")
            if not isinstance(api, str):
                continue
            if families is None:
                families = _with_cross_api(known_families())
            if api not in families:
                self.error(f"/use_cases/{index}/api",
                           f"use_cases[{index}].api: {api!r} is not an API family of the scope catalog"
                           f"{suggestion(api, families)} (see `wsaudit scopes`)")
            if isinstance(use_case, str):
                if (api, use_case) in declared:
                    self.error(f"/use_cases/{index}", f"use case {use_case!r} of {api} is declared twice "
                                                      f"(first as use_cases[{declared[(api, use_case)]}])")
                declared.setdefault((api, use_case), index)
