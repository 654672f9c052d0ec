"""One reader and one set of plural, number and date rules for the disclosure's message files
and the reports' catalogs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from auditor.disclosure.i18n import MessagesError, available_languages, load_messages
from auditor.model.language import Conventions, LanguageFileError, flatten_strings, read_conventions
from auditor.rules.i18n import languages, report_text

BOTH = sorted(set(available_languages()) & set(languages()))
HEADER = {
    "language": "xx", "plural_rule": "one_for_1", "numbers": {"group": ",", "decimal": "."},
    "dates": {"pattern": "{day} {month} {year}", "months": [f"m{number}" for number in range(1, 13)]},
}


def test_every_report_language_has_a_disclosure_language():
    assert BOTH == sorted(languages())


@pytest.mark.parametrize("language", BOTH)
def test_a_disclosure_and_a_report_count_and_write_numbers_alike(language):
    disclosure, report = load_messages(language), report_text(language)
    assert isinstance(disclosure, Conventions) and isinstance(report, Conventions)
    counts = [0, 1, 2, 21, Decimal("1.0"), Decimal("1.5"), 1_000_000]
    assert [report.plural_category(count) for count in counts] == \
        [disclosure.plural_category(count) for count in counts]
    if report.group_separator == disclosure.group_separator:
        assert report.number(1_234_567) == disclosure.number(1_234_567)


def test_english_says_one_only_for_exactly_one():
    english = report_text("en")
    assert [english.plural_category(count) for count in (0, 1, 2, Decimal("1.0"), Decimal("1.5"))] == \
        ["other", "one", "other", "other", "other"]


def test_a_plural_string_without_the_form_falls_back_to_other():
    conventions = Conventions(**read_conventions(HEADER, "xx"))
    assert conventions.plural_form({"other": "{n} things"}, 1) == "{n} things"
    assert conventions.plural_form({"one": "one thing", "other": "{n} things"}, 1) == "one thing"


def test_numbers_and_dates_follow_the_header():
    conventions = Conventions(**read_conventions({**HEADER, "dates": {**HEADER["dates"], "days": {1: "1st"}}}, "xx"))
    assert conventions.number(-1234567) == "-1,234,567"
    assert conventions.number(Decimal("1234.25")) == "1,234.25"
    assert conventions.date(datetime.date(2026, 3, 1)) == "1st m3 2026"
    iso = Conventions(**read_conventions({**HEADER, "dates": {**HEADER["dates"], "pattern": "{iso}"}}, "xx"))
    assert iso.date(datetime.date(2026, 3, 1)) == "2026-03-01"


def test_a_header_without_a_decimal_separator_uses_a_full_stop():
    header = {**HEADER, "numbers": {"group": ""}}
    assert Conventions(**read_conventions(header, "xx")).number(Decimal("1234.5")) == "1234.5"


@pytest.mark.parametrize(("change", "message"), [
    ({"plural_rule": "one_for_2"}, "unknown plural_rule 'one_for_2'"),
    ({"language": "yy"}, "says language 'yy'; the file name must match it"),
    ({"dates": {"pattern": "{iso}", "months": ["January"]}}, "dates.months must name the twelve months"),
])
def test_a_wrong_header_is_refused_with_what_is_wrong(change, message):
    with pytest.raises(LanguageFileError, match=message.replace("(", r"\(")):
        read_conventions({**HEADER, **change}, "xx")


def test_strings_are_flattened_to_dotted_keys_with_plurals_kept_whole():
    flat = flatten_strings({"a": {"b": "x", "c": {"one": "{n} day", "other": "{n} days"}}, "d": ["l", "m"]})
    assert flat == {"a.b": "x", "a.c": {"one": "{n} day", "other": "{n} days"}, "d": ["l", "m"]}


def test_a_plural_form_that_is_not_a_string_is_refused():
    with pytest.raises(LanguageFileError, match="plural message a.c must map plural forms to strings"):
        flatten_strings({"a": {"c": {"one": 1, "other": "{n} days"}}})


def test_a_message_file_with_a_wrong_header_names_the_file(tmp_path):
    from auditor.disclosure.i18n import MESSAGES_DIR

    source = (MESSAGES_DIR / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(source.replace("plural_rule: one_for_1", "plural_rule: one_for_2"),
                                      encoding="utf-8")
    with pytest.raises(MessagesError, match=f"{tmp_path / 'en.yaml'}: unknown plural_rule 'one_for_2'"):
        load_messages("en", tmp_path)
