"""Translations are data: every built-in rule and every report string has its text in each
language, with the same placeholders, and the catalogs are never read as rule packs."""

from __future__ import annotations

import re

import pytest
import yaml

from auditor.rules.packs import PLACEHOLDER, builtin_pack_paths, load_packs
from auditor.rules.i18n import languages, report_text
from auditor.rules.rule_translation import localize_packs, rule_catalog
from tests.helpers import REPO

OTHER_LANGUAGES = [lang for lang in languages() if lang != "en"]
# Report string groups a language may fill or leave out (English keeps them in code or data, or
# needs none; the restrictions' costs are checked on their own in test_french_scan.py, the
# manifest vocabularies' words in test_inventory_words.py).
OPTIONAL_GROUPS = ("engine.", "html.categories.", "sarif.why_it_matters.", "costs.", "html.manifest.vocabulary.")
FRENCH_POLICY = REPO.parent / "shared" / "seeds" / "002_2729588b1ce0523e.txt"


def _fields(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _forms(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def _builtin_packs():
    """The audit's packs and the live probe's: every rule the tool ships."""
    from auditor.probe.evidence import load_probe_pack

    return [*load_packs(), load_probe_pack()]


def _builtin_rules():
    return [rule for pack in _builtin_packs() for rule in pack.rules]


def test_french_is_offered():
    assert "fr" in OTHER_LANGUAGES


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_builtin_rule_has_every_field_translated(lang):
    catalog = rule_catalog(lang)["rules"]
    raw = {rule["id"]: rule for path in [*builtin_pack_paths(), REPO / "policies" / "probe" / "live-token.yaml"]
           for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]}
    missing = []
    for rule_id, english in raw.items():
        entry = catalog.get(rule_id) or {}
        for field in ("title", "remediation"):
            if not entry.get(field):
                missing.append(f"{rule_id}.{field}")
        for kind in english["message"]:
            if not (entry.get("message") or {}).get(kind):
                missing.append(f"{rule_id}.message.{kind}")
        if len(entry.get("reasons") or ()) != len(english.get("reasons") or ()):
            missing.append(f"{rule_id}.reasons")
        citation = entry.get("citation") or {}
        if not (citation.get("section") and citation.get("quote")):
            missing.append(f"{rule_id}.citation")
    assert missing == []
    assert sorted(set(catalog) - set(raw)) == [], "translations of rules the pack does not have"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_rule_translations_keep_the_english_placeholders(lang):
    differing = []
    for english, translated in zip(_builtin_rules(), [r for p in localize_packs(_builtin_packs(), lang) for r in p.rules]):
        pairs = [("fail", english.fail_message, translated.fail_message),
                 ("pass", english.pass_message, translated.pass_message),
                 ("incomplete", english.incomplete_message, translated.incomplete_message)]
        pairs += [(f"reason {number}", a.say, b.say) for number, (a, b) in enumerate(zip(english.reasons,
                                                                                      translated.reasons))]
        differing += [f"{english.id} {kind}" for kind, a, b in pairs if _fields(a) != _fields(b)]
    assert differing == []


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translated_rules_change_only_their_wording(lang):
    for english, translated in zip(_builtin_rules(), [r for p in localize_packs(_builtin_packs(), lang) for r in p.rules]):
        assert (translated.id, translated.severity, translated.clause, translated.category, translated.select) == (
            english.id, english.severity, english.clause, english.category, english.select)
        assert translated.title != english.title and translated.citation.quote != english.citation.quote


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_report_strings_have_the_same_keys_and_placeholders_in_every_language(lang):
    english, other = report_text("en").strings, report_text(lang).strings

    def required(strings):
        return {key for key in strings if not key.startswith(OPTIONAL_GROUPS)}

    assert sorted(required(english) - set(other)) == [], "keys missing from the translation"
    assert sorted(required(other) - set(english)) == [], "keys English does not have"
    differing = [key for key in required(english)
                 if isinstance(english[key], (str, dict))
                 and set().union(*(_fields(form) for form in _forms(english[key])))
                 != set().union(*(_fields(form) for form in _forms(other[key])))]
    assert differing == []


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translation_labels_every_manifest_section_a_message_names(lang):
    labels = {key.removeprefix("engine.labels.") for key in report_text(lang).strings if key.startswith("engine.labels.")}
    assert {"scopes", "use_cases", "data", "storage", "transfers", "human_access", "app"} <= labels


def test_catalogs_are_not_loaded_as_rule_packs():
    assert (REPO / "policies" / "i18n" / "fr.yaml").is_file()
    assert all("i18n" not in path.parts for path in builtin_pack_paths())


def test_french_citations_quote_the_french_policy():
    for rule in [r for p in localize_packs(_builtin_packs(), "fr") for r in p.rules]:
        assert 10 <= len(rule.citation.quote) <= 200, rule.id
    if FRENCH_POLICY.exists():
        text = re.sub(r"\s+", " ", FRENCH_POLICY.read_text(encoding="utf-8"))
        for rule in [r for p in localize_packs(_builtin_packs(), "fr") for r in p.rules]:
            assert re.sub(r"\s+", " ", rule.citation.quote) in text, rule.id
            assert rule.citation.section in text, rule.id


def test_an_unknown_language_is_refused_with_exit_2(tmp_path):
    from tests.helpers import EXAMPLES, run_wsaudit

    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--lang", "xx")
    assert result.code == 2, result.stderr
    assert "--lang" in result.stderr and "Traceback" not in result.stderr
