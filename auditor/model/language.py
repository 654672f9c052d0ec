"""A language's conventions and the shape of its string files, shared by both kinds of catalog.

The disclosure's message files (``auditor/disclosure/messages/``) and the reports' catalogs
(``reports/i18n/``) are YAML files of the same shape: the language's code, its plural rule,
how it groups digits and writes dates, then strings under nested keys, where a mapping of
plural forms (``one``, ``other``…) is one plural string. One reader of that header and one
set of rules for plurals, numbers and dates serve both, so a language counts, groups digits
and dates the same way in a disclosure and in a report. What each catalog holds besides
(list patterns for the disclosure, punctuation spaces for the reports) stays with it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, Callable

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


def _one_for_1(integer: int, fraction: bool) -> str:
    return "one" if integer == 1 and not fraction else "other"


def _one_for_0_and_1(integer: int, fraction: bool) -> str:
    return "one" if integer in (0, 1) else "other"


def _other_only(integer: int, fraction: bool) -> str:
    return "other"


# Plural rules a language file may name (CLDR's cardinal rules for the common families), each
# with the plural forms its strings must give: ``one_for_1`` for English, German, Dutch,
# Italian, Spanish…; ``one_for_0_and_1`` for French and Brazilian Portuguese; ``other_only``
# for Japanese, Chinese, Korean…
PLURAL_RULES: dict[str, tuple[Callable[[int, bool], str], frozenset[str]]] = {
    "one_for_1": (_one_for_1, frozenset({"one", "other"})),
    "one_for_0_and_1": (_one_for_0_and_1, frozenset({"one", "other"})),
    "other_only": (_other_only, frozenset({"other"})),
}


class LanguageFileError(ValueError):
    """A language file's header or strings are not what a catalog needs; the catalog that
    read the file raises its own error, naming the file."""


def flatten_strings(node: dict[str, Any], prefix: str = "", into: dict[str, Any] | None = None) -> dict[str, Any]:
    """The strings under ``node`` by dotted key (``heading.storage``); a mapping of plural
    forms stays one value, a mapping of forms to strings."""
    flat = {} if into is None else into
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and set(value) <= PLURAL_CATEGORIES:
            if not all(isinstance(form, str) for form in value.values()):
                raise LanguageFileError(f"plural message {name} must map plural forms to strings")
            flat[name] = dict(value)
        elif isinstance(value, dict):
            flatten_strings(value, f"{name}.", flat)
        else:
            flat[name] = value
    return flat


@dataclass(frozen=True)
class Conventions:
    """How one language counts, writes numbers and writes dates."""

    plural_rule: str
    group_separator: str
    decimal_separator: str
    date_pattern: str
    months: tuple[str, ...]
    day_names: dict[int, str]

    def plural_category(self, count: Decimal | int) -> str:
        """The plural form ``count`` calls for; ``1.0`` and ``1.5`` are fractions."""
        value = Decimal(count)
        integer = int(value)
        return PLURAL_RULES[self.plural_rule][0](integer, value != integer or "." in str(count))

    def plural_form(self, forms: dict[str, str], count: Decimal | int) -> str:
        """The form of a plural string that ``count`` calls for (``other`` when the string
        does not give that one)."""
        return forms.get(self.plural_category(count), forms["other"])

    def number(self, value: int | Decimal) -> str:
        """Digits grouped by thousands, with this language's separators."""
        sign, text = ("-", str(value)[1:]) if str(value).startswith("-") else ("", str(value))
        integer, _, fraction = text.partition(".")
        groups = []
        while len(integer) > 3:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        groups.insert(0, integer)
        result = self.group_separator.join(groups)
        if fraction:
            result += self.decimal_separator + fraction
        return sign + result

    def date(self, value: datetime.date) -> str:
        """``value`` as the pattern says: ``{iso}`` (YYYY-MM-DD), ``{day}``, ``{month}``, ``{year}``."""
        day = self.day_names.get(value.day, str(value.day))
        return (self.date_pattern.replace("{iso}", value.isoformat()).replace("{day}", day)
                .replace("{month}", self.months[value.month - 1]).replace("{year}", str(value.year)))


def read_conventions(raw: dict[str, Any], language: str) -> dict[str, Any]:
    """The :class:`Conventions` fields the header of ``language``'s file states, checked.

    Raises :class:`LanguageFileError` for a header that says something wrong, and
    ``KeyError``/``TypeError`` for one that lacks a part (the caller reports it malformed).
    """
    rule = raw["plural_rule"]
    if rule not in PLURAL_RULES:
        raise LanguageFileError(f"unknown plural_rule {rule!r} (known: {', '.join(sorted(PLURAL_RULES))})")
    if raw["language"] != language:
        raise LanguageFileError(f"says language {raw['language']!r}; the file name must match it")
    months = tuple(raw["dates"]["months"])
    if len(months) != 12:
        raise LanguageFileError("dates.months must name the twelve months")
    conventions = Conventions(
        plural_rule=rule, group_separator=raw["numbers"]["group"],
        decimal_separator=raw["numbers"].get("decimal", "."), date_pattern=raw["dates"]["pattern"],
        months=months, day_names={int(day): str(name) for day, name in (raw["dates"].get("days") or {}).items()},
    )
    return {field.name: getattr(conventions, field.name) for field in fields(Conventions)}
