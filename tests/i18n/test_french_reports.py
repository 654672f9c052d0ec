"""``wsaudit audit --lang fr``: every format in French, citations from the French policy,
JSON keys and enum values unchanged, and English untouched without ``--lang``."""

from __future__ import annotations

import json

import pytest

from auditor.reporters import FORMATS
from auditor.rules.rule_translation import localize_packs
from auditor.rules.packs import load_packs
from tests.helpers import ENGLISH_REPORT_WORDS, EXAMPLES, parse_valid_junit, run_wsaudit, sarif_schema_errors

AS_OF = ("--as-of", "2026-01-15")
FRENCH_QUOTES = {rule.id: rule.citation.quote for pack in localize_packs(load_packs(), "fr") for rule in pack.rules}


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> dict[str, str]:
    """The examples audited once in French, every format written in one run."""
    folder = tmp_path_factory.mktemp("fr")
    args = []
    for name in sorted(FORMATS):
        args += ["--format", name, "-o", str(folder / f"report.{name}")]
    result = run_wsaudit("audit", str(EXAMPLES), "--lang", "fr", *AS_OF, *args)
    assert result.code == 1, result.stderr
    return {name: (folder / f"report.{name}").read_text(encoding="utf-8") for name in FORMATS}


def test_text_report_is_in_french(french):
    text = french["text"]
    assert "en échec" in text and "réussi(s)" in text and "manifeste(s)" in text
    assert "ÉLEVÉE" in text and "faute d'éléments, ces règles n'ont pas pu décider" in text
    assert ENGLISH_REPORT_WORDS.search(text) is None, ENGLISH_REPORT_WORDS.search(text)


def test_french_messages_keep_manifest_values_untranslated(french):
    # The transfer's recipient is the manifest's text, in English, inside a French message.
    assert "transfert 'summariser' vers Hosted language model provider" in french["text"]


def test_french_dates_and_gaps(french):
    assert "du 2 avril 2026 ne date pas des 12 mois précédant le 15 janvier 2026" in french["text"]
    assert "(TLS minimal (aucun))" in french["text"]


def test_json_keeps_keys_and_enum_values_in_english(french):
    document = json.loads(french["json"])
    english = json.loads(run_wsaudit("audit", str(EXAMPLES), "--format", "json", *AS_OF).stdout)
    assert document["summary"] == english["summary"]
    assert set(document) == set(english)
    pairs = list(zip(document["findings"], english["findings"]))
    assert len(pairs) == len(english["findings"])
    for fr, en in pairs:
        assert set(fr) == set(en)
        for key in ("rule_id", "status", "severity", "category", "clause", "pointer", "line", "fingerprint"):
            assert fr[key] == en[key]
        assert fr["citation"]["url"] == en["citation"]["url"]
    assert all(fr["title"] != en["title"] and fr["remediation"] != en["remediation"] for fr, en in pairs)


def test_json_citations_quote_the_french_policy(french):
    findings = json.loads(french["json"])["findings"]
    assert findings
    assert all(finding["citation"]["quote"] == FRENCH_QUOTES[finding["rule_id"]] for finding in findings)


def test_french_sarif_is_valid_sarif(french):
    document = json.loads(french["sarif"])
    assert sarif_schema_errors(document) == []
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    scope_rule = next(rule for rule in rules if rule["id"] == "WUD-SC-001")
    assert scope_rule["shortDescription"]["text"] == "Le scope demandé est un scope OAuth Google connu"
    assert "Pourquoi c'est important" in scope_rule["fullDescription"]["text"]
    assert scope_rule["help"]["text"].startswith("Correction")


def test_french_junit_parses_and_validates(french):
    root = parse_valid_junit(french["junit"])
    failures = root.findall(".//failure")
    assert failures and all("Correction" in failure.text and "Règlement" in failure.text for failure in failures)


def test_french_markdown_tables(french):
    markdown = french["markdown"]
    assert "| Manifeste | Application | Résultat |" in markdown
    assert "| Statut | Gravité | Règle | Ligne | Constat | Correction |" in markdown
    assert "jugé au 15 janvier 2026" in markdown


def test_french_html_declares_its_language(french):
    html = french["html"]
    assert '<html lang="fr">' in html
    assert "<title>Audit Workspace" in html and "Synthèse" in html
    assert ">Correction\u00a0:<" in html


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_english_is_the_default(name):
    default = run_wsaudit("audit", str(EXAMPLES), "--format", name, *AS_OF)
    explicit = run_wsaudit("audit", str(EXAMPLES), "--format", name, "--lang", "en", *AS_OF)
    assert default.code == 1, default.stderr
    assert default.stdout == explicit.stdout
    assert "échec" not in default.stdout


def test_french_reasons_are_separated_as_french_writes_a_semicolon(tmp_path):
    # Both of the consent rule's reasons hold: French puts a space before the semicolon.
    manifest = tmp_path / "bot.yaml"
    manifest.write_text((EXAMPLES / "chat-standup-bot.yaml").read_text(encoding="utf-8").replace(
        "immediately_follows_disclosure: true", "immediately_follows_disclosure: false").replace(
        "collection_before_consent: false", "collection_before_consent: true"), encoding="utf-8")
    result = run_wsaudit("audit", str(manifest), "--lang", "fr", "--format", "json", *AS_OF)
    assert result.code == 1, result.stderr
    consent = next(finding for finding in json.loads(result.stdout)["findings"] if finding["rule_id"] == "WUD-CN-001")
    rule = next(rule for pack in localize_packs(load_packs(), "fr") for rule in pack.rules if rule.id == "WUD-CN-001")
    assert consent["message"] == " ; ".join(reason.say for reason in rule.reasons)
