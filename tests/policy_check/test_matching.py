"""Reading policies (positions through HTML), matching words, claims, languages, linearity."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.manifest.load import load_manifest
from auditor.policy_check.matching import PolicyIndex
from auditor.policy_check.source import PolicySourceError, decode_policy, detect_format, policy_text
from auditor.policy_check.verdicts import check_policy_text
from auditor.policy_check.vocabulary import Term, available_languages, load_vocabulary
from tests.helpers import DESK_PLANNER, big_manifest_files, lines_run


@pytest.fixture
def manifest(tmp_path: Path):
    path = tmp_path / "app.yaml"
    path.write_text(DESK_PLANNER, encoding="utf-8")
    return load_manifest(str(path))


def _check(manifest, text: str, text_format: str = "text", language: str | None = None):
    return check_policy_text(policy_text("policy", text, text_format), manifest, ScopeCatalog.load(), language)


def _by_rule(checked, rule_id: str):
    return [f for f in checked.result.findings if f.rule_id == rule_id]


def test_html_positions_point_into_the_source_file():
    source = ('<html><body>\n<div class="x"><p>Intro &amp; more.</p>\n'
              '  <p>We <b>store</b> your &#x201C;events&#x201D; in the <em>cloud</em>.</p></div></body></html>\n')
    policy = policy_text("p.html", source, "html")
    index = PolicyIndex(policy)
    lines = source.splitlines()
    for word in ("store", "events", "cloud", "more"):
        hit = index.hits((Term.parse(word),))[0]
        line, column = index.position(hit)
        assert lines[line - 1][column - 1:].startswith(word), (word, line, column)


def test_html_script_and_style_content_is_not_policy_text():
    policy = policy_text("p.html", "<p>Visible</p><script>var hidden = 1;</script><style>p{}</style>", "html")
    assert "hidden" not in policy.text
    assert "Visible" in policy.text


def test_format_is_told_by_name_media_type_and_content():
    assert detect_format("policy.md", "# Title") == "markdown"
    assert detect_format("policy", "<!DOCTYPE html><html>") == "html"
    assert detect_format("https://x.example/privacy", "plain words", "text/html; charset=utf-8") == "html"
    assert detect_format("policy.txt", "<p>named as text, read as text</p>") == "text"


def test_binary_policy_is_refused_with_its_name():
    with pytest.raises(PolicySourceError, match="binary"):
        decode_policy(b"abc\x00def", "policy.bin")


def test_prefix_and_phrase_terms_ignore_case_accents_and_apostrophes():
    index = PolicyIndex(policy_text("p", "Deletion is DELETED. We don\u2019t share. Données gérées.", "text"))
    assert len(index.occurrences(Term.parse("delet*"))) == 2
    assert len(index.occurrences(Term.parse("don't share"))) == 1
    assert len(index.occurrences(Term.parse("donnees gerees"))) == 1


def test_phrase_does_not_run_across_a_sentence_end():
    index = PolicyIndex(policy_text("p", "We do not.\nShare anything", "text"))
    assert index.occurrences(Term.parse("do not share")) == []


def test_facts_covered_with_words_and_positions(manifest):
    text = ("Desk Planner reads and edits events in your Google Calendar to book desks.\n"
            "Booking events are stored with our cloud hosting provider and deleted after 30 days.\n"
            "We share booking events with Postbox Mail, which sends reminders.\n"
            "You can delete your data at any time in Settings.\n"
            "Report security issues to security@deskplanner.example.\n"
            "Desk Planner's use of information received from Google APIs will adhere to the Google API Services "
            "User Data Policy, including the Limited Use requirements.\n")
    checked = _check(manifest, text)
    statuses = {(f.rule_id, f.pointer): f.status for f in checked.result.findings}
    assert set(statuses.values()) == {"pass"}, [f.message for f in checked.result.findings if f.status != "pass"]
    recipient = _by_rule(checked, "PPC-TR8-003")[0]
    assert (recipient.line, recipient.column) == (3, 4) and "'share*' at 3:4" in recipient.message


def test_missing_recipient_fails_naming_the_transfer(manifest):
    checked = _check(manifest, "Desk Planner reads events in your calendar to book desks.\n")
    recipient = _by_rule(checked, "PPC-TR8-003")[0]
    assert recipient.status == "fail" and recipient.pointer == "/transfers/0"
    assert "transfers/0 (mailer)" in recipient.message and "no words for" in recipient.message


def test_never_share_claim_fails_when_the_manifest_declares_a_transfer(manifest):
    checked = _check(manifest, "Desk Planner reads your calendar events.\nWe never share your data with anyone.\n")
    claim = _by_rule(checked, "PPC-TR8-008")
    assert [(f.status, f.pointer, f.line) for f in claim] == [("fail", "/transfers/0", 2)]


def test_do_not_store_claim_fails_when_the_manifest_stores_in_the_cloud(manifest):
    checked = _check(manifest, "We do not store your calendar.\n")
    claim = _by_rule(checked, "PPC-TR8-008")
    assert [(f.status, f.pointer) for f in claim] == [("fail", "/storage/0")]


def test_qualified_claim_is_not_a_blanket_claim(manifest):
    checked = _check(manifest, "No data is saved except the booking title.\n")
    assert _by_rule(checked, "PPC-TR8-008") == []


def test_french_policy_is_detected_and_matched(manifest):
    text = ("Desk Planner lit et modifie les événements de votre agenda Google pour réserver des bureaux.\n"
            "Nous ne partageons jamais vos données.\n"
            "L'utilisation des informations reçues des API Google respectera le Règlement sur les données "
            "utilisateur des services d'API Google, y compris les exigences d'utilisation limitée.\n")
    checked = _check(manifest, text)
    assert checked.language == "fr"
    assert _by_rule(checked, "PPC-LU5-001")[0].status == "pass"
    assert [f.status for f in _by_rule(checked, "PPC-TR8-008")] == ["fail"]
    assert {f.status for f in _by_rule(checked, "PPC-TR8-001")} == {"pass"}


def test_language_can_be_forced(manifest):
    checked = _check(manifest, "Nous lisons votre agenda.\n", language="en")
    assert checked.language == "en"


def test_every_language_has_the_same_word_lists():
    keys = {code: set(load_vocabulary(code).raw) for code in available_languages()}
    assert {"en", "fr"} <= set(keys)
    assert len({frozenset(k) for k in keys.values()}) == 1
    english, french = load_vocabulary("en").raw, load_vocabulary("fr").raw
    for section in ("access", "category", "purpose", "recipient_type", "location", "retention", "claims"):
        assert set(english[section]) == set(french[section]), section


def test_matching_effort_grows_linearly_with_policy_size(manifest):
    paragraph = ("Our service reads events from Google Calendar and stores booking details in the cloud. "
                 "Bookings are retained for thirty days, then deleted. We never sell data. ")
    work = {copies: _check(manifest, paragraph * copies).work for copies in (500, 1000, 2000)}
    assert 1.8 < work[1000] / work[500] < 2.2
    assert 1.8 < work[2000] / work[1000] < 2.2


def test_checking_effort_grows_linearly_when_manifest_and_policy_grow_together(tmp_path):
    # The policy is the manifest's own disclosure, so each of its transfers, storage places
    # and grants is both a fact to check and a passage the policy holds. Before, each fact
    # went through the hits of all its groups' words: 5.1 M lines for 150 entries, 18.5 M
    # for 300.
    from auditor.disclosure.build import build_disclosure
    from auditor.disclosure.render import render_disclosure

    catalog = ScopeCatalog.load()
    cases = {}
    for size, path in big_manifest_files(tmp_path, (150, 300)).items():
        manifest = load_manifest(str(path))
        cases[size] = (manifest, render_disclosure(build_disclosure(manifest.model, catalog)))
    _check(*cases[150], "markdown")  # first use: word lists and rules loaded, not counted
    small, large = (lines_run(lambda size=size: _check(*cases[size], "markdown")) for size in (150, 300))
    assert large <= 2.2 * small
