"""Jinja2 environments for the templates in ``reports/templates/``.

Markdown is rendered without HTML autoescaping; values that come from a manifest are escaped
by the ``md`` filter where a template places them.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def escape_markdown_cell(value: Any) -> str:
    """Make ``value`` safe inside a Markdown table cell: no pipes, HTML or line breaks."""
    text = str(value)
    for char, replacement in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("\r", " "), ("\n", " ")):
        text = text.replace(char, replacement)
    return text


@cache
def markdown_environment() -> Any:
    import jinja2

    from auditor.resources import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["cell"] = escape_markdown_cell
    return environment
