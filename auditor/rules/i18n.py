"""Audit reports in more than one language: catalogs are data, one YAML file per language.

Two catalogs per language:

- ``reports/i18n/<lang>.yaml``: every fixed string the report formats show (headings,
  summary lines, status and severity words, evidence and waiver notes), its plural rule,
  number and date conventions, and the words the engine puts inside messages (a gap,
  "or", element labels, classification names). ``en.yaml`` holds the English strings the
  reports have always shown, so a report without ``--lang`` is unchanged.
- ``policies/i18n/<lang>.yaml``: the rules of the built-in pack by id: title, message
  templates (same placeholders as the English ones), reasons, remediation and the citation's
  section and quote from the policy in that language. English needs no file: the pack is it.

The rules are translated before evaluation
(:func:`~auditor.rules.rule_translation.localize_packs`, with the engine's and the diff's
words), so the engine renders each message once, in the report's language, from the same
values; manifest values go into the messages untranslated. Plain YAML rather than gettext
or Babel: the catalogs are keyed by rule id and report part, not by English sentence, the
header and the plural, number and date rules are read and applied by the code that serves
the disclosure's message files too (:mod:`auditor.model.language`), and no dependency is
added. A third language is one file in each folder.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.model.errors import AuditorError
from auditor.model.language import LANGUAGE_CODE, Conventions, LanguageFileError, flatten_strings, read_conventions

DEFAULT_LANGUAGE = "en"
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


class CatalogError(AuditorError):
    """A language without catalogs, or a catalog that lacks what a report needs."""


def report_catalogs_dir() -> Path:
    from auditor.resources import report_catalogs_dir as located

    return located()


def languages() -> tuple[str, ...]:
    """Every language the reports can be written in (one report catalog each), sorted."""
    return tuple(sorted(path.stem for path in report_catalogs_dir().glob("*.yaml")))


def read_yaml_catalog(path: Path) -> Any:
    """The data of one catalog file (report strings, rule texts, diff rule texts)."""
    from auditor.resources import load_packaged_yaml

    with open(path, encoding="utf-8") as handle:
        return load_packaged_yaml(handle)


@dataclass(frozen=True)
class ReportText(Conventions):
    """One language's report strings, looked up by dotted key and filled by name.

    ``t("text.header", path=…)`` fills ``{path}``; a plural string (a mapping of plural
    forms) takes its form from ``count``. Plurals, numbers and dates follow the language's
    :class:`~auditor.model.language.Conventions`, as in a disclosure.
    """

    lang: str
    punctuation_spaces: dict[str, str]
    strings: dict[str, Any]

    def __call__(self, key: str, count: int | None = None, **values: Any) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            raise CatalogError(f"the {self.lang} report catalog has no string {key}") from None
        if isinstance(text, dict):
            if count is None:
                raise CatalogError(f"report string {key} is a plural string and needs a count")
            text = self.plural_form(text, int(count))  # reports count whole things
            values.setdefault("count", self.number(count))
        elif count is not None:
            values["count"] = self.number(count)
        if not values:
            return text
        return _FIELD.sub(lambda match: str(values[match.group(1)]) if match.group(1) in values else match.group(),
                          text)

    def markup(self, key: str, count: int | None = None, **values: Any) -> Any:
        """For HTML: the catalog's string (ours, trusted) as markup, each value escaped
        unless it is markup already (a ``bdi``-wrapped value stays isolated)."""
        import markupsafe

        escaped = {name: markupsafe.escape(value) for name, value in values.items()}
        return markupsafe.Markup(self(key, count, **escaped))

    def word(self, group: str, name: str) -> str:
        """A status, severity or classification word; the name itself when the catalog has
        none (a custom pack's own category, say)."""
        text = self.strings.get(f"{group}.{name}")
        return text if isinstance(text, str) else name

    def date(self, value: str | datetime.date) -> str:
        """An ISO date as people of this language write it; anything else unchanged."""
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return value
        return super().date(value)

    def punctuate(self, text: str) -> str:
        """``text`` with the spaces this language puts before ``:`` or ``;`` made non-breaking."""
        for mark, space in self.punctuation_spaces.items():
            text = text.replace(" " + mark, space + mark)
        return text


class Phrase(str):
    """Words the engine writes into a fact (never a manifest value): the English text, which
    is what the rules' conditions, the JSON facts and an English message see, carrying its
    catalog key and values so that a message in another language words it there
    (:meth:`MessageLanguage.value`).

    A ``str`` subclass rather than a dataclass so that every reader of facts (predicates,
    patterns, reports) keeps seeing a plain string. ``count`` picks a plural form;
    ``default`` is the English wording when it is data kept elsewhere (a restriction's cost
    in ``auditor/scan/restrictions.yaml``) and a catalog may or may not word it. A value may
    be a phrase itself or a list (joined with ``, ``; an empty list is the gap word).
    """

    key: str
    count: int | None
    default: str | None
    values: dict[str, Any]

    def __new__(cls, key: str, count: int | None = None, default: str | None = None, **values: Any) -> Phrase:
        phrase = super().__new__(cls, _word(key, count, default, values, report_text(DEFAULT_LANGUAGE)))
        phrase.key, phrase.count, phrase.default, phrase.values = key, count, default, values
        return phrase

    def __reduce__(self) -> Any:
        # Facts and findings cross process boundaries with --jobs.
        return (_phrase, (self.key, self.count, self.default, self.values))

    def worded(self, t: ReportText) -> str:
        """This phrase in ``t``'s language."""
        return _word(self.key, self.count, self.default, self.values, t)


def _phrase(key: str, count: int | None, default: str | None, values: dict[str, Any]) -> Phrase:
    return Phrase(key, count, default, **values)


def worded(value: Any, t: ReportText) -> str:
    """``value`` as a message shows it in ``t``'s language: a :class:`Phrase` worded there, a
    list joined (the gap word when empty), anything else as it is."""
    if isinstance(value, Phrase):
        return value.worded(t)
    if isinstance(value, (list, tuple)):
        return ", ".join(worded(item, t) for item in value) or t("engine.none")
    return str(value)


def _word(key: str, count: int | None, default: str | None, values: dict[str, Any], t: ReportText) -> str:
    filled = {name: worded(value, t) for name, value in values.items()}
    if default is not None and key not in t.strings:
        return _FIELD.sub(lambda match: filled.get(match.group(1), match.group()), default)
    return t(key, count, **filled)


def check_language(lang: str) -> None:
    """Refuse a language that has no report catalog: every language starts with one."""
    if not LANGUAGE_CODE.fullmatch(lang) or not (report_catalogs_dir() / f"{lang}.yaml").is_file():
        raise CatalogError(f"no report catalog for language {lang!r} (available: {', '.join(languages())})")


@cache
def report_text(lang: str = DEFAULT_LANGUAGE) -> ReportText:
    """The report strings of ``lang``."""
    check_language(lang)
    path = report_catalogs_dir() / f"{lang}.yaml"
    raw = read_yaml_catalog(path)
    try:
        return ReportText(
            **read_conventions(raw, lang), lang=raw["language"],
            punctuation_spaces=dict(raw.get("punctuation_spaces") or {}), strings=flatten_strings(raw["strings"]),
        )
    except LanguageFileError as exc:
        raise CatalogError(str(exc), str(path)) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"malformed report catalog ({exc!r})", str(path)) from None


def evidence_notes(finding: Any, t: ReportText) -> list[str]:
    """The finding's evidence notes (inferred classifications) in ``t``'s language."""
    notes = []
    for item in finding.inferred:
        note = t("notes.inferred", scope=item.scope, classification=t.word("classification", item.classification))
        notes.append(t("notes.inferred_reason", note=note, reason=item.reason) if item.reason else note)
    return notes


def waiver_text(waiver: Any, t: ReportText) -> str:
    """``waived until … by …: reason`` in ``t``'s language."""
    return t("notes.waived", expires=t.date(waiver.expires), approver=waiver.approved_by, reason=waiver.reason)


def waiver_note_text(note: Any, t: ReportText) -> str:
    """A waiver or baseline note (:class:`~auditor.model.report.WaiverNote`) in ``t``'s language,
    worded by its kind; a kind the catalog does not know keeps the note's own message."""
    key = f"notes.{note.kind}"
    if key not in t.strings:
        return note.message
    if note.kind == "expired":
        still = t("notes.expired_still_matching") if note.no_longer_waives else ""
        return t(key, expires=t.date(note.expires or ""), still_matching=still)
    return t(key)


def report_language(report: Any) -> ReportText:
    """The strings of the language ``report`` was worded in (English by default)."""
    return report_text(getattr(report, "lang", DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE)
