"""``wsaudit scopes``: search the catalog by URL fragment or words."""

from __future__ import annotations

import json

from tests.helpers import run_wsaudit


def test_exact_short_form_comes_first_with_its_facts():
    result = run_wsaudit("scopes", "drive.file")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["non-sensitive", "https://www.googleapis.com/auth/drive.file", "(drive)"]
    assert "specific Google Drive files" in lines[1]


def test_words_search_the_consent_descriptions():
    result = run_wsaudit("scopes", "specific google drive files")
    assert "https://www.googleapis.com/auth/drive.file" in result.stdout.splitlines()[0]


def test_filters_and_json():
    result = run_wsaudit("scopes", "--api", "gmail", "--classification", "restricted", "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    scopes = {entry["scope"] for entry in report["scopes"]}
    assert "https://mail.google.com/" in scopes and "https://www.googleapis.com/auth/gmail.readonly" in scopes
    assert "https://www.googleapis.com/auth/gmail.send" not in scopes
    assert all(entry["classification"] == "restricted" and entry["api"] == "gmail" for entry in report["scopes"])
    assert report["catalog_sources"]["google-api-python-client"]
    full = next(entry for entry in report["scopes"] if entry["scope"] == "https://mail.google.com/")
    assert "https://www.googleapis.com/auth/gmail.modify" in full["narrower"]


def _block(stdout: str, header: str) -> list[str]:
    """The lines shown for one scope: its header line and the indented lines after it."""
    lines = stdout.splitlines()
    start = next(index for index, line in enumerate(lines) if line.split()[1:3] == header.split())
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith(" "):
            break
        block.append(line.strip())
    return block


def test_narrower_alternatives_are_shown():
    result = run_wsaudit("scopes", "calendar")
    block = _block(result.stdout, "https://www.googleapis.com/auth/calendar (calendar)")
    narrower = next(line for line in block if line.startswith("narrower:"))
    for alternative in ("calendar.events", "calendar.readonly", "calendar.app.created"):
        assert f"https://www.googleapis.com/auth/{alternative}" in narrower


def test_each_classification_shows_its_source_and_quote():
    result = run_wsaudit("scopes", "chat.delete")
    assert result.code == 0, result.stderr
    block = _block(result.stdout, "https://www.googleapis.com/auth/chat.delete (chat)")
    assert block[0].startswith("restricted")
    assert "source: https://github.com/googleworkspace/vscode-extension/" in "\n".join(block)
    assert any(line.startswith("quote: ") and "chat.delete" in line for line in block)


def test_inferred_classification_shows_its_reasoning():
    result = run_wsaudit("scopes", "calendar.events.owned")
    block = _block(result.stdout, "https://www.googleapis.com/auth/calendar.events.owned (calendar)")
    source = next(line for line in block if line.startswith("source: "))
    assert source.startswith("source: inferred: ") and len(source) > len("source: inferred: ") + 20


def test_alternatives_are_shown_apart_from_narrower_scopes():
    result = run_wsaudit("scopes", "drive.readonly")
    block = _block(result.stdout, "https://www.googleapis.com/auth/drive.readonly (drive)")
    narrower = next(line for line in block if line.startswith("narrower:"))
    assert "drive.file" not in narrower
    assert any(line.startswith("alternative: https://www.googleapis.com/auth/drive.file (") for line in block)


def test_json_carries_source_kind_quote_and_alternatives():
    result = run_wsaudit("scopes", "drive.readonly", "--format", "json")
    assert result.code == 0, result.stderr
    entry = next(item for item in json.loads(result.stdout)["scopes"]
                 if item["scope"] == "https://www.googleapis.com/auth/drive.readonly")
    assert entry["classification_source_kind"] == "restricted_list"
    assert "drive.readonly" in entry["classification_quote"]
    assert [item["scope"] for item in entry["alternatives"]] == ["https://www.googleapis.com/auth/drive.file"]
    assert entry["alternatives"][0]["trade"]


def test_provenance_counts_sourced_and_inferred_classifications():
    result = run_wsaudit("scopes", "--provenance", "--format", "json")
    assert result.code == 0, result.stderr
    counts = json.loads(result.stdout)["provenance"]
    listed = json.loads(run_wsaudit("scopes", "--all", "--format", "json").stdout)["scopes"]
    inferred = sum(entry["classification_source"] == "inferred" for entry in listed)
    assert counts["all"]["total"] == len(listed)
    assert counts["all"]["inferred"] == inferred
    assert counts["all"]["sourced"] == sum(counts["all"]["sourced_by_kind"].values()) == len(listed) - inferred
    assert set(counts["workspace"]["sourced_by_kind"]) <= {
        "api_page", "restricted_list", "developer_tools_list", "policy_definition"}
    assert counts["workspace"]["total"] < counts["all"]["total"]


def test_provenance_text():
    result = run_wsaudit("scopes", "--provenance")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Workspace scopes: ") and "sourced" in lines[0] and "inferred" in lines[0]
    assert any(line.startswith("all scopes: ") for line in lines)
    assert "  restricted_list: 16" in lines


def test_no_match_exits_1_and_retired_scopes_need_all():
    result = run_wsaudit("scopes", "no-such-scope-anywhere")
    assert result.code == 1, result.stderr
    result = run_wsaudit("scopes", "m8/feeds")
    assert result.code == 1, result.stderr
    retired = run_wsaudit("scopes", "m8/feeds", "--all")
    assert retired.code == 0 and "[retired]" in retired.stdout, (retired.stdout, retired.stderr)
