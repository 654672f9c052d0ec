"""Helpers for the disclosure tests: render in-process, read output back as text and tables."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import build_disclosure
from auditor.disclosure.i18n import load_messages
from auditor.disclosure.model import Disclosure
from auditor.disclosure.render import render_disclosure
from auditor.manifest.load import load_manifest

from tests.helpers import EXAMPLES

EXAMPLE_PATHS = sorted(EXAMPLES.glob("*.yaml"))
LANGUAGES = ("en", "fr")
FORMATS = ("markdown", "html")


def example_ids() -> list[str]:
    return [path.stem for path in EXAMPLE_PATHS]


def disclosure_of(path: Path | str) -> Disclosure:
    return build_disclosure(load_manifest(str(path)).model, ScopeCatalog.load())


def render(path: Path | str, output_format: str, language: str, in_product: bool = False) -> str:
    return render_disclosure(disclosure_of(path), output_format, language, in_product=in_product)


def message(language: str, key: str, **values: Any) -> str:
    """A message with plain-text values filled in, as a reader sees it."""
    text = load_messages(language).text(key)
    for name, value in values.items():
        # A value that ends a sentence itself ("Example Inc.") takes no second full stop.
        if str(value).endswith("."):
            text = text.replace("{" + name + "}.", "{" + name + "}")
        text = text.replace("{" + name + "}", str(value))
    return text


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


@dataclass
class Page:
    """What a reader sees: all text, tables as rows of cell texts, sections by id, links."""

    text: str = ""
    tables: list[list[list[str]]] = field(default_factory=list)
    table_ids: list[str | None] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)

    def tables_headed(self, first_column: str) -> list[list[list[str]]]:
        """The tables whose first header cell is ``first_column``."""
        return [table for table in self.tables if table and table[0] and table[0][0] == first_column]

    def rows_with(self, needle: str) -> list[list[str]]:
        return [row for table in self.tables for row in table if any(needle in cell for cell in row)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._chunks: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._heading: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.add(tag)
        if tag in ("style", "title", "script"):
            self._skip += 1
        elif tag == "table":
            self.page.tables.append([])
            self.page.table_ids.append(dict(attrs).get("id"))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("h1", "h2", "h3"):
            self._heading = []
        elif tag == "a":
            self.page.links.append(dict(attrs).get("href") or "")
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "br", "tr"):
            self._chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "script"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.page.tables[-1].append(self._row)
            self._row = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.page.headings.append(squash("".join(self._heading)))
            self._heading = None
        elif tag == "li" and self._cell is not None:
            self._cell.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = "\n".join(squash(line) for line in "".join(self._chunks).split("\n") if line.strip())


def squash(text: str) -> str:
    """Collapse runs of ASCII white space (no-break spaces are part of the text)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def read(output: str, output_format: str) -> Page:
    """Parse rendered output (Markdown through a CommonMark parser) into what a reader sees."""
    reader = _Reader()
    reader.feed(markdown_to_html(output) if output_format == "markdown" else output)
    reader.close()
    return reader.page


# Free-text fields of a manifest, replaced by neutral tokens so that only the generator's own
# words remain in the output.
FREE_TEXT = {
    "app": ("name", "developer", "description"),
    "use_cases": ("description",),
    "scopes": ("justification", "narrower_rejected_because"),
    "data": ("description",),
    "storage": ("region",),
    "transfers": ("recipient",),
}


def tokenized(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of manifest data with every free-text value replaced by ``Zqtoken<n>``."""
    result = copy.deepcopy(data)
    counter = iter(range(10_000))

    def token() -> str:
        return f"Zqtoken{next(counter)}"

    for section, keys in FREE_TEXT.items():
        items = [result[section]] if isinstance(result.get(section), dict) else result.get(section) or []
        for item in items:
            for key in keys:
                if key in item:
                    item[key] = token()
            if "features" in item:
                item["features"] = [token() for _ in item["features"]]
            encryption = item.get("encryption_at_rest")
            if isinstance(encryption, dict) and "algorithm" in encryption:
                encryption["algorithm"] = token()
    for access in result.get("human_access") or []:
        access["role"] = "support"
    return result
