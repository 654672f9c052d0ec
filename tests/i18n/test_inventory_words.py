"""The inventory's words come from the report catalogs: every label of the HTML report's
identity and data flow, yes and no, and the manifest vocabulary's words are in the report's
language, and every catalog words every key the inventory carries."""

from __future__ import annotations

import html
import re

import pytest

from auditor.manifest.inventory import DETAIL_KEYS, LINK_FIELDS, VOCABULARIES
from auditor.rules.i18n import languages, report_text
from tests.helpers import EXAMPLES, run_wsaudit

OTHER_LANGUAGES = [lang for lang in languages() if lang != "en"]
SECTIONS = ("data", "storage", "transfers", "human_access")
STEP_DETAILS = re.compile(r'<div class="step">.*?<span class="details">(.*?)</span>', re.S)
IDENTITY = re.compile(r'<dl class="identity">(.*?)</dl>', re.S)


def _strings(lang: str, group: str) -> dict[str, str]:
    prefix = f"html.manifest.{group}."
    return {key[len(prefix):]: text for key, text in report_text(lang).strings.items() if key.startswith(prefix)}


@pytest.fixture(scope="module")
def french_html() -> str:
    result = run_wsaudit("audit", str(EXAMPLES), "--lang", "fr", "--format", "html", "--as-of", "2026-06-01")
    assert result.code == 1, result.stderr
    return result.stdout


def _details(page: str, colon: str) -> list[tuple[str, str]]:
    """Each data-flow detail of ``page`` as (label, value), the value without its markup."""
    pairs = []
    for span in STEP_DETAILS.findall(page):
        for piece in span.split(" · "):
            label, separator, value = piece.partition(colon + " ")
            assert separator, piece
            pairs.append((html.unescape(label), html.unescape(re.sub(r"</?bdi>", "", value))))
    return pairs


def test_french_data_flow_details_have_french_labels(french_html):
    details = _details(french_html, report_text("fr")("colon"))
    assert details
    french_labels = set(_strings("fr", "details").values())
    assert sorted({label for label, _ in details} - french_labels) == []


def test_french_data_flow_details_have_no_english_value_words(french_html):
    french = report_text("fr")
    english_words = {report_text("en")("html.manifest.answer_yes"), report_text("en")("html.manifest.answer_no")}
    english_words |= {word for kind, words in VOCABULARIES.items() for word in words
                      if french.word(f"html.manifest.vocabulary.{kind}", word) != word}
    items = [item.rstrip(")") for _, value in _details(french_html, french("colon"))
             for item in re.split(r", | \(", value)]
    assert sorted(set(items) & english_words) == []
    assert not [item for item in items if item.endswith("or later")]


def test_french_identity_has_french_link_labels_and_app_types(french_html):
    identities = IDENTITY.findall(french_html)
    assert identities
    terms = {html.unescape(term) for identity in identities for term in re.findall(r"<dt>(.*?)</dt>", identity)}
    english_links = set(_strings("en", "links").values()) - set(_strings("fr", "links").values())
    assert english_links and sorted(terms & english_links) == []
    assert set(_strings("fr", "links").values()) <= terms
    type_label = re.escape(report_text("fr")("html.manifest.type"))
    types = {html.unescape(value) for identity in identities
             for value in re.findall(rf"<dt>{type_label}</dt><dd><bdi>(.*?)</bdi></dd>", identity)}
    assert types and types <= set(_strings("fr", "vocabulary.app_type").values())


@pytest.mark.parametrize("lang", languages())
def test_every_catalog_words_every_inventory_key(lang):
    strings = report_text(lang).strings
    keys = ([f"html.manifest.details.{key}" for key in DETAIL_KEYS]
            + [f"html.manifest.links.{field}" for field in LINK_FIELDS]
            + [f"html.manifest.sections.{section}" for section in SECTIONS]
            + ["html.manifest.answer_yes", "html.manifest.answer_no", "html.manifest.tls_min_version"])
    assert [key for key in keys if not isinstance(strings.get(key), str) or not strings[key]] == []
    assert "{version}" in strings["html.manifest.tls_min_version"]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_other_catalog_words_every_vocabulary_word(lang):
    vocabulary = _strings(lang, "vocabulary")
    expected = {f"{kind}.{word}" for kind, words in VOCABULARIES.items() for word in words}
    assert sorted(expected - set(vocabulary)) == [], "words the catalog does not translate"
    assert sorted(set(vocabulary) - expected) == [], "words no manifest vocabulary has"


def _without(text: str, *sections: str) -> str:
    """``text`` (a manifest) without the top-level ``sections``."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        key = re.match(r"([a-z_]+):", line)
        if key:
            skipping = key.group(1) in sections
        if not skipping:
            kept.append(line)
    return "".join(kept)


def test_french_note_names_the_sections_a_manifest_leaves_out_in_french(tmp_path):
    manifest = tmp_path / "app.yaml"
    digest = (EXAMPLES / "inbox-digest.yaml").read_text(encoding="utf-8")
    manifest.write_text(_without(digest, "storage", "human_access"), encoding="utf-8")
    result = run_wsaudit("audit", str(manifest), "--lang", "fr", "--format", "html", "--as-of", "2026-06-01")
    assert result.code == 1, result.stderr
    french = report_text("fr")
    sections = ", ".join(french(f"html.manifest.sections.{section}") for section in ("storage", "human_access"))
    assert french("html.manifest.not_stated_note", sections=sections) in html.unescape(result.stdout)
