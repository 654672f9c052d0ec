"""Render a disclosure document as Markdown or HTML in one language.

The templates (``reports/templates/disclosure.md.j2`` and ``disclosure.html.j2``) lay out
sections, paragraphs, lists and tables; every piece of text in them comes from a phrase said
by a :class:`~auditor.disclosure.i18n.Localizer`, which escapes manifest values for the
format. HTML goes through Jinja2's autoescaping as well.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from auditor.disclosure.document import build_document, build_in_product_document
from auditor.disclosure.layout import Document
from auditor.disclosure.i18n import Localizer, load_messages
from auditor.disclosure.model import Disclosure

FORMATS = {"markdown": "disclosure.md.j2", "html": "disclosure.html.j2"}

# A URL becomes a link only when it is plain http(s) with no character that could leave
# an attribute or a Markdown autolink; anything else (javascript://…) is shown as text.
_LINKABLE = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+")


class MarkdownOutput:
    """Markdown: manifest text made inert, messages kept as written (they hold no syntax)."""

    def escape(self, text: str) -> str:
        from auditor.reporters.templating import escape_markdown_text

        return escape_markdown_text(text)

    def fixed(self, text: str) -> str:
        return text

    def safe(self, text: str) -> str:
        return _Done(text)

    def is_safe(self, value: Any) -> bool:
        return isinstance(value, _Done)

    def link(self, url: str) -> str:
        if _LINKABLE.fullmatch(url) and "\\" not in url:
            return f"<{url}>"
        return self.escape(url)

    def foreign(self, text: str, language: str, document_language: str) -> str:
        return self.escape(text)

    def code(self, text: str) -> str:
        return self.escape(text)

    def verbatim(self, text: str) -> str:
        # Dotted version numbers and plain words cannot start Markdown syntax mid-sentence.
        return text if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.]*", text) else self.escape(text)


class _Done(str):
    """Markdown text that is already escaped."""


class HtmlOutput:
    """HTML: everything escaped; links only for plain http(s) URLs. Manifest text also
    shows its control and bidi characters as escapes, and sits in a ``<bdi>`` element so
    that right-to-left text in it cannot reorder the sentence around it."""

    def __init__(self) -> None:
        import markupsafe

        from auditor.model.text_safety import printable

        self._markup = markupsafe.Markup
        self._escape = markupsafe.escape
        self._printable = printable

    def _text(self, text: str) -> str:
        return str(self._escape(self._printable(text)))

    def escape(self, text: str) -> str:
        return f"<bdi>{self._text(text)}</bdi>"

    def fixed(self, text: str) -> str:
        return str(self._escape(text))

    def safe(self, text: str) -> Any:
        return self._markup(text)

    def is_safe(self, value: Any) -> bool:
        return isinstance(value, self._markup)

    def link(self, url: str) -> str:
        if _LINKABLE.fullmatch(url):
            return f'<a href="{self._text(url)}">{self._text(url)}</a>'
        return self.escape(url)

    def foreign(self, text: str, language: str, document_language: str) -> str:
        if language == document_language:
            return self.escape(text)
        # A dir attribute isolates the span as <bdi> does.
        return f'<span lang="{self._text(language)}" dir="auto">{self._text(text)}</span>'

    def code(self, text: str) -> str:
        return f"<code>{self.escape(text)}</code>"

    def verbatim(self, text: str) -> str:
        return self.escape(text)


def render_document(document: Document, output_format: str) -> str:
    """Render ``document`` with the template of ``output_format`` (``markdown`` or ``html``)."""
    from auditor.reporters.templating import html_environment, markdown_environment

    output: Any = HtmlOutput() if output_format == "html" else MarkdownOutput()
    messages = load_messages(document.language)
    say = Localizer(messages, output)
    environment = html_environment() if output_format == "html" else markdown_environment()
    template = environment.get_template(FORMATS[output_format])
    text = template.render(document=document, say=say,
                           cell_separator=output.safe(output.fixed(messages.cell_separator)))
    return text.rstrip("\n") + "\n"


def render_disclosure(disclosure: Disclosure, output_format: str = "markdown", language: str = "en",
                      in_product: bool = False, updated: datetime.date | None = None) -> str:
    """The disclosure of ``disclosure`` as text: the full page, or only the in-product text."""
    if in_product:
        document = build_in_product_document(disclosure, language)
    else:
        document = build_document(disclosure, language, updated)
    return render_document(document, output_format)
