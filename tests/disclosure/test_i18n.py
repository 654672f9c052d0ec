"""Message files: complete in every language, free of markup, and nothing English in French."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import build_disclosure
from auditor.manifest.model import ManifestModel
from auditor.disclosure.phrasing import API_NAMES
from auditor.disclosure.durations import parse_duration
from auditor.disclosure.i18n import (
    MESSAGES_DIR, PLACEHOLDER, PLURAL_RULES, Joined, Localizer, MessagesError, available_languages, load_messages,
    phrase,
)
from auditor.disclosure.render import HtmlOutput, MarkdownOutput, render_disclosure
from auditor.manifest.load import load_manifest
from auditor.resources import templates_dir

from tests.disclosure.support import EXAMPLE_PATHS, FORMATS, example_ids, read, tokenized

REFERENCE = "en"
OTHERS = [code for code in available_languages() if code != REFERENCE]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _forms(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def test_french_is_available():
    assert {"en", "fr"} <= set(available_languages())


@pytest.mark.parametrize("language", OTHERS)
def test_catalogs_have_the_same_keys_and_placeholders(language):
    english, other = load_messages(REFERENCE), load_messages(language)
    assert sorted(other.texts) == sorted(english.texts)
    for key, value in english.texts.items():
        theirs = other.texts[key]
        assert isinstance(theirs, dict) == isinstance(value, dict), key
        wanted = set().union(*(_placeholders(form) for form in _forms(value)))
        for form in _forms(theirs):
            assert _placeholders(form) == wanted, (language, key, form)


@pytest.mark.parametrize("language", available_languages())
def test_plural_messages_have_the_forms_their_rule_needs(language):
    messages = load_messages(language)
    needed = PLURAL_RULES[messages.plural_rule][1]
    plurals = {key: value for key, value in messages.texts.items() if isinstance(value, dict)}
    assert plurals, "durations are plural messages"
    for key, forms in plurals.items():
        assert set(forms) == needed, key
        assert all("{n}" in form for form in forms.values()), key


@pytest.mark.parametrize("language", available_languages())
def test_messages_are_plain_text(language):
    """Messages go into Markdown unescaped, so they must not hold any Markdown or HTML."""
    messages = load_messages(language)
    fixed = [messages.list_two, messages.list_last, messages.list_separator, messages.cell_separator,
             messages.date_pattern, *messages.months]
    for key, value in messages.texts.items():
        fixed.extend(_forms(value))
    for text in fixed:
        bare = PLACEHOLDER.sub("", text)
        assert not re.search(r"[\\`*_\[\]|<>&~{}#\n]", bare), text
        assert not re.match(r"\s*([-+]\s|\d+[.)])", text), text


@pytest.mark.parametrize("language", OTHERS)
def test_translations_differ_from_english(language):
    """A sentence copied from English unchanged is untranslated (single words such as
    "minute", protocol names and pure patterns may legitimately be the same)."""
    english, other = load_messages(REFERENCE), load_messages(language)
    same = sorted(key for key, value in english.texts.items()
                  if other.texts[key] == value and max(_word_count(form) for form in _forms(value)) >= 2)
    assert same == []


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", text)))


def _english_only_words(language: str) -> set[str]:
    words = lambda texts: {w.lower() for value in texts.values() for form in _forms(value)
                           for w in re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub(" ", form))}
    english, other = load_messages(REFERENCE), load_messages(language)
    return words(english.texts) - words(other.texts) - {w.lower() for w in english.months}


def _without_quoted_names(page_text: str) -> str:
    """The text less Google's consent wording and product names, which are quoted as is."""
    for entry in ScopeCatalog.load():
        if entry.description:
            page_text = page_text.replace(entry.description, " ")
    for name in API_NAMES.values():
        page_text = page_text.replace(name, " ")
    return page_text


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=example_ids())
@pytest.mark.parametrize("language", OTHERS)
def test_no_english_fixed_string_leaks_into_other_languages(language, path, output_format):
    """With the manifest's own text replaced by tokens and Google's quoted consent wording
    removed, no word that only the English catalog uses may appear."""
    data = tokenized(load_manifest(str(path)).data)
    disclosure = build_disclosure(ManifestModel.from_data(data), ScopeCatalog.load())
    english_words = _english_only_words(language)
    assert {"kept", "never", "consent", "permission"} <= english_words  # the check can fail
    for in_product in (False, True):
        output = render_disclosure(disclosure, output_format, language, in_product=in_product,
                                   updated=datetime.date(2026, 5, 1))
        text = _without_quoted_names(read(output, output_format).text)
        text = re.sub(r"\S*://\S*|\S+@\S+|Zqtoken\d+", " ", text)
        leaked = {word for word in re.findall(r"[A-Za-z]{3,}", text) if word.lower() in english_words}
        assert leaked == set(), (path.stem, in_product, sorted(leaked))


def test_templates_contain_no_prose():
    """Every word a reader sees comes from a message file, never from a template."""
    for path in sorted(templates_dir().glob("disclosure*")):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
        source = re.sub(r"<style>.*?</style>|<[^>]+>", " ", source, flags=re.S)
        assert re.findall(r"[A-Za-z]{2,}", source) == [], path.name


# ---------------------------------------------------------------- French forms


def _say(language: str, value, output=None) -> str:
    return Localizer(load_messages(language), output or MarkdownOutput()).say(value)


@pytest.mark.parametrize(("date", "english", "french"), [
    (datetime.date(2026, 5, 1), "1 May 2026", "1er mai 2026"),
    (datetime.date(2026, 4, 2), "2 April 2026", "2 avril 2026"),
    (datetime.date(2025, 8, 31), "31 August 2025", "31 août 2025"),
    (datetime.date(2026, 12, 21), "21 December 2026", "21 décembre 2026"),
])
def test_dates(date, english, french):
    assert _say("en", date) == english
    assert _say("fr", date) == french


@pytest.mark.parametrize(("items", "english", "french"), [
    (("a",), "a", "a"),
    (("a", "b"), "a and b", "a et b"),
    (("a", "b", "c"), "a, b and c", "a, b et c"),
    (("a", "b", "c", "d"), "a, b, c and d", "a, b, c et d"),
])
def test_list_joining(items, english, french):
    assert _say("en", Joined(items)) == english
    assert _say("fr", Joined(items)) == french


def test_cell_lists_use_french_spacing():
    assert _say("fr", Joined(("a", "b"), "cell")) == "a\u202f; b"
    assert _say("en", Joined(("a", "b"), "cell")) == "a; b"


@pytest.mark.parametrize(("text", "english", "french"), [
    ("P1D", "1 day", "1 jour"),
    ("P2D", "2 days", "2 jours"),
    ("P1Y", "1 year", "1 an"),
    ("P3Y", "3 years", "3 ans"),
    ("P1M", "1 month", "1 mois"),
    ("P6M", "6 months", "6 mois"),
    ("P1W", "1 week", "1 semaine"),
    ("PT1H", "1 hour", "1 heure"),
    ("PT36H", "36 hours", "36 heures"),
    ("PT1M", "1 minute", "1 minute"),
    ("PT90S", "90 seconds", "90 secondes"),
    ("PT1.5S", "1.5 seconds", "1,5 seconde"),
    ("PT0.5S", "0.5 seconds", "0,5 seconde"),
    ("P1Y6M", "1 year and 6 months", "1 an et 6 mois"),
    ("P1Y0M2D", "1 year and 2 days", "1 an et 2 jours"),
    ("P1Y2M3W4DT5H6M7S", "1 year, 2 months, 3 weeks, 4 days, 5 hours, 6 minutes and 7 seconds",
     "1 an, 2 mois, 3 semaines, 4 jours, 5 heures, 6 minutes et 7 secondes"),
    ("P1000D", "1,000 days", "1\u202f000 jours"),
    ("P0010D", "10 days", "10 jours"),
])
def test_durations_in_words(text, english, french):
    duration = parse_duration(text)
    assert duration is not None
    assert _say("en", duration) == english
    assert _say("fr", duration) == french


def test_french_plural_rule_treats_zero_and_one_as_singular():
    french, english = load_messages("fr"), load_messages("en")
    assert [french.plural_category(n) for n in (0, 1, 2, Decimal("1.5"))] == ["one", "one", "other", "one"]
    assert [english.plural_category(n) for n in (0, 1, 2, Decimal("1.0"))] == ["other", "one", "other", "other"]


def test_french_typography_in_output():
    page = read(render_disclosure(build_disclosure(load_manifest(str(EXAMPLE_PATHS[0])).model, ScopeCatalog.load()),
                                  "html", "fr"), "html")
    assert "Règles de confidentialité\u00a0: " in page.text
    assert " :" not in page.text.replace("\u00a0:", "")  # every colon follows a no-break space


def test_phrases_escape_values_but_not_fixed_text():
    hostile = "<b>x</b> | [y](z)"
    html = _say("en", phrase("storage.intro", app=hostile), HtmlOutput())
    assert html == "<bdi>&lt;b&gt;x&lt;/b&gt; | [y](z)</bdi> keeps the following data."
    markdown = _say("en", phrase("storage.intro", app=hostile))
    assert markdown == "&lt;b&gt;x&lt;/b&gt; \\| \\[y\\]\\(z\\) keeps the following data."


def test_a_value_ending_a_sentence_takes_no_second_full_stop():
    said = _say("en", phrase("about.intro.web", app="Tallyho", developer="Tallyho Inc."))
    assert said == "Tallyho is a web app developed by Tallyho Inc."
    assert _say("fr", phrase("commitments.sold", app="A", data="B.")) == "A vend une partie de vos données\u00a0: B."


def test_a_missing_message_is_an_error_not_an_english_fallback(tmp_path):
    source = (MESSAGES_DIR / "fr.yaml").read_text(encoding="utf-8")
    (tmp_path / "fr.yaml").write_text(source.replace("    never_sold: Ces données ne sont jamais vendues.\n", ""),
                                      encoding="utf-8")
    broken = load_messages("fr", tmp_path)
    with pytest.raises(MessagesError, match="in_product.never_sold"):
        broken.text("in_product.never_sold")


def test_a_third_language_is_one_file(tmp_path):
    """A copy of the English file under a new code is a working language, found by the
    command line's language list and used for every string."""
    source = (MESSAGES_DIR / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(source, encoding="utf-8")
    (tmp_path / "xx.yaml").write_text(
        source.replace("language: en", "language: xx").replace("Kept for {duration}", "XX-kept {duration}"),
        encoding="utf-8")
    assert available_languages(tmp_path) == ("en", "xx")
    storage_words = Localizer(load_messages("xx", tmp_path), MarkdownOutput()).say(
        phrase("retention.for", duration=parse_duration("P30D")))
    assert storage_words == "XX-kept 30 days"


def test_unknown_language_is_refused():
    with pytest.raises(MessagesError, match="available: en, fr"):
        load_messages("zz")
    with pytest.raises(MessagesError):
        load_messages("../en")


def test_messages_folder_is_inside_the_package():
    assert MESSAGES_DIR.parent.name == "disclosure" and (MESSAGES_DIR / "en.yaml").is_file()
    assert Path(MESSAGES_DIR).is_relative_to(Path(__file__).resolve().parents[2] / "auditor")
