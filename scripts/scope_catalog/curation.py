"""The hand-curated facts (``scripts/scope_curation.yaml``) and the catalog entry they shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.catalog.scope_names import canonical_scope, short_scope

INFERRED = "inferred"
CLASSIFICATIONS = ("restricted", "sensitive", "non_sensitive")

# Kinds of Google statement a classification can rest on, strongest first. A per-API page
# (or Google's blanket statement about one API, such as "all Google Fit API scopes are
# Restricted") outranks Google's restricted-scope list on its OAuth help pages, which
# outranks the lists shipped in Google's developer tools, which outrank the policy's own
# definition of restricted scopes.
SOURCE_KINDS = ("api_page", "restricted_list", "developer_tools_list", "policy_definition")


class CatalogError(Exception):
    """The curated data and the discovery documents do not fit together."""


@dataclass(frozen=True)
class Source:
    """A Google page (or Google's own scope list) that states classifications."""

    name: str
    url: str
    kind: str


@dataclass
class Entry:
    """One scope while the catalog is being built (mutable; frozen in the JSON output)."""

    scope: str
    api: str = ""
    used_by: set[str] = field(default_factory=set)
    description: str = ""
    description_source: str | None = None
    classification: str = ""
    classification_source: str = ""
    classification_quote: str | None = None
    reasoning: str | None = None
    narrower: set[str] = field(default_factory=set)
    alternatives: dict[str, str] = field(default_factory=dict)
    replaced_by: list[str] = field(default_factory=list)
    workspace: bool = False
    status: str = "active"
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "alternatives": [{"scope": scope, "trade": self.alternatives[scope]} for scope in sorted(self.alternatives)],
            "api": self.api,
            "classification": self.classification,
            "classification_quote": self.classification_quote,
            "classification_source": self.classification_source,
            "description": self.description,
            "description_source": self.description_source,
            "narrower": sorted(self.narrower),
            "note": self.note,
            "reasoning": self.reasoning,
            "replaced_by": list(self.replaced_by),
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


def load_sources(curation: dict[str, Any], problems: list[str]) -> dict[str, Source]:
    """The ``sources`` section: name -> Source (problems are collected, not raised)."""
    sources: dict[str, Source] = {}
    for name, item in (curation.get("sources") or {}).items():
        if not isinstance(item, dict) or not str(item.get("url", "")).startswith("https://"):
            problems.append(f"sources.{name}: needs an https url")
            continue
        if item.get("kind") not in SOURCE_KINDS:
            problems.append(f"sources.{name}: kind must be one of {', '.join(SOURCE_KINDS)}")
            continue
        sources[name] = Source(name=name, url=item["url"], kind=item["kind"])
    return sources


def full_scope(scope: str) -> str:
    return canonical_scope(str(scope))


def clean_text(text: Any) -> str:
    """Text from the YAML on one line (folded blocks keep no line breaks)."""
    return " ".join(str(text).split())


_OWN_DATA_WORDS = ("its own", "created by this app", "created by the app", "this app created",
                   "the app created", "that this app creates")
_OWN_DATA_NAMES = ("appdata", "appfolder", "app.created")


def heuristic_classification(entry: Entry) -> tuple[str, str]:
    """(classification, reasoning) for a scope no curated group covers (non-Workspace only)."""
    short = short_scope(entry.scope).lower()
    description = entry.description.lower()
    if any(name in short for name in _OWN_DATA_NAMES) or any(words in description for words in _OWN_DATA_WORDS):
        return "non_sensitive", (
            "Heuristic: the scope only reaches data the app itself created or stores for itself, "
            "which Google treats as non-sensitive for the comparable Workspace scopes "
            "(drive.appdata, drive.file); no Google classification of this scope was recorded."
        )
    return "sensitive", (
        "Heuristic: no Google classification of this non-Workspace scope was recorded; it grants "
        "access to private account, project or user data, which Google's definitions treat as "
        "sensitive, so it is assumed sensitive (never restricted without Google saying so)."
    )
