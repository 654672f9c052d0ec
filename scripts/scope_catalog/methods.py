"""The method table ``policies/api-methods.json``: which scopes authorize each Workspace API method.

Read from the same pinned discovery documents as the scope catalog, so the two always agree.
For every Workspace API and version (and the few of ``OTHER_WORKSPACE_APIS``): the service's
base URL (``rootUrl`` + ``servicePath``) and, for each method, its place in the resource tree
(``users.messages.list``, the chain a client library spells), its discovery id, HTTP verb,
path template(s), the scopes that authorize it and whether it can return the content itself
(``supportsMediaDownload``). Scope URLs are written once per API and referred to by index,
which keeps the file small enough to ship in the wheel and to load in a few milliseconds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .discovery import CLIENT_PACKAGE, PINNED_CLIENT_VERSION, _api_name, default_documents_dir
from .families import WORKSPACE_DISCOVERY_APIS

METHODS_VERSION = 1

# Google Workspace APIs whose scopes the catalog does not count in a Workspace family (each
# scope keeps the family the catalog gives it; the table files the API under its own name),
# but whose calls an app's code makes all the same: the Reseller API of Workspace
# subscriptions, the Groups Migration API and Cloud Search. Listed so that their calls are
# read and their scopes required; without them a scan dropped the calls. The Workspace Events
# API is left out: any Chat, Meet or Drive scope authorizes its methods in discovery, but
# which one a subscription needs depends on its target and event types, which the method's
# scopes do not say.
OTHER_WORKSPACE_APIS = {"reseller": "reseller", "groupsmigration": "groupsmigration", "cloudsearch": "cloudsearch"}
_TABLE_APIS = {**WORKSPACE_DISCOVERY_APIS, **OTHER_WORKSPACE_APIS}


def _walk(resource: dict[str, Any], prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every method below ``resource`` with its resource path, in sorted order."""
    found: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    for name, method in sorted((resource.get("methods") or {}).items()):
        found.append((prefix + (name,), method))
    for name, child in sorted((resource.get("resources") or {}).items()):
        found.extend(_walk(child, prefix + (name,)))
    return found


def _paths(method: dict[str, Any]) -> list[str]:
    """Path templates a raw HTTP call may use: the flat path (literal segments, as a URL reads),
    the expanded one when it differs, and the simple media-upload path."""
    paths: list[str] = []
    for candidate in (method.get("flatPath"), method.get("path"),
                      ((method.get("mediaUpload") or {}).get("protocols") or {}).get("simple", {}).get("path")):
        if candidate and candidate not in paths:
            paths.append(candidate)
    return paths


def _api_entry(document: dict[str, Any], family: str) -> dict[str, Any]:
    scopes: list[str] = sorted({scope for _, method in _walk(document, ()) for scope in method.get("scopes") or ()})
    index = {scope: position for position, scope in enumerate(scopes)}
    methods = {}
    for path, method in _walk(document, ()):
        if not method.get("id"):
            continue
        methods[".".join(path)] = {
            "id": method["id"],
            "verb": method.get("httpMethod", "GET"),
            "paths": _paths(method),
            "scopes": sorted(index[scope] for scope in method.get("scopes") or ()),
        }
        if method.get("supportsMediaDownload"):
            # The method can return the content itself (`alt=media`): the Python client adds
            # a `<method>_media` twin for it, other clients a download call on the request.
            methods[".".join(path)]["media_download"] = True
    return {
        "name": document["name"],
        "version": document["version"],
        "family": family,
        "root": document.get("rootUrl", ""),
        "service_path": document.get("servicePath", ""),
        "revision": str(document.get("revision", "")),
        "scopes": scopes,
        "methods": methods,
    }


def build_methods(documents_dir: Path | None = None, client_version: str | None = None) -> dict[str, Any]:
    """The method table (a JSON-ready dict) of every Workspace API in the discovery documents."""
    documents_dir = documents_dir or default_documents_dir()
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(documents_dir.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "name" not in document or "version" not in document:
            continue
        api, _ = _api_name(document["name"], document["version"])
        if api not in _TABLE_APIS:
            continue
        key = (document["name"], document["version"])
        previous = chosen.get(key)
        # Some documents ship twice under two file names: keep the newest revision.
        if previous is None or str(document.get("revision", "")) > str(previous.get("revision", "")):
            chosen[key] = document
    apis = [_api_entry(chosen[key], _TABLE_APIS[_api_name(*key)[0]]) for key in sorted(chosen)]
    return {
        "methods_version": METHODS_VERSION,
        "source": {CLIENT_PACKAGE: client_version or PINNED_CLIENT_VERSION},
        "apis": apis,
    }


def render_methods(table: dict[str, Any]) -> str:
    """The table as committed: one API per line block, sorted keys, trailing newline."""
    lines = ["{"]
    lines.append(f' "methods_version": {json.dumps(table["methods_version"])},')
    lines.append(f' "source": {json.dumps(table["source"], sort_keys=True)},')
    lines.append(' "apis": [')
    for position, api in enumerate(table["apis"]):
        head = {key: value for key, value in api.items() if key != "methods"}
        body = json.dumps(head, sort_keys=True, ensure_ascii=False)[:-1]
        methods = ",\n".join(f"   {json.dumps(name)}: {json.dumps(method, sort_keys=True, ensure_ascii=False)}"
                             for name, method in sorted(api["methods"].items()))
        lines.append(f"  {body}, \"methods\": {{\n{methods}\n  }}}}" + ("," if position < len(table["apis"]) - 1 else ""))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"
