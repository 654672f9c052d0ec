"""Jinja2 environments for the templates in ``reports/templates/``.

HTML templates are autoescaped (every template name ending in ``.html`` or ``.html.j2``).
Markdown is rendered without HTML autoescaping; values that come from a manifest go through
the ``cell`` filter (inside a table cell) or the ``md`` filter (in running text).
"""

from __future__ import annotations

from functools import cache
from typing import Any


def escape_markdown_cell(value: Any) -> str:
    """Make ``value`` safe inside a Markdown table cell: no pipes, HTML or line breaks."""
    text = str(value)
    for char, replacement in (("\\", "\\\\"), ("&", "&amp;"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"),
                              ("\r", " "), ("\n", " ")):
        text = text.replace(char, replacement)
    return text


_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|~"


def escape_markdown_text(value: Any) -> str:
    """Make ``value`` inert in Markdown running text: no emphasis, links, images, HTML."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    out = []
    for char in text:
        if char in _MARKDOWN_SPECIAL:
            out.append("\\" + char)
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif char == "&":
            out.append("&amp;")
        else:
            out.append(char)
    return "".join(out)


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
