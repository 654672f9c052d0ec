"""App manifests: find them, read them, and check them against the v1 contract."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from auditor.model.collector import cycle_collection_paused
from auditor.model.errors import AuditorError, ManifestError, ErrorList
from auditor.resources import schemas_dir
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES
from auditor.manifest.yaml_source import Position, YamlDocument, load_yaml_file

if TYPE_CHECKING:
    from auditor.manifest.model import ManifestModel

SUPPORTED_VERSION = 1
MANIFEST_SUFFIXES = (".yaml", ".yml")


@cache
def manifest_schema_path() -> Path:
    # One Path for the process: the schema's compiled checks are cached by it, and each
    # manifest would otherwise build (and hash) a new one.
    return schemas_dir() / "manifest-v1.schema.json"


@dataclass(frozen=True)
class Manifest:
    """A manifest that passed every structural check, with its position index."""

    document: YamlDocument

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    @property
    def app_name(self) -> str:
        return str(self.data["app"]["name"])

    @cached_property
    def model(self) -> ManifestModel:
        """The typed model of the data, read once on first use (a manifest only exists
        once it passed validation, which the model relies on)."""
        from auditor.manifest.model import ManifestModel

        return ManifestModel.from_data(self.data)

    def locate(self, pointer: str) -> Position:
        return self.document.locate(pointer)


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Yield the manifest files named by ``paths`` (files as given; folders searched).

    A folder contributes every ``*.yaml`` / ``*.yml`` below it, in sorted order, skipping
    hidden files and folders. A path that does not exist, or a folder with no manifest,
    is an error: a typo in a CI job must not turn into a silent pass.
    """
    for given in paths:
        if os.path.isdir(given):
            found = sorted(_walk(given))
            if not found:
                raise ManifestError("no *.yaml or *.yml manifest in this folder", given)
            yield from found
        elif os.path.exists(given) or given == "-":
            yield given
        else:
            raise ManifestError("no such file or folder", given)


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if name.endswith(MANIFEST_SUFFIXES) and not name.startswith("."):
                path = os.path.join(root, name)
                yield path.replace(os.sep, "/")


def _check_version(document: YamlDocument) -> None:
    data = document.data
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise ManifestError(
            f"the top level of a manifest must be a mapping of keys (manifest_version, app, scopes, …), found {found}",
            document.path, 1, 1,
        )
    if "manifest_version" not in data:
        raise ManifestError(
            f"missing manifest_version (this wsaudit reads manifest_version: {SUPPORTED_VERSION})",
            document.path, 1, 1,
        )
    version = data["manifest_version"]
    if version != SUPPORTED_VERSION or isinstance(version, bool) or not isinstance(version, int):
        line, column = document.locate("/manifest_version")
        raise ManifestError(
            f"unsupported manifest_version {version!r}; this wsaudit reads manifest_version: {SUPPORTED_VERSION}",
            document.path, line, column,
            hint="upgrade workspace-auditor if the manifest was written for a newer version",
        )


def check_manifest(document: YamlDocument) -> list[AuditorError]:
    """Every schema and cross-reference error of a parsed manifest (empty when valid)."""
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.references import check_references
    from auditor.manifest.schema_check import check_against_schema

    _check_version(document)
    errors = check_against_schema(document, manifest_schema_path(), ManifestError)
    errors += check_references(document, lambda: ScopeCatalog.load().families())
    return sorted(errors, key=AuditorError.sort_key)


def load_manifest(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Manifest:
    """Read, parse and check one manifest; raises :class:`ErrorList` listing every problem."""
    if path == "-":
        import sys

        return load_manifest_bytes(sys.stdin.buffer.read(max_bytes + 1), "<stdin>", max_bytes)
    with cycle_collection_paused():
        return _checked(load_yaml_file(path, max_bytes))


def load_manifest_bytes(raw: bytes, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Manifest:
    """Check a manifest given as bytes (standard input, a file at a git revision)."""
    from auditor.manifest.file_reading import decode_bytes
    from auditor.manifest.yaml_source import parse_yaml

    with cycle_collection_paused():
        return _checked(parse_yaml(decode_bytes(raw, display, max_bytes), display))


def _checked(document: YamlDocument) -> Manifest:
    errors = check_manifest(document)
    if errors:
        raise ErrorList(errors)
    return Manifest(document)
