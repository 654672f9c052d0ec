"""Rendering, writing and checking the committed catalog file."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from .curation import CatalogError
from .discovery import CLIENT_PACKAGE, PINNED_CLIENT_VERSION, installed_client_version
from .merge import build_catalog
from .methods import build_methods, render_methods

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "policies" / "scope-catalog.json"
DEFAULT_METHODS_OUTPUT = REPO_ROOT / "policies" / "api-methods.json"


def render(catalog: dict[str, Any]) -> str:
    """The catalog as committed: sorted keys, one-space indent, trailing newline."""
    return json.dumps(catalog, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _pinned_version() -> str:
    version = installed_client_version()
    if version != PINNED_CLIENT_VERSION:
        raise CatalogError(
            f"{CLIENT_PACKAGE} {version or '(not installed)'} is installed but the catalog is pinned to "
            f"{PINNED_CLIENT_VERSION}; run: pip install \"{CLIENT_PACKAGE}=={PINNED_CLIENT_VERSION}\" "
            "(or change PINNED_CLIENT_VERSION and review the curation)"
        )
    return version


def generate() -> str:
    """Build and render the catalog from the installed, pinned client package."""
    return render(build_catalog(client_version=_pinned_version()))


def generate_methods() -> str:
    """Build and render the method table (``api-methods.json``) from the same documents."""
    return render_methods(build_methods(client_version=_pinned_version()))


def _check(path: Path, text: str) -> bool:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current == text:
        print(f"{path.name} is up to date")
        return True
    diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1)
    print(f"{path.name} is out of date; run: python scripts/refresh_scope_catalog.py", file=sys.stderr)
    print("\n".join(list(diff)[:40]), file=sys.stderr)
    return False


def main(argv: list[str] | None = None) -> int:
    """Write the catalog, or with ``--check`` exit 1 when the committed file differs."""
    parser = argparse.ArgumentParser(description="Regenerate policies/scope-catalog.json from Google's discovery documents.")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the committed catalog differs from a fresh build")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the catalog lives")
    parser.add_argument("--methods-output", type=Path, default=DEFAULT_METHODS_OUTPUT,
                        help="where the method table (scopes that authorize each API method) lives")
    args = parser.parse_args(argv)
    try:
        text = generate()
        methods = generate_methods()
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        fresh = [_check(args.output, text), _check(args.methods_output, methods)]
        return 0 if all(fresh) else 1
    for path, content in ((args.output, text), (args.methods_output, methods)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    count = sum(len(api["methods"]) for api in json.loads(methods)["apis"])
    print(f"wrote {args.output.name} ({len(json.loads(text)['scopes'])} scopes) and {args.methods_output.name} ({count} methods)")
    return 0
