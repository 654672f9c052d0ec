"""Per-language message files and the formatting of everything a disclosure says.

Each language is one YAML file in ``messages/`` (``en.yaml``, ``fr.yaml``, …): its plural
rule, number, date and list conventions, and every fixed string of a disclosure under a
dotted key. Adding a language is adding one file with the same keys; nothing falls back to
English, so a missing key is an error rather than an untranslated line. The file's header and
its plural, number and date rules are read and applied by :mod:`auditor.model.language`, the
same code the reports' catalogs use.

Text is built from :class:`Phrase` values (a message key and its arguments) and rendered by a
:class:`Localizer` for one language and one output format: the format decides how manifest
values are escaped, how links look, and how foreign-language text is marked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from auditor.disclosure.durations import Duration
from auditor.model.language import (LANGUAGE_CODE, PLURAL_RULES, Conventions, LanguageFileError, flatten_strings,
                                    read_conventions)

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# PLURAL_RULES, imported above, are the plural rules a message file may name.


class MessagesError(Exception):
    """A message file is missing, malformed, or lacks a key a disclosure needs."""


def available_languages(directory: Path | None = None) -> tuple[str, ...]:
    """Codes of every language with a message file, sorted."""
    folder = directory or MESSAGES_DIR
    return tuple(sorted(path.stem for path in folder.glob("*.yaml")))


@dataclass(frozen=True)
class Messages(Conventions):
    """One language's message file, flattened to dotted keys; its plural rule, numbers and
    dates are those of :class:`~auditor.model.language.Conventions`, as in the reports."""

    code: str
    name: str
    list_two: str
    list_separator: str
    list_last: str
    cell_separator: str
    texts: dict[str, Any]

    def text(self, key: str, count: Decimal | int | None = None) -> str:
        """The message ``key``; for a plural message, the form ``count`` calls for."""
        try:
            message = self.texts[key]
        except KeyError:
            raise MessagesError(f"the {self.code} message file has no message {key}") from None
        if isinstance(message, dict):
            if count is None:
                raise MessagesError(f"message {key} is a plural message and needs a count")
            return self.plural_form(message, count)
        return message


def load_messages(language: str, directory: Path | None = None) -> Messages:
    """The message file of ``language`` (read once per folder)."""
    return _load(language, directory or MESSAGES_DIR)


@cache
def _load(language: str, folder: Path) -> Messages:
    from auditor.resources import load_packaged_yaml

    path = folder / f"{language}.yaml"
    if not LANGUAGE_CODE.fullmatch(language) or not path.is_file():
        known = ", ".join(available_languages(folder))
        raise MessagesError(f"no message file for language {language!r} (available: {known})")
    with open(path, encoding="utf-8") as handle:
        raw = load_packaged_yaml(handle)
    try:
        texts = flatten_strings(raw["messages"])
        for name, text in texts.items():
            if not isinstance(text, (str, dict)):
                raise MessagesError(f"{path}: message {name} must be a string or a mapping")
        return Messages(
            **read_conventions(raw, language), code=raw["language"], name=raw["name"],
            list_two=raw["lists"]["two"], list_separator=raw["lists"]["separator"], list_last=raw["lists"]["last"],
            cell_separator=raw["lists"]["cell_separator"], texts=texts,
        )
    except LanguageFileError as exc:
        raise MessagesError(f"{path}: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise MessagesError(f"{path}: malformed message file ({exc!r})") from None


# ---------------------------------------------------------------- values inside phrases


@dataclass(frozen=True)
class Phrase:
    """A message to say: its key, its arguments and, for plural messages, the count.

    ``capitalize`` upper-cases the first letter of the result (a phrase written to sit in a
    sentence, shown at the start of a table cell).
    """

    key: str
    args: tuple[tuple[str, Any], ...] = ()
    count: int | Decimal | None = None
    capitalize: bool = False


def phrase(key: str, count: int | Decimal | None = None, capitalize: bool = False, **args: Any) -> Phrase:
    return Phrase(key, tuple(sorted(args.items())), count, capitalize)


@dataclass(frozen=True)
class Joined:
    """Items said as a list: ``a, b and c`` (``style="and"``) or ``a; b; c`` (``"cell"``)."""

    items: tuple[Any, ...]
    style: str = "and"


@dataclass(frozen=True)
class Foreign:
    """Text quoted in another language (Google's consent wording is English)."""

    text: str
    language: str


@dataclass(frozen=True)
class Code:
    """A literal identifier such as a scope URL."""

    text: str


@dataclass(frozen=True)
class Verbatim:
    """A code from a closed set the schema allows (a TLS version such as ``1.2``): said as
    written, never as a localised number."""

    text: str


@dataclass(frozen=True)
class Link:
    """A URL from the manifest: a link when it is a plain http(s) URL, text otherwise."""

    url: str


class Format(Protocol):
    """What an output format decides: escaping, links, quoted foreign text, code."""

    def escape(self, text: str) -> str: ...
    def fixed(self, text: str) -> str: ...
    def safe(self, text: str) -> Any: ...
    def link(self, url: str) -> str: ...
    def foreign(self, text: str, language: str, document_language: str) -> str: ...
    def code(self, text: str) -> str: ...
    def verbatim(self, text: str) -> str: ...
    def is_safe(self, value: Any) -> bool: ...


class Localizer:
    """Say values in one language for one output format.

    Manifest text is escaped by the format; fixed text from the message file is passed
    through the format's ``fixed`` (escaped for HTML; Markdown message text is kept free of
    Markdown syntax, which a test checks).
    """

    def __init__(self, messages: Messages, output: Format) -> None:
        self.messages = messages
        self.output = output

    def __call__(self, value: Any) -> Any:
        return self.output.safe(self.say(value))

    def each(self, values: Any, separator: str = " ") -> Any:
        """Every value said, joined by ``separator`` (trusted template text)."""
        return self.output.safe(str(separator).join(self.say(value) for value in values))

    def say(self, value: Any) -> str:
        """``value`` as escaped text in this language."""
        out = self.output
        if out.is_safe(value):
            return str(value)
        if isinstance(value, Phrase):
            return self._phrase(value)
        if isinstance(value, Joined):
            return self.join([self.say(item) for item in value.items], value.style)
        if isinstance(value, Link):
            return out.link(value.url)
        if isinstance(value, Foreign):
            return out.foreign(value.text, value.language, self.messages.code)
        if isinstance(value, Code):
            return out.code(value.text)
        if isinstance(value, Verbatim):
            return out.verbatim(value.text)
        if isinstance(value, Duration):
            return self.duration(value)
        if isinstance(value, datetime.date):
            return out.fixed(self.date(value))
        if isinstance(value, bool):
            raise TypeError("a yes/no value must be said with a message, not as a bare boolean")
        if isinstance(value, (int, Decimal)):
            return out.fixed(self.number(value))
        return out.escape(str(value))

    def _phrase(self, item: Phrase) -> str:
        template = self.messages.text(item.key, item.count)
        args = dict(item.args)
        if item.count is not None:
            args.setdefault("n", item.count)
        pieces: list[str] = []
        position = 0
        for match in PLACEHOLDER.finditer(template):
            pieces.append(self.output.fixed(_after(pieces, template[position:match.start()])))
            name = match.group(1)
            if name not in args:
                raise MessagesError(f"message {item.key} ({self.messages.code}) uses {{{name}}}, which is not given")
            pieces.append(self.say(args[name]))
            position = match.end()
        pieces.append(self.output.fixed(_after(pieces, template[position:])))
        text = "".join(pieces)
        if item.capitalize and text[:1].islower():
            text = text[0].upper() + text[1:]
        return text

    def join(self, items: list[str], style: str = "and") -> str:
        m, fixed = self.messages, self.output.fixed
        if style == "cell":
            return fixed(m.cell_separator).join(items)
        if len(items) <= 1:
            return "".join(items)
        if len(items) == 2:
            return self._pattern(m.list_two, {"first": items[0], "last": items[1]})
        rest = fixed(m.list_separator).join(items[:-1])
        return self._pattern(m.list_last, {"rest": rest, "last": items[-1]})

    def _pattern(self, pattern: str, values: dict[str, str]) -> str:
        pieces, position = [], 0
        for match in PLACEHOLDER.finditer(pattern):
            pieces.append(self.output.fixed(pattern[position:match.start()]))
            pieces.append(values[match.group(1)])
            position = match.end()
        pieces.append(self.output.fixed(pattern[position:]))
        return "".join(pieces)

    def number(self, value: int | Decimal) -> str:
        """Digits grouped by thousands, with this language's separators."""
        return self.messages.number(value)

    def date(self, value: datetime.date) -> str:
        return self.messages.date(value)

    def duration(self, value: Duration) -> str:
        parts = [self._phrase(phrase(f"duration.{unit}", count=amount)) for unit, amount in value.nonzero_parts()]
        return self.join(parts)


def _after(pieces: list[str], fixed: str) -> str:
    """``fixed`` without its leading full stop when the value before it already ends one
    ("Example Inc." then "." must not read "Inc..")."""
    if fixed.startswith(".") and pieces and pieces[-1].endswith("."):
        return fixed[1:]
    return fixed
