"""The parts of a French report outside the findings: the HTML report's manifest section
(identity, scopes, data flow) and the rules' descriptions in SARIF."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from auditor.rules.packs import builtin_pack_paths, load_packs
from auditor.rules.i18n import languages
from auditor.rules.rule_translation import localize_packs
from tests.helpers import EXAMPLES, VisibleText, run_wsaudit

AS_OF = ("--as-of", "2026-01-15")
OTHER_LANGUAGES = [lang for lang in languages() if lang != "en"]
# Fixed words of the HTML manifest section in English.
MANIFEST_SECTION_WORDS = re.compile(r"\b(Data flow|Data element|Feeds data|Requested|Human access|Storage|"
                                    r"Transfers|not stated|none given|Developer|OAuth scopes requested by|"
                                    r"Where each data element|The manifest (does not list|declares))\b")


def _visible_html(*args: str) -> str:
    result = run_wsaudit("audit", str(EXAMPLES), "--format", "html", *AS_OF, *args)
    assert result.code == 1, result.stderr
    parser = VisibleText()
    parser.feed(result.stdout)
    return " ".join(parser.parts)


def test_french_html_manifest_section_has_no_english_fixed_words():
    visible = _visible_html("--lang", "fr")
    assert "Flux de données" in visible and "Élément de données" in visible and "Alimente les données" in visible
    found = MANIFEST_SECTION_WORDS.search(visible)
    assert found is None, found


def test_english_html_manifest_section_keeps_its_words():
    visible = _visible_html()
    assert "Data flow" in visible and "Feeds data" in visible and "Human access" in visible


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_rule_description_is_translated(lang):
    raw = {rule["id"]: rule for path in builtin_pack_paths()
           for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]}
    translated = {rule.id: rule for pack in localize_packs(load_packs(), lang) for rule in pack.rules}
    described = [rule_id for rule_id, rule in raw.items() if rule.get("description")]
    assert described
    same = [rule_id for rule_id in described
            if translated[rule_id].description == " ".join(raw[rule_id]["description"].split())]
    assert same == []


def test_french_sarif_full_description_uses_the_french_description(tmp_path):
    result = run_wsaudit("audit", str(EXAMPLES), "--format", "sarif", "--lang", "fr", *AS_OF)
    assert result.code == 1, result.stderr
    rules = {rule["id"]: rule for rule in json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    full = rules["WUD-SC-006"]["fullDescription"]["text"]
    assert "Avec `audit --code`, le code décide" in full and "the code decides" not in full
