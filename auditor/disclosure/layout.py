"""The layout of a disclosure: sections of paragraphs, lists, tables and boxes of phrases.

Language- and format-neutral: :mod:`auditor.disclosure.document` fills these blocks, the
templates turn them into Markdown or HTML, and a :class:`~auditor.disclosure.i18n.Localizer`
turns each phrase into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cell:
    """A table cell: ``items`` shown as a list (``list``) or as running sentences."""

    items: tuple[Any, ...]
    style: str = "sentences"


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Any, ...]
    kind: str = "paragraph"


@dataclass(frozen=True)
class Items:
    items: tuple[Any, ...]
    kind: str = "items"


@dataclass(frozen=True)
class Subheading:
    text: Any
    id: str
    kind: str = "subheading"


@dataclass(frozen=True)
class Table:
    id: str
    css_class: str
    columns: tuple[Any, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kind: str = "table"


@dataclass(frozen=True)
class Box:
    """Blocks set apart as one unit: the text to place in the consent dialog."""

    blocks: tuple[Any, ...]
    css_class: str = "consent"
    kind: str = "box"


@dataclass(frozen=True)
class Section:
    id: str
    heading: Any
    blocks: tuple[Any, ...]


@dataclass(frozen=True)
class Document:
    language: str
    title: Any
    sections: tuple[Section, ...]
