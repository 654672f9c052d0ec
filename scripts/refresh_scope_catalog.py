#!/usr/bin/env python3
"""Regenerate ``policies/scope-catalog.json`` from Google's discovery documents.

Inputs (no network is used):

* the discovery documents shipped inside the pinned ``google-api-python-client``
  (``googleapiclient/discovery_cache/documents/*.json``);
* the hand-curated facts in ``scripts/scope_curation.yaml``: classifications with the Google
  page that states them (or an explicit reasoning), narrower alternatives, scopes that no
  discovery document lists (add-on and Apps Script scopes), retired scopes, family overrides
  and description overrides.

Merge rules, in order of precedence (curated data always wins over the rules below it):

1. **Which documents.** Every discovery document is read. Documents are grouped per API; the
   Admin SDK documents (all named ``admin``) are told apart by their version prefix, so
   ``admin.directory``, ``admin.reports`` and ``admin.datatransfer`` are separate APIs. When an
   API ships several versions, the newest one (stable above beta above alpha, then by number)
   comes first: its description of a scope is the one kept. Scopes that only an older version
   still lists are kept too, so the catalog knows every scope the package mentions.
2. **Family** (``api``): a curated override, else the name rules in ``FAMILY_RULES`` (the name a
   scope carries decides, whichever document lists it), else, for a scope that only Workspace
   documents list, the family of that document, else the discovery name picked by
   ``_fallback_api``.
3. **Classification**: a curated group in the YAML (a Google page URL, or ``inferred`` with a
   reasoning written by a person). Every Workspace scope must be covered by one; the script
   fails otherwise. Scopes of other APIs that no group covers get the cheap heuristic in
   ``_heuristic_classification`` and are marked ``inferred`` with the rule's reasoning.
4. **Narrower alternatives**: the curated lists plus one generic rule: ``X.readonly`` (when it
   exists) is a narrower alternative of ``X``. Every referenced scope must exist, none may
   point at itself, and the relation must have no cycle.

Usage::

    python scripts/refresh_scope_catalog.py          # write the catalog
    python scripts/refresh_scope_catalog.py --check  # exit 1 when the committed file differs
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from auditor.scope_names import canonical_scope, short_scope  # noqa: E402

CLIENT_PACKAGE = "google-api-python-client"
PINNED_CLIENT_VERSION = "2.202.0"
CATALOG_VERSION = 1
DEFAULT_CURATION = SCRIPTS_DIR / "scope_curation.yaml"
DEFAULT_OUTPUT = REPO_ROOT / "policies" / "scope-catalog.json"

CLASSIFICATIONS = ("restricted", "sensitive", "non_sensitive")
STATUSES = ("active", "retired")
INFERRED = "inferred"

# Family ids of the Google Workspace APIs (plus the OpenID sign-in scopes).
WORKSPACE_FAMILIES = frozenset({
    "gmail", "drive", "driveactivity", "drivelabels", "calendar", "chat", "meet", "docs",
    "sheets", "slides", "forms", "tasks", "people", "keep", "classroom", "script",
    "admin_directory", "admin_reports", "admin_datatransfer", "licensing", "groupssettings",
    "cloudidentity", "vault", "alertcenter", "gmailpostmastertools", "openid",
})

# Discovery API names (see ``_api_name``) that belong to each Workspace family.
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


# The name a scope carries decides its family. Order matters: more specific rules first.
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
    ("script", _name_starts("script.")),
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

_VERSION_RE = re.compile(r"^v(\d+)(?:\.(\d+))?(?:p(\d+))?(?:(alpha|beta)(\d*))?$")
_STABILITY = {"alpha": 0, "beta": 1, None: 2}


class CatalogError(Exception):
    """The curated data and the discovery documents do not fit together."""


# --------------------------------------------------------------------------------------
# Discovery documents
# --------------------------------------------------------------------------------------


@dataclass
class DiscoveryDoc:
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


# --------------------------------------------------------------------------------------
# Curation
# --------------------------------------------------------------------------------------


@dataclass
class Entry:
    scope: str
    api: str = ""
    used_by: set[str] = field(default_factory=set)
    description: str = ""
    classification: str = ""
    classification_source: str = ""
    reasoning: str | None = None
    narrower: set[str] = field(default_factory=set)
    workspace: bool = False
    status: str = "active"
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "classification": self.classification,
            "classification_source": self.classification_source,
            "description": self.description,
            "narrower": sorted(self.narrower),
            "note": self.note,
            "reasoning": self.reasoning,
            "scope": self.scope,
            "short": short_scope(self.scope),
            "status": self.status,
            "used_by": sorted(self.used_by),
            "workspace": self.workspace,
        }


def load_curation(path: Path) -> dict[str, Any]:
    """The curated YAML document."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: expected a mapping at the top level")
    return data


def _full(scope: str) -> str:
    return canonical_scope(str(scope))


def _fallback_api(scope: str, apis: Iterable[str]) -> str:
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
    """Family id of a scope (see the module docstring, rule 2)."""
    if scope in overrides:
        return overrides[scope]
    short = short_scope(scope)
    for family, matches in FAMILY_RULES:
        if matches(short):
            return family
    workspace_listers = sorted(WORKSPACE_DISCOVERY_APIS[api] for api in used_by if api in WORKSPACE_DISCOVERY_APIS)
    if workspace_listers and len(workspace_listers) == len(used_by):
        return workspace_listers[0]
    return _fallback_api(scope, used_by)


_OWN_DATA_WORDS = ("its own", "created by this app", "created by the app", "this app created",
                   "the app created", "that this app creates")
_OWN_DATA_NAMES = ("appdata", "appfolder", "app.created")


def _heuristic_classification(entry: Entry) -> tuple[str, str]:
    """(classification, reasoning) for a scope no curated group covers (non-Workspace only)."""
    short = short_scope(entry.scope).lower()
    description = entry.description.lower()
    if any(name in short for name in _OWN_DATA_NAMES) or any(words in description for words in _OWN_DATA_WORDS):
        return "non_sensitive", (
            "Heuristic: the scope only reaches data the app itself created or stores for itself, "
            "which Google treats as non-sensitive for the comparable Workspace scopes "
            "(drive.appdata, drive.file, calendar.app.created); no Google classification of this scope was recorded."
        )
    return "sensitive", (
        "Heuristic: no Google classification of this non-Workspace scope was recorded; it grants "
        "access to private account, project or user data, which Google's definitions treat as "
        "sensitive, so it is assumed sensitive (never restricted without Google saying so)."
    )


def _check_known(scopes: Iterable[str], known: dict[str, Entry], where: str, problems: list[str]) -> None:
    for scope in scopes:
        if scope not in known:
            hint = difflib.get_close_matches(scope, list(known), n=1)
            suffix = f" (did you mean {hint[0]}?)" if hint else ""
            problems.append(f"{where}: {scope} is not in the catalog{suffix}")


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
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


# --------------------------------------------------------------------------------------
# Building the catalog
# --------------------------------------------------------------------------------------


def build_catalog(documents_dir: Path | None = None, curation_path: Path | None = None,
                  client_version: str | None = None) -> dict[str, Any]:
    """Build the catalog document (a JSON-ready dict) from the discovery documents and the curation."""
    documents_dir = documents_dir or default_documents_dir()
    curation = load_curation(curation_path or DEFAULT_CURATION)
    docs = read_discovery(documents_dir)
    if not docs:
        raise CatalogError(f"no discovery documents found in the {CLIENT_PACKAGE} package")

    pages: dict[str, str] = dict(curation.get("pages") or {})
    overrides = {_full(scope): family for scope, family in (curation.get("families") or {}).items()}
    problems: list[str] = []

    entries: dict[str, Entry] = {}
    for doc in docs:  # newest version of each API first, so its description wins
        for scope, description in sorted(doc.scopes.items()):
            entry = entries.setdefault(scope, Entry(scope=scope))
            entry.used_by.add(doc.api)
            if not entry.description and description:
                entry.description = description

    # Scopes no discovery document lists (add-ons, Apps Script, Meet media, aliases).
    for item in curation.get("extra_scopes") or []:
        scope = _full(item["scope"])
        if scope in entries:
            problems.append(f"extra_scopes: {scope} is already in a discovery document; drop it from the YAML")
            continue
        entries[scope] = Entry(scope=scope, description=item["description"])
        if item.get("api"):
            overrides.setdefault(scope, item["api"])

    # Retired scopes (some are still listed by old discovery documents).
    for item in curation.get("retired") or []:
        scope = _full(item["scope"])
        entry = entries.setdefault(scope, Entry(scope=scope))
        entry.status = "retired"
        entry.note = item["note"]
        if item.get("description"):
            entry.description = item["description"]
        if item.get("api"):
            overrides.setdefault(scope, item["api"])

    for scope, text in (curation.get("descriptions") or {}).items():
        scope = _full(scope)
        _check_known([scope], entries, "descriptions", problems)
        if scope in entries:
            entries[scope].description = text

    _check_known(overrides, entries, "families", problems)
    for entry in entries.values():
        entry.api = family_of(entry.scope, entry.used_by, overrides)
        entry.workspace = entry.api in WORKSPACE_FAMILIES
        if not entry.description:
            problems.append(f"{entry.scope}: no description (add one under descriptions:)")

    # Classifications.
    assigned: dict[str, str] = {}
    for index, group in enumerate(curation.get("classifications") or []):
        where = f"classifications[{index}]"
        classification = group.get("classification")
        if classification not in CLASSIFICATIONS:
            problems.append(f"{where}: classification must be one of {', '.join(CLASSIFICATIONS)}")
            continue
        page, reasoning = group.get("page"), group.get("reasoning")
        if bool(page) == bool(reasoning):
            problems.append(f"{where}: give exactly one of page (a Google page) or reasoning (inferred)")
            continue
        if page and page not in pages:
            problems.append(f"{where}: unknown page {page!r}")
            continue
        source = pages[page] if page else INFERRED
        members = [_full(scope) for scope in group.get("scopes") or []]
        _check_known(members, entries, where, problems)
        prefixes = tuple(group.get("prefixes") or ())
        if prefixes:
            prefixed = [scope for scope in sorted(entries) if short_scope(scope).startswith(prefixes)]
            if not prefixed:
                problems.append(f"{where}: no scope starts with {', '.join(prefixes)}")
            members += [scope for scope in prefixed if scope not in members]
        for scope in members:
            if scope not in entries:
                continue
            if scope in assigned:
                problems.append(f"{where}: {scope} is already classified by {assigned[scope]}")
                continue
            assigned[scope] = where
            entry = entries[scope]
            entry.classification = classification
            entry.classification_source = source
            entry.reasoning = " ".join(str(reasoning).split()) if reasoning else None

    for entry in entries.values():
        if entry.classification:
            continue
        if entry.workspace:
            problems.append(f"{entry.scope} ({entry.api}): Workspace scope without a curated classification")
            continue
        entry.classification, entry.reasoning = _heuristic_classification(entry)
        entry.classification_source = INFERRED

    # Narrower alternatives.
    for scope, targets in (curation.get("narrower") or {}).items():
        scope = _full(scope)
        full_targets = [_full(target) for target in targets]
        _check_known([scope], entries, "narrower", problems)
        _check_known(full_targets, entries, f"narrower of {scope}", problems)
        if scope in full_targets:
            problems.append(f"narrower of {scope}: a scope cannot be narrower than itself")
        if scope in entries:
            entries[scope].narrower.update(target for target in full_targets if target in entries and target != scope)
    for scope, entry in entries.items():
        readonly = scope + ".readonly"
        if "://" in scope and readonly in entries:
            entry.narrower.add(readonly)
    cycle = _find_cycle({scope: entry.narrower for scope, entry in entries.items()})
    if cycle:
        problems.append("narrower alternatives form a cycle: " + " -> ".join(cycle))

    if problems:
        raise CatalogError("the scope catalog cannot be built:\n  " + "\n  ".join(problems))

    used_pages = sorted({entry.classification_source for entry in entries.values()} - {INFERRED})
    return {
        "catalog_version": CATALOG_VERSION,
        "sources": {
            CLIENT_PACKAGE: client_version or PINNED_CLIENT_VERSION,
            "discovery": {doc.key: doc.revision for doc in docs},
            "classification_pages": sorted(set(used_pages) | set(pages.values())),
        },
        "scopes": [entries[scope].as_json() for scope in sorted(entries)],
    }


def render(catalog: dict[str, Any]) -> str:
    """The catalog as committed: sorted keys, one-space indent, trailing newline."""
    return json.dumps(catalog, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> str:
    """Build and render the catalog from the installed, pinned client package."""
    version = installed_client_version()
    if version != PINNED_CLIENT_VERSION:
        raise CatalogError(
            f"{CLIENT_PACKAGE} {version or '(not installed)'} is installed but the catalog is pinned to "
            f"{PINNED_CLIENT_VERSION}; run: pip install \"{CLIENT_PACKAGE}=={PINNED_CLIENT_VERSION}\" "
            "(or change PINNED_CLIENT_VERSION and review the curation)"
        )
    return render(build_catalog(client_version=version))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the committed catalog differs from a fresh build")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the catalog lives")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1)
            shown = list(diff)[:40]
            print("the scope catalog is out of date; run: python scripts/refresh_scope_catalog.py", file=sys.stderr)
            print("\n".join(shown), file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    count = text.count('"scope": ')
    print(f"wrote {args.output.name} ({count} scopes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
