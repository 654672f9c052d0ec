"""What ``wsaudit init`` starts a manifest from: scopes given on the command line, an Apps
Script project file, and the Google API calls found in the app's code.

Each source is read here into a value; :mod:`auditor.manifest.starter` renders the starter
manifest from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.facts import SIGN_IN_SCOPES
from auditor.model.errors import ManifestError


@dataclass(frozen=True)
class AppsScriptProject:
    """What an Apps Script project file (``appsscript.json``) says that a manifest needs."""

    path: str
    scopes: tuple[str, ...]
    app_type: str | None
    url_fetch_whitelist: tuple[str, ...]


@dataclass(frozen=True)
class CodeScopes:
    """What ``--from-code`` found: the least-privileged scopes that authorize every Google API
    call in the code, each with the calls it is chosen for (``method (file:line)``), plus the
    sign-in scopes the code names; ``notes`` tell the user what the starter leaves out."""

    paths: tuple[str, ...]
    scopes: tuple[tuple[str, tuple[str, ...]], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StarterInput:
    """Everything ``wsaudit init`` was told."""

    scopes: tuple[str, ...] = ()
    name: str | None = None
    developer: str | None = None
    app_type: str | None = None
    apps_script: AppsScriptProject | None = None
    code: CodeScopes | None = None


def read_code_scopes(paths: tuple[str, ...], catalog: ScopeCatalog, max_bytes: int) -> CodeScopes:
    """Scan the code below ``paths`` and choose its least-privileged scopes (see :class:`CodeScopes`).

    A scope string the code names that the calls do not need is left out and noted (the
    point of starting from the calls); a sign-in scope (openid, email, profile) is kept,
    since no API call needs it but signing in does.
    """
    from auditor.scan.drift import least_privilege, scan_code
    from auditor.catalog.scope_names import short_scope

    scan = scan_code(paths, catalog, max_bytes)
    least = least_privilege(scan, [], catalog)
    chosen = list(least.needed.scopes) if least else []
    calls: dict[str, list[str]] = {scope: [] for scope in chosen}
    for need in (least.needs if least else ()):
        picked = sorted(need.options & set(chosen))
        if picked:
            calls[picked[0]].append(f"{need.call.method} ({scan.relative_path(need.call.path)}:{need.call.line})")
    found: list[tuple[str, tuple[str, ...]]] = [(scope, tuple(calls[scope])) for scope in chosen]
    notes: list[str] = []
    named: dict[str, list[str]] = {}
    for use in scan.uses:
        named.setdefault(use.scope, []).append(f"{scan.relative_path(use.path)}:{use.line}")
    for scope in sorted(named):
        if scope in calls:
            continue
        if scope in SIGN_IN_SCOPES:
            found.append((scope, tuple(f"named at {place}" for place in named[scope])))
        else:
            notes.append(f"the code asks for {short_scope(scope)} at {', '.join(named[scope][:3])}, which no call "
                         "found needs: left out (add it with --scope if a feature needs it)")
    if least is None:
        notes.append(f"no Google API call found in {', '.join(paths)}")
    elif not least.needed.exact:
        notes.append("too many calls for an exact search: the scopes are a close, not the least, set")
    if scan.unresolved:
        notes.append(f"{len(scan.unresolved)} call(s) on a Google client matched no API method "
                     "(`wsaudit scan-code` lists them): their scopes are not included")
    return CodeScopes(tuple(paths), tuple(found), tuple(notes))


def read_apps_script(path: str) -> AppsScriptProject:
    """Read ``oauthScopes``, the kind of project and its URL fetch allow-list."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ManifestError("no such file", path) from None
    except OSError as exc:
        raise ManifestError(f"cannot read the file: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError:
        raise ManifestError("the file is not valid UTF-8", path) from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    if not isinstance(document, dict):
        raise ManifestError("an Apps Script manifest is a JSON object", path, 1, 1)
    scopes = document.get("oauthScopes", [])
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise ManifestError("oauthScopes must be a list of scope URLs", path)
    allowed = document.get("urlFetchWhitelist", [])
    if not isinstance(allowed, list):
        allowed = []
    if "addOns" in document:
        app_type = "workspace_addon"
    elif "chat" in document:
        app_type = "chat_app"
    elif "webapp" in document:
        app_type = "web"
    else:
        app_type = None
    return AppsScriptProject(path, tuple(scopes), app_type, tuple(str(url) for url in allowed))
