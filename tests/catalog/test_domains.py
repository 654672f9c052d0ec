"""Registrable domains read from the part of the Public Suffix List a host's last label can
match: the answers must be those of the whole list, for every rule of it."""

from __future__ import annotations

import random

import pytest
from publicsuffixlist import PublicSuffixList

from auditor.catalog import domains
from auditor.catalog.domains import registrable_domain


@pytest.fixture(scope="module")
def whole_list() -> PublicSuffixList:
    return PublicSuffixList(accept_encoded_idn=False)


def _rules(whole: PublicSuffixList) -> list[str]:
    return sorted(whole._publicsuffix)


def _hosts_near(rule: str) -> list[str]:
    """Hosts at, below and beside ``rule``: what each kind of rule (plain, wildcard,
    exception) answers differently for."""
    name = rule.lstrip("!").replace("*", "wild")
    parent = name.partition(".")[2]
    hosts = [name, f"a.{name}", f"b.a.{name}"]
    if parent:
        hosts += [parent, f"other.{parent}", f"c.other.{parent}"]
    return hosts


def _differing(whole: PublicSuffixList, hosts: set[str]) -> list[tuple[str, str | None, str | None]]:
    """The hosts whose private suffix the label's part of the list gives otherwise than the
    whole list, with both answers."""
    found = []
    parts: dict[str, PublicSuffixList] = {}
    for host in sorted(hosts):
        label = host.rpartition(".")[2]
        if label not in parts:
            parts[label] = domains._rules_for(domains._list_text(), label)
        expected = whole.privatesuffix(host)
        answered = parts[label].privatesuffix(host)
        if answered != expected:
            found.append((host, expected, answered))
    return found


def test_every_rule_answers_as_the_whole_list_does(whole_list):
    hosts = {host for rule in _rules(whole_list) for host in _hosts_near(rule)}
    assert len(hosts) > 20_000 and _differing(whole_list, hosts) == []


def test_made_up_hosts_answer_as_the_whole_list_does(whole_list):
    rng = random.Random(5)
    labels = ["com", "uk", "co", "jp", "kobe", "city", "io", "github", "app", "x", "zz", "рф", "公司", "blogspot", "s3"]
    hosts = {".".join(rng.choice(labels) for _ in range(rng.randint(1, 5))) for _ in range(5_000)}
    assert _differing(whole_list, hosts) == []


@pytest.fixture
def fresh_lists(monkeypatch):
    """The module's parsed lists as in a process that has looked up no host yet."""
    monkeypatch.setattr(domains, "_by_label", {})
    monkeypatch.setattr(domains, "_whole", [])


def test_a_label_parses_only_the_rules_that_can_match_it(whole_list, fresh_lists):
    kept = domains._suffix_list("uk")._publicsuffix
    assert "co.uk" in kept and len(kept) < len(whole_list._publicsuffix) // 10
    assert all(rule == "uk" or rule.endswith(".uk") for rule in kept)


def test_a_label_that_no_rule_holds_parses_nothing(fresh_lists):
    assert domains._suffix_list("no-such-label")._publicsuffix == frozenset()


def test_past_a_few_labels_the_whole_list_is_parsed_once(whole_list, fresh_lists):
    labels = [f"label{number}" for number in range(domains._LABELS_APART + 3)]
    sizes = [len(domains._suffix_list(label)._publicsuffix) for label in labels]
    assert sizes == [0] * domains._LABELS_APART + [len(whole_list._publicsuffix)] * 3
    assert domains._suffix_list(labels[0]) is domains._suffix_list(labels[-1])


def test_lines_are_kept_by_the_last_label_of_their_rule():
    text = ("// a comment about com\nexample.com\nexample.org // com\n\nfoo.community\ncom\n!city.com\n"
            "*.wild.com \t\ncom.org\nxcom\n!com\n")
    assert domains._rule_lines(text, "com") == ["example.com", "com", "!city.com", "*.wild.com \t", "!com"]


def test_a_label_holding_a_line_feed_does_not_stall_the_search():
    assert domains._rule_lines("a\nb\na\n", "\na") == []


def test_an_exception_rule_and_its_wildcard():
    # *.kawasaki.jp is public, !city.kawasaki.jp is not.
    assert registrable_domain("https://www.city.kawasaki.jp/") == "city.kawasaki.jp"
    assert registrable_domain("https://shop.example.kawasaki.jp/") == "shop.example.kawasaki.jp"


def test_an_unknown_last_label_is_taken_as_a_public_suffix():
    assert registrable_domain("https://www.example.no-such-label/") == "example.no-such-label"
