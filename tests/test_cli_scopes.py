"""``wsaudit scopes``: search the catalog by URL fragment or words."""

from __future__ import annotations

import json

from tests.conftest import run_wsaudit


def test_exact_short_form_comes_first_with_its_facts():
    result = run_wsaudit("scopes", "drive.file")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["non-sensitive", "https://www.googleapis.com/auth/drive.file", "(drive)"]
    assert "specific Google Drive files" in lines[1]


def test_words_search_the_consent_descriptions():
    result = run_wsaudit("scopes", "specific google drive files")
    assert "https://www.googleapis.com/auth/drive.file" in result.stdout.splitlines()[0]


def test_filters_and_json():
    result = run_wsaudit("scopes", "--api", "gmail", "--classification", "restricted", "--format", "json")
    assert result.code == 0
    report = json.loads(result.stdout)
    scopes = {entry["scope"] for entry in report["scopes"]}
    assert "https://mail.google.com/" in scopes and "https://www.googleapis.com/auth/gmail.readonly" in scopes
    assert "https://www.googleapis.com/auth/gmail.send" not in scopes
    assert all(entry["classification"] == "restricted" and entry["api"] == "gmail" for entry in report["scopes"])
    assert report["catalog_sources"]["google-api-python-client"]
    full = next(entry for entry in report["scopes"] if entry["scope"] == "https://mail.google.com/")
    assert "https://www.googleapis.com/auth/gmail.modify" in full["narrower"]


def test_narrower_alternatives_are_shown():
    result = run_wsaudit("scopes", "calendar")
    block = result.stdout.split("https://www.googleapis.com/auth/calendar  (calendar)", 1)[1].split("\n", 3)
    assert "narrower:" in block[2]
    for alternative in ("calendar.events", "calendar.readonly", "calendar.app.created"):
        assert f"https://www.googleapis.com/auth/{alternative}" in block[2]


def test_no_match_exits_1_and_retired_scopes_need_all():
    assert run_wsaudit("scopes", "no-such-scope-anywhere").code == 1
    assert run_wsaudit("scopes", "m8/feeds").code == 1
    retired = run_wsaudit("scopes", "m8/feeds", "--all")
    assert retired.code == 0 and "[retired]" in retired.stdout
