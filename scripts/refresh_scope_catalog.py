#!/usr/bin/env python3
"""Regenerate ``policies/scope-catalog.json`` from Google's discovery documents.

Inputs (no network is used): the discovery documents shipped inside the pinned
``google-api-python-client`` and the hand-curated facts in ``scripts/scope_curation.yaml``
(each classification's Google source with a short quote, or the reasoning of an inferred one;
narrower scopes, alternatives, extra and retired scopes). The work is done by the
``scope_catalog`` package next to this file; see its modules for the merge rules.

Usage::

    python scripts/refresh_scope_catalog.py          # write the catalog
    python scripts/refresh_scope_catalog.py --check  # exit 1 when the committed file differs
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
for folder in (REPO_ROOT, SCRIPTS_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from scope_catalog import (  # noqa: E402
    CLIENT_PACKAGE,
    PINNED_CLIENT_VERSION,
    CatalogError,
    build_catalog,
    default_documents_dir,
    generate,
    main,
    render,
    version_key,
)

__all__ = ["CLIENT_PACKAGE", "PINNED_CLIENT_VERSION", "CatalogError", "build_catalog", "default_documents_dir", "generate", "main", "render", "version_key"]

if __name__ == "__main__":
    sys.exit(main())
