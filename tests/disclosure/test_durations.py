"""Retention periods: every ISO 8601 duration the manifest schema accepts is said in words."""

from __future__ import annotations

import json
import random
import re

import pytest

from auditor.disclosure.phrasing import retention_words
from auditor.disclosure.durations import UNITS, parse_duration
from auditor.disclosure.i18n import Localizer, load_messages
from auditor.disclosure.model import Retention
from auditor.disclosure.render import MarkdownOutput
from auditor.manifest.load import manifest_schema_path

UNIT_LETTERS = {"years": "Y", "months": "M", "weeks": "W", "days": "D", "hours": "H", "minutes": "M", "seconds": "S"}


def _schema_pattern() -> re.Pattern[str]:
    schema = json.loads(manifest_schema_path().read_text(encoding="utf-8"))
    return re.compile(schema["properties"]["storage"]["items"]["properties"]["retention"]["pattern"])


def _generated(seed: int = 6, count: int = 3000) -> list[str]:
    """Well-formed durations of every shape, and near misses made by breaking them."""
    rng = random.Random(seed)
    found = set()
    for _ in range(count):
        date = "".join(f"{rng.choice(['0', '1', '2', '12', '007', '365', '1000'])}{letter}"
                       for letter in "YMWD" if rng.random() < 0.4)
        time = "".join(f"{rng.choice(['0', '1', '2', '36', '90'])}{letter}" for letter in "HM" if rng.random() < 0.4)
        if rng.random() < 0.3:
            time += rng.choice(["0", "1", "1.5", "0.25", "59", "1.0"]) + "S"
        text = "P" + date + ("T" + time if time or rng.random() < 0.05 else "")
        found.add(text)
        broken = list(text)
        operation = rng.random()
        if operation < 0.3 and len(broken) > 1:
            del broken[rng.randrange(1, len(broken))]
        elif operation < 0.6:
            broken.insert(rng.randrange(len(broken) + 1), rng.choice("PYMWDTHS.0-"))
        found.add("".join(broken))
    return sorted(found)


def test_the_parser_accepts_exactly_what_the_schema_accepts():
    pattern = _schema_pattern()
    samples = _generated()
    accepted = [text for text in samples if pattern.fullmatch(text)]
    assert len(accepted) > 500 and len(samples) - len(accepted) > 500  # both sides are exercised
    for text in samples:
        assert (parse_duration(text) is not None) == bool(pattern.fullmatch(text)), text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_accepted_duration_is_said_in_words(language):
    pattern = _schema_pattern()
    say = Localizer(load_messages(language), MarkdownOutput()).say
    not_kept = load_messages(language).text("retention.not_kept")
    for text in (text for text in _generated() if pattern.fullmatch(text)):
        duration = parse_duration(text)
        words = say(retention_words(Retention("duration", duration)))
        assert "{" not in words and text not in words, (text, words)
        amounts = re.findall(r"(\d+(?:\.\d+)?)[YMWDHS]", text)
        if all(float(amount) == 0 for amount in amounts):
            assert words == not_kept, text
        else:
            for unit, amount in duration.nonzero_parts():
                assert load_messages(language).text(f"duration.{unit}", amount).replace("{n}", "") in words + " "


def test_parts_are_kept_as_written():
    duration = parse_duration("P12M")
    assert duration.parts == ((UNITS[1], 12),)
    assert parse_duration("P0D").is_zero and parse_duration("PT0.0S").is_zero
    assert not parse_duration("P0Y1D").is_zero
    assert [unit for unit, _ in parse_duration("P1Y2M3W4DT5H6M7.5S").parts] == list(UNITS)
    assert UNIT_LETTERS["minutes"] == "M" and parse_duration("PT5M").parts == (("minutes", 5),)
    for rejected in ("P", "PT", "P1", "1D", "P1DT", "P1.5D", "PT1.5M", "P-1D", "p1d", "P1D "):
        assert parse_duration(rejected) is None, rejected


@pytest.mark.parametrize(("value", "english", "french"), [
    ("P0D", "Not kept after use", "Non conservées après utilisation"),
    ("until_user_deletes", "Kept until you delete it", "Conservées jusqu'à ce que vous les supprimiez"),
    ("until_account_closed", "Kept until you close your account", "Conservées jusqu'à la fermeture de votre compte"),
    ("indefinite", "Kept indefinitely", "Conservées sans limite de durée"),
    (None, "Retention period not stated", "Durée de conservation non précisée"),
])
def test_retention_keywords(value, english, french):
    from auditor.disclosure.build import _retention

    for language, expected in (("en", english), ("fr", french)):
        say = Localizer(load_messages(language), MarkdownOutput()).say
        assert say(retention_words(_retention(value))) == expected
