"""Which API family (``api``) a scope belongs to.

The name a scope carries decides (``FAMILY_RULES``), whichever document lists it; a curated
override wins over the rules; a scope no rule claims takes the family of the Workspace
document listing it, else the listing API whose name fits best (``fallback_api``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from auditor.catalog.scope_names import short_scope

# Family ids of the Google Workspace APIs (plus the OpenID sign-in scopes).
WORKSPACE_FAMILIES = frozenset({
    "gmail", "drive", "driveactivity", "drivelabels", "calendar", "chat", "meet", "docs",
    "sheets", "slides", "forms", "tasks", "people", "keep", "classroom", "script",
    "admin_directory", "admin_reports", "admin_datatransfer", "licensing", "groupssettings",
    "cloudidentity", "vault", "alertcenter", "gmailpostmastertools", "openid",
})

# Discovery API names (see ``discovery._api_name``) that belong to each Workspace family.
WORKSPACE_DISCOVERY_APIS = {
    "gmail": "gmail", "drive": "drive", "driveactivity": "driveactivity",
    "drivelabels": "drivelabels", "calendar": "calendar", "chat": "chat", "meet": "meet",
    "docs": "docs", "sheets": "sheets", "slides": "slides", "forms": "forms", "tasks": "tasks",
    "people": "people", "keep": "keep", "classroom": "classroom", "script": "script",
    "admin.directory": "admin_directory", "admin.reports": "admin_reports",
    "admin.datatransfer": "admin_datatransfer", "licensing": "licensing",
    "groupssettings": "groupssettings", "cloudidentity": "cloudidentity", "vault": "vault",
    "alertcenter": "alertcenter", "gmailpostmastertools": "gmailpostmastertools",
    "oauth2": "openid",
}


def _name_is(*names: str):
    return lambda short: short in names


def _name_starts(*prefixes: str):
    return lambda short: short.startswith(prefixes)


def _name_is_or_starts(*names: str):
    return lambda short: short in names or short.startswith(tuple(name + "." for name in names))


# Order matters: more specific rules first.
FAMILY_RULES: tuple[tuple[str, Any], ...] = (
    ("openid", _name_is("openid", "email", "profile")),
    ("gmail", lambda short: short == "https://mail.google.com/" or short.startswith("gmail.")),
    ("driveactivity", _name_is_or_starts("drive.activity")),
    ("drivelabels", _name_is_or_starts("drive.labels", "drive.admin.labels")),
    ("drive", _name_is_or_starts("drive")),
    ("calendar", _name_is_or_starts("calendar")),
    ("chat", _name_starts("chat.")),
    ("meet", _name_starts("meetings.")),
    ("docs", _name_is_or_starts("documents")),
    ("sheets", _name_is_or_starts("spreadsheets")),
    ("slides", _name_is_or_starts("presentations")),
    ("forms", _name_is_or_starts("forms")),
    ("tasks", _name_is_or_starts("tasks")),
    ("people", lambda short: short in ("contacts", "directory.readonly")
     or short.startswith("contacts.") or re.fullmatch(r"user\.[a-z]+\.read", short) is not None),
    ("keep", _name_is_or_starts("keep")),
    ("classroom", _name_starts("classroom.")),
    ("script", _name_starts("script.", "workspace.")),
    ("admin_directory", _name_starts("admin.directory.")),
    ("admin_reports", _name_starts("admin.reports.")),
    ("admin_datatransfer", _name_is_or_starts("admin.datatransfer")),
    ("licensing", _name_is("apps.licensing")),
    ("groupssettings", _name_is("apps.groups.settings")),
    ("cloudidentity", _name_starts("cloud-identity")),
    ("vault", _name_is_or_starts("ediscovery")),
    ("alertcenter", _name_is("apps.alerts")),
    ("gmailpostmastertools", _name_is_or_starts("postmaster")),
)


def fallback_api(scope: str, apis: Iterable[str]) -> str:
    """Family of a scope no name rule claims: the listing API whose name fits the scope best.

    The scope's short form, with separators removed, is compared with each listing API's
    name: the longest common leading part wins (at least three letters), ties go to the
    shorter API name, then alphabetical order; with no such match, the alphabetically first
    listing API is used.
    """
    candidates = sorted(apis)
    if not candidates:
        return ""
    short = short_scope(scope)
    if "://" in short:
        short = short.split("://", 1)[1].partition("/")[2] or short
    squashed = re.sub(r"[^a-z0-9]", "", short.lower())

    def common(api: str) -> int:
        name = api.split(".")[0].lower()
        length = 0
        for left, right in zip(name, squashed):
            if left != right:
                break
            length += 1
        return length

    best = max(common(api) for api in candidates)
    if best < 3:
        return candidates[0]
    return sorted((api for api in candidates if common(api) == best), key=lambda api: (len(api), api))[0]


def family_of(scope: str, used_by: set[str], overrides: dict[str, str]) -> str:
    """Family id of a scope (see the module docstring)."""
    if scope in overrides:
        return overrides[scope]
    short = short_scope(scope)
    for family, matches in FAMILY_RULES:
        if matches(short):
            return family
    workspace_listers = sorted(WORKSPACE_DISCOVERY_APIS[api] for api in used_by if api in WORKSPACE_DISCOVERY_APIS)
    if workspace_listers and len(workspace_listers) == len(used_by):
        return workspace_listers[0]
    return fallback_api(scope, used_by)
