"""Build ``policies/scope-catalog.json`` from Google's discovery documents and curated facts.

Modules, in the order the data flows:

* ``discovery`` reads the discovery documents of the pinned ``google-api-python-client``;
* ``families`` decides which API family (``gmail``, ``drive``, …) a scope belongs to;
* ``curation`` reads ``scripts/scope_curation.yaml`` (sources, classifications, alternatives);
* ``merge`` joins both into catalog entries;
* ``checks`` rejects curated data that does not fit (unknown scopes, cycles, missing quotes);
* ``output`` renders the JSON, writes it or compares it with the committed file.

``scripts/refresh_scope_catalog.py`` is the command-line entry point.
"""

from __future__ import annotations

from .curation import CatalogError
from .discovery import CLIENT_PACKAGE, PINNED_CLIENT_VERSION, default_documents_dir, version_key
from .merge import build_catalog
from .output import generate, main, render

__all__ = ["CLIENT_PACKAGE", "PINNED_CLIENT_VERSION", "CatalogError", "build_catalog", "default_documents_dir", "generate", "main", "render", "version_key"]
