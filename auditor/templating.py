"""Jinja2 environments for the templates in ``reports/templates/``.

HTML templates are autoescaped (every template name ending in ``.html`` or ``.html.j2``).
Markdown is rendered without HTML autoescaping; values that come from a manifest go through
the ``cell`` filter (inside a table cell) or the ``md`` filter (in running text).
"""

from __future__ import annotations

from functools import cache
from typing import Any


# Characters that can start Markdown or HTML constructs anywhere in a line: emphasis, code,
# links and images, tables, strikethrough, tags and entities.
_MARKDOWN_ESCAPES = {char: "\\" + char for char in "\\`*_[]()!|~{}"}
_MARKDOWN_ESCAPES.update({"<": "&lt;", ">": "&gt;", "&": "&amp;", "\r": " ", "\n": " "})
_MARKDOWN_TABLE = str.maketrans(_MARKDOWN_ESCAPES)


def escape_markdown_text(value: Any) -> str:
    """Make ``value`` inert in Markdown: no emphasis, links, images, HTML or table breaks.

    Safe both in running text and inside a table cell (line breaks become spaces); a
    leading ``#``, ``-``, ``+`` or ``1.`` cannot start a heading or a list either.
    """
    text = str(value).translate(_MARKDOWN_TABLE)
    if text[:1] in ("#", "-", "+"):
        text = "\\" + text
    else:
        digits = len(text) - len(text.lstrip("0123456789"))
        if digits and text[digits:digits + 1] in (".", ")"):
            text = text[:digits] + "\\" + text[digits:]
    return text


# Table cells need nothing more than running text does.
escape_markdown_cell = escape_markdown_text


@cache
def html_environment() -> Any:
    """The autoescaping environment for HTML templates."""
    import jinja2

    from auditor.resources import templates_dir

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "html.j2"), default_for_string=True,
                                            default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


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
    environment.filters["md"] = escape_markdown_text
    return environment
