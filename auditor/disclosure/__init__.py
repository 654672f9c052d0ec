"""Privacy disclosures generated from an app manifest (``wsaudit disclose``).

:func:`build_disclosure` works out what may be said from the manifest and the scope catalog
(:mod:`~auditor.disclosure.build`); :func:`render_disclosure` lays it out and words it in one
language (:mod:`~auditor.disclosure.document`, :mod:`~auditor.disclosure.i18n`) as Markdown or
HTML (:mod:`~auditor.disclosure.render`). :mod:`~auditor.disclosure.guard` runs the policy
audit whose failures the command reports.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_disclosure", "render_disclosure"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that reading one module of the package (the language list
    # that `wsaudit disclose --help` shows) does not load the policy facts and Jinja2.
    if name == "build_disclosure":
        from auditor.disclosure.build import build_disclosure

        return build_disclosure
    if name == "render_disclosure":
        from auditor.disclosure.render import render_disclosure

        return render_disclosure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
