"""The least-privileged scope set of the calls, restrictions on scopes, and the comparison with a manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.scan.calls import ApiCall
from auditor.scan.least import ScopeCost, compare, least_cover, needs_of
from auditor.scan.methods import load_method_table
from auditor.catalog.scope_names import canonical_scope
from tests.helpers import run_wsaudit

A = "https://www.googleapis.com/auth/"


def _cost() -> ScopeCost:
    return ScopeCost(ScopeCatalog.load(), load_method_table().breadth)


def _call(method: str, unseen: str = "", **stated: str | None) -> ApiCall:
    scopes = load_method_table().by_id[method].scopes
    return ApiCall("app.py", 1, 1, method.split(".")[0], method, "client", scopes, tuple(sorted(stated.items())),
                   unseen)


def test_one_scope_covering_several_calls_beats_two():
    # drive.readonly alone would need a second scope for the upload; drive.file covers both.
    cover = least_cover([needs.options for needs in needs_of([_call("drive.files.list"), _call("drive.files.create")])],
                        _cost())
    assert cover.scopes == (A + "drive.file",)


def test_fewer_scopes_of_the_same_class_win():
    sets = [frozenset({A + "gmail.readonly", A + "gmail.modify"}), frozenset({A + "gmail.modify", A + "gmail.insert"})]
    assert least_cover(sets, _cost()).scopes == (A + "gmail.modify",)


def test_a_search_too_large_falls_back_to_greedy():
    sets = [frozenset({A + "gmail.readonly", A + "gmail.modify"}), frozenset({A + "gmail.send", A + "gmail.modify"})]
    assert least_cover(sets, _cost(), max_nodes=1).exact is False
    assert least_cover(sets, _cost()).exact is True


def test_format_full_rules_out_gmail_metadata():
    full, = needs_of([_call("gmail.users.messages.get", format="full")])
    assert A + "gmail.metadata" not in full.options
    assert "format=full" in next(item.reason for item in full.excluded if item.scope == A + "gmail.metadata")


def test_unstated_format_is_the_default_full_and_rules_out_gmail_metadata():
    default, = needs_of([_call("gmail.users.messages.get")])
    assert A + "gmail.metadata" not in default.options


def test_format_metadata_allows_gmail_metadata():
    metadata, = needs_of([_call("gmail.users.messages.get", format="metadata")])
    assert A + "gmail.metadata" in metadata.options


def test_a_query_rules_out_gmail_metadata_for_list():
    searched, plain = needs_of([_call("gmail.users.messages.list", q="is:unread"), _call("gmail.users.messages.list")])
    assert A + "gmail.metadata" not in searched.options
    assert A + "gmail.metadata" in plain.options


def test_parameters_out_of_sight_rule_out_gmail_metadata_for_list():
    # The options passed by name may hold a query, which gmail.metadata forbids.
    hidden, = needs_of([_call("gmail.users.messages.list", unseen="object")])
    reasons = {item.scope: item.reason for item in hidden.excluded}
    assert "may pass q through an object of parameters" in reasons.get(A + "gmail.metadata", "")


def test_parameters_out_of_sight_rule_out_gmail_metadata_even_beside_format_metadata():
    hidden, = needs_of([_call("gmail.users.messages.get", unseen="unpacked", format="metadata")])
    assert A + "gmail.metadata" not in hidden.options


def test_add_on_scopes_are_never_offered_for_a_plain_call():
    need, = needs_of([_call("gmail.users.messages.get", format="full")])
    assert not {scope for scope in need.options if ".addons." in scope}


def test_broader_declared_scope_names_what_would_suffice_with_its_cost():
    needs = needs_of([_call("drive.files.list")])
    result = compare(needs, [A + "drive"], _cost())
    assert [(item.scope, item.instead) for item in result.broader] == [(A + "drive", (A + "drive.file",))]
    assert "created or the user opened" in result.broader[0].caveats[0].cost


QUICKSTART = '''\
"""Prints the labels of the user's mailbox."""
import os.path

from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

# Changing these scopes means deleting token.json.
SCOPES = ["https://www.googleapis.com/auth/gmail.readonly"]


def print_labels(creds: Credentials) -> None:
    service = build("gmail", "v1", credentials=creds)
    response = service.users().labels().list(userId="me").execute()
    for label in response.get("labels", []):
        print(label["name"])
'''


def _manifest(tmp_path: Path, *scopes: str) -> Path:
    manifest = tmp_path / "app.yaml"
    manifest.write_text("manifest_version: 1\napp: {name: Labels, developer: Labels Ltd, type: installed}\nscopes:\n"
                        + "".join(f"  - scope: {scope}\n" for scope in scopes), encoding="utf-8")
    return manifest


def test_quickstart_needs_only_gmail_labels(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "quickstart.py").write_text(QUICKSTART, encoding="utf-8")
    manifest = _manifest(tmp_path, "gmail.readonly")
    result = run_wsaudit("scan-code", str(tmp_path / "src"), "--manifest", str(manifest), "--format", "json")
    assert result.code == 0, result.stderr
    least = json.loads(result.stdout)["least_privilege"]
    assert least["calls"] == [{"file": "quickstart.py", "line": 14, "column": 41, "api": "gmail",
                               "method": "gmail.users.labels.list", "kind": "client", "ruled_out": []}]
    assert least["needed"] == [A + "gmail.labels"]
    assert [(item["scope"], item["instead"]) for item in least["broader_than_needed"]] == [
        (A + "gmail.readonly", [A + "gmail.labels"])]
    assert least["unauthorized_calls"] == [] and least["unresolved"] == []


def test_broader_scope_fails_at_fail_on_medium(tmp_path: Path):
    (tmp_path / "quickstart.py").write_text(QUICKSTART, encoding="utf-8")
    manifest = _manifest(tmp_path, "gmail.readonly")
    result = run_wsaudit("scan-code", str(tmp_path / "quickstart.py"), "--manifest", str(manifest),
                         "--fail-on", "medium")
    assert result.code == 1, result.stderr
    assert f"{manifest}:4:5  MEDIUM    SCAN-003  {A}gmail.readonly (restricted) is broader than the calls it serves need" in result.stdout


def test_unauthorized_apps_script_call_fails(tmp_path: Path):
    project = tmp_path / "addon"
    project.mkdir()
    (project / "appsscript.json").write_text(json.dumps({"oauthScopes": [A + "script.container.ui"]}))
    (project / "Menu.js").write_text("function onOpen() {\n  DocumentApp.getUi().createMenu('Go').addToUi();\n}\n")
    manifest = _manifest(tmp_path, "script.container.ui")
    result = run_wsaudit("scan-code", str(project), "--manifest", str(manifest), "--format", "json")
    assert result.code == 1, result.stderr
    least = json.loads(result.stdout)["least_privilege"]
    assert least["unauthorized_calls"] == [{"file": "Menu.js", "line": 2, "method": "DocumentApp.getUi",
                                            "any_of": [A + "documents", A + "documents.currentonly"]}]
    assert least["needed"] == [A + "documents.currentonly"]


def test_calls_in_vendored_folders_are_not_read(tmp_path: Path):
    vendored = tmp_path / "node_modules" / "lib"
    vendored.mkdir(parents=True)
    (vendored / "index.js").write_text("const g = google.gmail('v1');\ng.users.messages.send({userId: 'me'});\n")
    manifest = _manifest(tmp_path, "openid")
    result = run_wsaudit("scan-code", str(tmp_path), "--manifest", str(manifest), "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["least_privilege"]["calls"] == []


def test_shell_and_terraform_scope_strings_are_found(tmp_path: Path):
    (tmp_path / "login.sh").write_text("#!/bin/sh\n# --scopes=gmail.send\ngcloud auth application-default login "
                                       "--scopes=openid,https://www.googleapis.com/auth/drive.file\n")
    (tmp_path / "main.tf").write_text('scopes = ["https://www.googleapis.com/auth/calendar.readonly"]\n')
    manifest = _manifest(tmp_path, "openid")
    report = json.loads(run_wsaudit("scan-code", str(tmp_path), "--manifest", str(manifest), "--format", "json").stdout)
    assert sorted((use["path"].rsplit("/", 1)[-1], use["scope"]) for use in report["uses"]) == [
        ("login.sh", canonical_scope("drive.file")), ("login.sh", "openid"),
        ("main.tf", canonical_scope("calendar.readonly"))]


def test_a_format_stated_in_a_nested_call_does_not_make_gmail_metadata_enough(tmp_path: Path):
    # The get fetches whole messages (format left at its default, full); the format belongs
    # to the helper called in its arguments.
    (tmp_path / "reader.py").write_text(
        'from googleapiclient.discovery import build\nservice = build("gmail", "v1")\n'
        'service.users().messages().get(userId="me", id=pick(ids, format="metadata")).execute()\n')
    manifest = _manifest(tmp_path, "gmail.readonly")
    result = run_wsaudit("scan-code", str(tmp_path), "--manifest", str(manifest), "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["least_privilege"]["broader_than_needed"] == []


@pytest.mark.parametrize(("name", "code"), [
    ("list.js", "const gmail = google.gmail({version: 'v1', auth});\nawait gmail.users.messages.list(params);\n"),
    ("list.js", "const gmail = google.gmail({version: 'v1', auth});\nawait gmail.users.messages.list({'q': query});\n"),
    ("list.py", 'from googleapiclient.discovery import build\nservice = build("gmail", "v1")\n'
                'service.users().messages().list(userId="me", **options).execute()\n'),
], ids=["node-parameters-by-name", "node-quoted-query", "python-unpacked-options"])
def test_a_query_the_code_may_pass_does_not_make_gmail_metadata_enough(tmp_path: Path, name: str, code: str):
    # gmail.metadata cannot search (q); a list call whose query is out of sight, or stated
    # under a quoted key, must not be told that gmail.metadata would do.
    (tmp_path / name).write_text(code, encoding="utf-8")
    manifest = _manifest(tmp_path, "gmail.readonly")
    result = run_wsaudit("scan-code", str(tmp_path), "--manifest", str(manifest), "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["least_privilege"]["broader_than_needed"] == []


def test_a_narrower_scope_a_call_rules_out_is_named_with_why():
    result = compare(needs_of([_call("gmail.users.messages.list", q="is:unread")]), [A + "gmail.readonly"], _cost())
    assert [(item.scopes, str(item.reason)) for item in result.ruled_out] == [
        ((A + "gmail.metadata",), "the call passes q: the call could not search with a Gmail query (q)")]


def test_only_scopes_cheaper_than_the_chosen_one_are_named_as_ruled_out():
    # drive.files.list rules out drive.appdata (non-sensitive) and two restricted scopes that
    # reach one kind of file; drive.file (non-sensitive) is chosen, so only drive.appdata
    # would have been cheaper.
    need, = needs_of([_call("drive.files.list")])
    result = compare((need,), [A + "drive.file"], _cost())
    excluded = {item.scope for item in need.excluded}
    assert (A + "drive.meet.readonly" in excluded, [item.scopes for item in result.ruled_out]) == (
        True, [(A + "drive.appdata",)])


def test_scopes_ruled_out_for_one_reason_in_the_same_calls_are_named_together():
    result = compare(needs_of([_call("gmail.users.messages.get", format="full")]), [A + "gmail.readonly"], _cost())
    add_ons = [item.scopes for item in result.ruled_out if "add-on" in item.reason]
    assert add_ons == [tuple(A + f"gmail.addons.current.message.{kind}" for kind in ("action", "metadata", "readonly"))]



def test_a_download_of_the_content_rules_out_the_drive_metadata_scopes():
    download, metadata = needs_of([_call("drive.files.get", alt="media"), _call("drive.files.get")])
    for scope in ("drive.metadata", "drive.metadata.readonly"):
        assert A + scope not in download.options
        assert "alt=media" in next(item.reason for item in download.excluded if item.scope == A + scope)
        assert A + scope in metadata.options


def test_a_download_with_only_a_drive_metadata_scope_is_an_unauthorized_call(tmp_path: Path):
    # drive.metadata.readonly authorizes files.get for the file's metadata, not a download
    # of its content (`get_media`): the download fails, the metadata read does not.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "sync.py").write_text(
        "from googleapiclient.discovery import build\nservice = build('drive', 'v3')\n"
        "service.files().get(fileId='x').execute()\nservice.files().get_media(fileId='x')\n", encoding="utf-8")
    manifest = _manifest(tmp_path, "drive.metadata.readonly")
    result = run_wsaudit("scan-code", str(tmp_path / "src"), "--manifest", str(manifest), "--format", "json")
    assert result.code == 1, result.stderr
    least = json.loads(result.stdout)["least_privilege"]
    assert least["unauthorized_calls"] == [{"file": "sync.py", "line": 4, "method": "drive.files.get",
                                            "any_of": [A + "drive", A + "drive.file", A + "drive.readonly"]}]
