"""Report renderers: one module per format, all rendering the same :class:`Report`.

A renderer is ``render(report, out, options)``: it writes to a text stream. The registry maps
each format name to the module that implements it; modules are imported only when used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:
    # Only named in annotations: the command line imports this registry to list the
    # formats in its options, and must not pay for the result model to show its help.
    from auditor.model.report import Report


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour and passes for text; the run's gate for verdicts."""

    color: bool = False
    verbose: bool = False
    fail_on: str = "high"
    strict: bool = False
    # Text output: only what fails; and the terminal's width to fit lines to (None: any).
    quiet: bool = False
    width: int | None = None


Renderer = Callable[["Report", TextIO, RenderOptions], None]

FORMATS: dict[str, str] = {
    "text": "auditor.reporters.text",
    "json": "auditor.reporters.json_report",
    "markdown": "auditor.reporters.markdown",
    "html": "auditor.reporters.html",
    "sarif": "auditor.reporters.sarif",
    "junit": "auditor.reporters.junit",
}


def renderer(name: str) -> Renderer:
    """The render function of format ``name`` (a key of :data:`FORMATS`)."""
    return importlib.import_module(FORMATS[name]).render
