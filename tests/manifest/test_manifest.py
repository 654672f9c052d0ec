"""Manifest checks: top level, version, schema errors in the manifest's terms, references."""

from __future__ import annotations

import json

import pytest

from auditor.model.errors import AuditorError, ManifestError
from auditor.manifest.load import expand_paths, load_manifest, manifest_schema_path
from tests.helpers import MINIMAL


def errors_of(write, text: str) -> list[str]:
    path = write("m.yaml", text)
    with pytest.raises(AuditorError) as caught:
        load_manifest(str(path))
    errors = getattr(caught.value, "errors", [caught.value])
    return [str(error).replace(str(path), "m.yaml") for error in errors]


def test_minimal_manifest_is_valid(write):
    manifest = load_manifest(str(write("m.yaml", MINIMAL)))
    assert manifest.app_name == "Tiny"
    assert manifest.locate("/scopes/0/scope") == (7, 12)


def test_top_level_must_be_a_mapping(write):
    assert errors_of(write, "- a\n- b\n") == [
        "m.yaml:1:1: error: the top level of a manifest must be a mapping of keys "
        "(manifest_version, app, scopes, …), found a list"
    ]


@pytest.mark.parametrize("value", ["2", "'1'", "1.0", "true"])
def test_unsupported_manifest_version(write, value):
    [message] = errors_of(write, MINIMAL.replace("manifest_version: 1", f"manifest_version: {value}"))
    assert message.startswith("m.yaml:1:19: error: unsupported manifest_version")


def test_missing_manifest_version(write):
    [message] = errors_of(write, MINIMAL.replace("manifest_version: 1\n", ""))
    assert message.startswith("m.yaml:1:1: error: missing manifest_version")


def test_unknown_key_names_the_key_and_suggests(write):
    text = MINIMAL + "    justfication: because\n"
    [message] = errors_of(write, text)
    assert message.startswith(
        "m.yaml:8:5: error: unknown key 'justfication' in scopes[0] (did you mean 'justification'?)"
    )


def test_unknown_top_level_key_and_extension_keys(write):
    text = MINIMAL + "x-owner: team-a\nowner: team-a\napp_extra: 1\n"
    messages = errors_of(write, text.replace("  type: web\n", "  type: web\n  x-note: fine\n"))
    assert [m.split(" error: ")[1].split(";")[0] for m in messages] == [
        "unknown key 'owner' in the top level",
        "unknown key 'app_extra' in the top level",
    ]
    assert messages[0].startswith("m.yaml:10:1:")


def test_wrong_types_and_enums_are_located(write):
    text = MINIMAL.replace("  type: web\n", "  type: desktop\n") + "security:\n  https_only: 'yes'\n  casa: {tier: 7}\n"
    assert errors_of(write, text) == [
        "m.yaml:5:9: error: app.type: 'desktop' is not allowed; choose one of: web, installed, mobile, "
        "workspace_addon, chat_app, service",
        "m.yaml:9:15: error: security.https_only must be true or false, found a string 'yes'",
        "m.yaml:10:16: error: security.casa.tier must be between 1 and 3, found 7",
    ]


def test_missing_required_keys(write):
    text = "manifest_version: 1\napp:\n  name: X\n"
    assert errors_of(write, text) == [
        "m.yaml:1:1: error: the top level is missing the required key 'scopes'",
        "m.yaml:2:1: error: app is missing the required key 'developer'",
        "m.yaml:2:1: error: app is missing the required key 'type'",
    ]


def test_use_case_must_belong_to_its_api(write):
    text = MINIMAL + "use_cases:\n  - {api: gmail, use_case: sync_backup}\n  - {api: gmial, use_case: productivity}\n"
    messages = errors_of(write, text)
    assert messages[0].startswith("m.yaml:9:28: error: use_cases[0].use_case: 'sync_backup' is not allowed for this api")
    assert messages[1].startswith("m.yaml:10:11: error: use_cases[1].api: 'gmial' is not an API family of the scope catalog (did you mean 'gmail'?)")


def test_ids_must_be_unique_and_well_formed(write):
    text = MINIMAL + (
        "data:\n"
        "  - {id: a, description: A, source_scopes: [openid], purposes: [security]}\n"
        "  - {id: a, description: B, source_scopes: [openid], purposes: [security]}\n"
        "  - {id: Bad Id, description: C, source_scopes: [openid], purposes: [security]}\n"
    )
    messages = errors_of(write, text)
    assert messages[0] == "m.yaml:10:10: error: duplicate id 'a' in data: data[0] (line 9) already uses it"
    assert messages[1].startswith("m.yaml:11:10: error: data[2].id: 'Bad Id' is not valid here; expected an identifier")


def test_references_name_both_ends(write):
    text = MINIMAL + (
        "data:\n"
        "  - {id: bodies, description: A, source_scopes: [gmail.readonly], purposes: [security]}\n"
        "storage:\n"
        "  - {id: db, data: [body], location: own_systems}\n"
        "transfers:\n"
        "  - {id: t, recipient: R, recipient_type: other, data: [bodies, nope], purpose: security}\n"
        "human_access:\n"
        "  - {role: support, data: [bodys], basis: security}\n"
    )
    assert errors_of(write, text) == [
        "m.yaml:9:50: error: data[0].source_scopes[0] names scope 'gmail.readonly', which is not requested under `scopes` (line 6)",
        "m.yaml:11:21: error: storage[0].data[0] names data element 'body', but no item of `data` (line 8) has that id (did you mean 'bodies'?)",
        "m.yaml:13:65: error: transfers[0].data[1] names data element 'nope', but no item of `data` (line 8) has that id",
        "m.yaml:15:28: error: human_access[0].data[0] names data element 'bodys', but no item of `data` (line 8) has that id (did you mean 'bodies'?)",
    ]


def test_reference_to_missing_data_list(write):
    text = MINIMAL + "storage:\n  - {id: db, data: [x], location: own_systems}\n"
    [message] = errors_of(write, text)
    assert message == (
        "m.yaml:9:21: error: storage[0].data[0] names data element 'x', "
        "but the manifest has no `data` list to define it"
    )


def test_short_and_full_scope_forms_are_the_same_scope(write):
    text = MINIMAL + (
        "  - scope: https://www.googleapis.com/auth/calendar.readonly\n"
        "data:\n"
        "  - {id: ev, description: Events, source_scopes: [calendar.readonly, email], purposes: [user_facing_feature]}\n"
    ).replace("email]", "openid]")
    assert load_manifest(str(write("m.yaml", text))).data["data"][0]["source_scopes"] == ["calendar.readonly", "openid"]
    duplicated = MINIMAL + "  - scope: gmail.send\n  - scope: https://www.googleapis.com/auth/gmail.send\n"
    [message] = errors_of(write, duplicated)
    assert message == (
        "m.yaml:9:12: error: scope https://www.googleapis.com/auth/gmail.send is requested twice: "
        "scopes[1] (line 8) already names it"
    )


def test_every_error_of_a_file_is_reported(write):
    text = MINIMAL.replace("type: web", "type: nope") + "bogus: 1\nstorage:\n  - {id: s, data: [x], location: mars}\n"
    messages = errors_of(write, text)
    assert len(messages) == 4  # bad enum, unknown key, bad location, dangling reference


def test_expand_paths_walks_folders_sorted_and_skips_hidden(tmp_path):
    for name in ["b.yaml", "a.yml", "sub/c.yaml", ".hidden/d.yaml", "notes.txt", ".e.yaml"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n")
    found = [p.replace(str(tmp_path), "") for p in expand_paths([str(tmp_path)])]
    assert found == ["/a.yml", "/b.yaml", "/sub/c.yaml"]


def test_expand_paths_refuses_missing_paths_and_empty_folders(tmp_path):
    with pytest.raises(ManifestError, match="no such file or folder"):
        list(expand_paths([str(tmp_path / "nope.yaml")]))
    with pytest.raises(ManifestError, match="no \\*.yaml or \\*.yml manifest"):
        list(expand_paths([str(tmp_path)]))


def test_schema_is_draft_2020_12_and_closed():
    from jsonschema import Draft202012Validator

    schema = json.loads(manifest_schema_path().read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, node
                assert "^x-" in node.get("patternProperties", {}), node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def test_schema_covers_every_key_of_the_spec():
    schema = json.loads(manifest_schema_path().read_text())
    props = schema["properties"]
    assert set(props) == {"manifest_version", "app", "use_cases", "scopes", "auth", "disclosure", "consent",
                          "data", "storage", "transfers", "human_access", "security"}
    assert set(props["app"]["properties"]) == {"name", "developer", "type", "description", "oauth_client_ids",
                                               "homepage_url", "privacy_policy_url", "limited_use_statement",
                                               "data_deletion_docs_url", "security_contact", "audience"}
    assert set(props["scopes"]["items"]["properties"]) == {"scope", "justification", "narrower_rejected_because",
                                                          "requested", "features"}
    assert set(props["transfers"]["items"]["required"]) == {"id", "recipient", "recipient_type", "data", "purpose"}
    assert set(props["security"]["properties"]) == {"casa", "isms", "owasp_top10_reviewed", "incident_response",
                                                    "https_only"}
