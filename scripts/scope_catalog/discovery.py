"""Reading the discovery documents shipped inside the pinned ``google-api-python-client``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .curation import CatalogError

CLIENT_PACKAGE = "google-api-python-client"
PINNED_CLIENT_VERSION = "2.202.0"

_VERSION_RE = re.compile(r"^v(\d+)(?:\.(\d+))?(?:p(\d+))?(?:(alpha|beta)(\d*))?$")
_STABILITY = {"alpha": 0, "beta": 1, None: 2}


@dataclass
class DiscoveryDoc:
    """The scopes one discovery document lists, with what identifies the document."""

    api: str          # API name used in ``used_by`` (``gmail``, ``admin.directory``, …)
    key: str          # recorded source key (``gmail.v1``, ``admin.directory_v1``, …)
    version: str
    revision: str
    scopes: dict[str, str]


def installed_client_version() -> str | None:
    """Version of the installed ``google-api-python-client``, or ``None``."""
    from importlib import metadata

    try:
        return metadata.version(CLIENT_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def default_documents_dir() -> Path:
    """The discovery documents folder of the installed client package."""
    import importlib.util

    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        raise CatalogError(
            f"{CLIENT_PACKAGE} is not installed; run: pip install \"{CLIENT_PACKAGE}=={PINNED_CLIENT_VERSION}\""
        )
    return Path(next(iter(spec.submodule_search_locations))) / "discovery_cache" / "documents"


def _api_name(name: str, version: str) -> tuple[str, str]:
    """(API name, version) of a document; the Admin SDK parts share the name ``admin``."""
    if "_" in version:
        part, _, rest = version.partition("_")
        return f"{name}.{part}", rest
    return name, version


def version_key(version: str) -> tuple:
    """Sort key of an API version: higher means newer (stable > beta > alpha, then numbers)."""
    match = _VERSION_RE.match(version)
    if not match:
        return (-1, -1, -1, -1, -1, version)
    major, minor, patch, stage, stage_number = match.groups()
    return (int(major), _STABILITY[stage], int(minor or 0), int(patch or 0),
            int(stage_number or 0), version)


def read_discovery(documents_dir: Path) -> list[DiscoveryDoc]:
    """Every discovery document of the folder, one per (API, version), newest version first."""
    found: dict[tuple[str, str], DiscoveryDoc] = {}
    for path in sorted(documents_dir.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "name" not in document or "version" not in document:
            continue  # the index file
        api, version = _api_name(document["name"], document["version"])
        scopes = document.get("auth", {}).get("oauth2", {}).get("scopes", {})
        doc = DiscoveryDoc(
            api=api,
            key=f"{document['name']}.{document['version']}",
            version=version,
            revision=str(document.get("revision", "")),
            scopes={scope: " ".join(str(info.get("description", "")).split()) for scope, info in scopes.items()},
        )
        # The package ships some documents twice under two file names; keep the newest revision.
        previous = found.get((api, version))
        if previous is None or (doc.revision, doc.key) > (previous.revision, previous.key):
            found[(api, version)] = doc
    by_api: dict[str, list[DiscoveryDoc]] = {}
    for doc in found.values():
        by_api.setdefault(doc.api, []).append(doc)
    ordered: list[DiscoveryDoc] = []
    for api in sorted(by_api):
        ordered += sorted(by_api[api], key=lambda doc: version_key(doc.version), reverse=True)
    return ordered
