"""``wsaudit diff --lang fr``: the changes, the verdict and every format's fixed strings in
French, the diff rules translated with their placeholders, English untouched without it."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from auditor.rules.packs import PLACEHOLDER
from auditor.rules.policy_facts import diff_rules
from auditor.rules.i18n import languages, report_text
from auditor.rules.rule_translation import diff_language
from auditor.reporters import FORMATS
from tests.helpers import REPO, VisibleText, parse_valid_junit, run_wsaudit, sarif_schema_errors
from tests.diff.support import AD_TRANSFER, AS_OF, DIGEST, LONGER_RETENTION, RESTRICTED_SCOPE, edited

OTHER_LANGUAGES = [lang for lang in languages() if lang != "en"]
HEAD = edited(RESTRICTED_SCOPE, AD_TRANSFER, LONGER_RETENTION)
# English words of the diff's fixed strings and rule texts that must not appear in French.
ENGLISH_WORDS = re.compile(r"\b(failed|passed|incomplete|waived|manifest\(s\)|escalations?|introduced|fixed|"
                           r"changed|new restricted scope|new recipient|Compared|Changes from|at or above|"
                           r"None needed|Remediation|Policy|severity|rule|line|detail|subject|area|"
                           r"state|unset)\b")


@pytest.fixture(scope="module")
def revisions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diff-fr")
    (folder / "base.yaml").write_text(DIGEST, encoding="utf-8")
    (folder / "head.yaml").write_text(HEAD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def french(revisions) -> dict[str, str]:
    """The comparison in French, every format written in one run."""
    args = []
    for name in sorted(FORMATS):
        args += ["--format", name, "-o", f"report.{name}"]
    result = run_wsaudit("diff", "base.yaml", "head.yaml", "--lang", "fr", *AS_OF, *args, cwd=revisions)
    assert result.code == 1, result.stderr
    return {name: (revisions / f"report.{name}").read_text(encoding="utf-8") for name in FORMATS}


def _without_manifest_values(text: str) -> str:
    """``text`` without the values the manifests and the catalog give (field names, ids,
    purposes, URLs, paths), which stay as written."""
    for value in ("retention", "message-bodies", "advertising_platform", "advertising", "summaries-db",
                  "head.yaml", "base.yaml"):
        text = text.replace(value, "")
    return re.sub(r"https?://\S+", "", text)


def test_text_diff_is_in_french(french):
    text = french["text"]
    assert "scopes https://mail.google.com/\u00a0: nouveau scope restreint (gmail)" in text
    assert "transferts ads\u00a0: nouveau destinataire AdCo" in text
    assert text.rstrip().splitlines()[-1] == (
        "ÉCHEC\u00a0: 1 manifeste(s) modifié(s) sur 1, 3 aggravation(s), 2 constat(s) introduit(s), "
        "1 en échec de gravité élevée ou plus, 0 corrigé(s)")
    assert ENGLISH_WORDS.search(_without_manifest_values(text)) is None, ENGLISH_WORDS.search(text)


def test_markdown_diff_is_in_french(french):
    markdown = french["markdown"]
    assert "| manifeste | état | aggravations | introduits | corrigés |" in markdown
    assert "| aggravation | stockage | summaries-db | retention\u00a0: P7D → P30D |" in markdown
    assert "**Introduits**" in markdown and "Comparaison de base.yaml avec head.yaml." in markdown
    found = ENGLISH_WORDS.search(_without_manifest_values(markdown))
    assert found is None, found


def test_html_diff_is_in_french(french):
    parser = VisibleText()
    parser.feed(french["html"])
    visible = " ".join(parser.parts)
    assert '<html lang="fr">' in french["html"]
    assert "Différences de conformité des API Workspace" in visible
    assert "chaque changement est un constat d'une règle WUD-DIFF" in visible
    found = ENGLISH_WORDS.search(_without_manifest_values(visible))
    assert found is None, found


def test_french_diff_sarif_is_valid_and_describes_the_diff_rules_in_french(french):
    document = json.loads(french["sarif"])
    assert sarif_schema_errors(document) == []
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["WUD-DIFF-001"]["shortDescription"]["text"] == "Nouveau scope restreint"
    assert rules["WUD-DIFF-101"]["help"]["text"].startswith("Correction\u00a0: Rien à faire")
    messages = [result["message"]["text"] for result in document["runs"][0]["results"]]
    assert any(message.startswith("stockage summaries-db\u00a0: retention") for message in messages)


def test_french_diff_junit_parses(french):
    root = parse_valid_junit(french["junit"])
    texts = [failure.text or "" for failure in root.iter("failure")]
    assert texts and all("Correction" in text for text in texts)


def test_french_diff_json_keeps_keys_values_and_fingerprints(french, revisions):
    english = run_wsaudit("diff", "base.yaml", "head.yaml", "--format", "json", *AS_OF, cwd=revisions)
    assert english.code == 1, english.stderr
    fr, en = json.loads(french["json"]), json.loads(english.stdout)
    assert fr["summary"] == en["summary"]
    assert [(f["rule_id"], f["status"], f["severity"], f["fingerprint"]) for f in fr["findings"]] == [
        (f["rule_id"], f["status"], f["severity"], f["fingerprint"]) for f in en["findings"]]
    fr_changes = fr["diff"]["manifests"][0]["changes"]
    en_changes = en["diff"]["manifests"][0]["changes"]
    assert [(c["area"], c["risk"], c["rule_id"]) for c in fr_changes] == [
        (c["area"], c["risk"], c["rule_id"]) for c in en_changes]
    assert [c["detail"] for c in fr_changes][0] == "nouveau scope restreint (gmail)"


def test_a_fixed_finding_says_so_in_french(revisions):
    result = run_wsaudit("diff", "head.yaml", "base.yaml", "--lang", "fr", *AS_OF, cwd=revisions)
    assert result.code == 0, result.stderr
    assert "corrigé par ce changement\u00a0: transfert 'ads' vers AdCo" in result.stdout
    assert "Scope retiré" not in result.stdout and "scope retiré (restreint)" in result.stdout


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_english_diff_is_the_default(name, revisions):
    default = run_wsaudit("diff", "base.yaml", "head.yaml", "--format", name, *AS_OF, cwd=revisions)
    explicit = run_wsaudit("diff", "base.yaml", "head.yaml", "--format", name, "--lang", "en", *AS_OF,
                           cwd=revisions)
    assert default.code == 1, default.stderr
    assert default.stdout == explicit.stdout
    assert "aggravation" not in default.stdout and "échec" not in default.stdout


def test_english_diff_verdict_keeps_its_wording(revisions):
    result = run_wsaudit("diff", "base.yaml", "head.yaml", *AS_OF, cwd=revisions)
    assert result.code == 1, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == (
        "FAIL: 1 of 1 manifest(s) changed, 3 escalation(s), 2 finding(s) introduced, "
        "1 failing at or above high, 0 fixed")


def test_diff_refuses_an_unknown_language_with_exit_2(revisions):
    result = run_wsaudit("diff", "base.yaml", "head.yaml", "--lang", "xx", cwd=revisions)
    assert result.code == 2, result.stderr
    assert "--lang" in result.stderr and "Traceback" not in result.stderr


def _raw_diff_catalog(lang: str) -> dict:
    return yaml.safe_load((REPO / "policies" / "i18n" / f"diff-{lang}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_diff_rule_is_translated_with_the_same_placeholders(lang):
    catalog = _raw_diff_catalog(lang)["rules"]
    english = {rule.id: rule for rule in diff_rules().rules}
    assert sorted(set(english) - set(catalog)) == [], "diff rules without a translation"
    assert sorted(set(catalog) - set(english)) == [], "translations of diff rules that do not exist"
    for rule_id, rule in english.items():
        entry = catalog[rule_id]
        assert entry["title"] and entry["remediation"], rule_id
        assert set(PLACEHOLDER.findall(entry["message"])) == set(PLACEHOLDER.findall(rule.message)), rule_id


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translated_diff_rules_change_only_their_wording(lang):
    local = diff_language(lang)
    for english, translated in zip(diff_rules().rules, local.rules.rules):
        assert (translated.id, translated.change, translated.direction, translated.severity, translated.when) == (
            english.id, english.change, english.direction, english.severity, english.when)
        assert translated.title != english.title and translated.citation.quote != english.citation.quote
        assert translated.citation.url == english.citation.url
    for kind in ("finding_message", "fixed_message"):
        english_fields = set(PLACEHOLDER.findall(getattr(diff_rules(), kind)))
        assert set(PLACEHOLDER.findall(getattr(local.rules, kind))) == english_fields


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_diff_catalog_cites_every_citation_the_rules_use(lang):
    english = yaml.safe_load((REPO / "policies" / "facts" / "diff-rules.yaml").read_text(encoding="utf-8"))
    assert set(_raw_diff_catalog(lang)["citations"]) == set(english["citations"])


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_area_a_change_names_has_a_word(lang):
    areas = {key.removeprefix("diff.areas.") for key in report_text(lang).strings if key.startswith("diff.areas.")}
    assert {"scopes", "use cases", "data", "storage", "transfers", "human access"} <= areas
