"""The typed manifest model: read once after validation, frozen, with canonical scope names
and the pointer of every list item; and the consumers that read it (the inventory, the
disclosure, the diff) keep their results."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest

from auditor.manifest.load import load_manifest
from auditor.manifest.model import ManifestModel, ScopeRequest, Transport
from tests.helpers import EXAMPLES, run_wsaudit

EXAMPLE_PATHS = sorted(EXAMPLES.glob("*.yaml"))
LIST_SECTIONS = ("scopes", "use_cases", "data", "storage", "transfers", "human_access")
OBJECT_SECTIONS = ("auth", "disclosure", "consent", "security")
FULL = "https://www.googleapis.com/auth/"
DIGEST = (EXAMPLES / "inbox-digest.yaml").read_text(encoding="utf-8")


def _edited(old: str, new: str) -> str:
    assert old in DIGEST, old
    return DIGEST.replace(old, new, 1)


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda path: path.stem)
def test_each_example_has_a_model_with_every_list_item_at_its_pointer(path):
    manifest = load_manifest(str(path))
    model = manifest.model
    for section in LIST_SECTIONS:
        items = getattr(model, section)
        declared = manifest.data.get(section)
        assert (items is None) == (declared is None), section
        assert [item.pointer for item in items or ()] == [f"/{section}/{i}" for i in range(len(declared or []))]
    for section in OBJECT_SECTIONS:
        assert (getattr(model, section) is None) == (section not in manifest.data), section


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda path: path.stem)
def test_each_example_has_canonical_scope_names_and_tuples(path):
    model = load_manifest(str(path)).model
    names = [request.scope for request in model.scopes]
    names += [scope for element in model.data or () for scope in element.source_scopes]
    assert all(name == "openid" or name.startswith("https://") for name in names), names
    assert isinstance(model.scopes, tuple)
    assert all(isinstance(element.purposes, tuple) for element in model.data or ())


def test_the_model_of_the_inbox_digest_holds_its_values():
    model = load_manifest(str(EXAMPLES / "inbox-digest.yaml")).model
    assert (model.app.name, model.app.type) == ("Inbox Digest", "web")
    assert model.scopes[0] == ScopeRequest(
        f"{FULL}gmail.readonly", "gmail.readonly", model.scopes[0].justification,
        model.scopes[0].narrower_rejected_because, model.scopes[0].requested, model.scopes[0].features, "/scopes/0")
    [transfer] = model.transfers
    assert (transfer.id, transfer.data, transfer.transport) == (
        "llm", ("message-bodies", "message-headers"), Transport("https", "1.2"))
    assert model.security.casa.date == datetime.date(2026, 6, 15)


def test_the_model_is_frozen():
    model = load_manifest(str(EXAMPLES / "inbox-digest.yaml")).model
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.app.name = "Other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.scopes[0].scope = "drive"  # type: ignore[misc]


def test_the_loaded_manifest_reads_its_model_once():
    manifest = load_manifest(str(EXAMPLES / "inbox-digest.yaml"))
    assert manifest.model is manifest.model


def test_absent_optional_fields_are_none_and_an_empty_list_is_empty(write, minimal_manifest):
    model = load_manifest(str(write("tiny.yaml", minimal_manifest + "storage: []\n"))).model
    assert (model.use_cases, model.auth, model.disclosure, model.consent, model.data, model.transfers,
            model.human_access, model.security) == (None,) * 8
    assert model.storage == ()
    assert (model.app.description, model.app.limited_use_statement, model.app.audience) == (None, None, None)
    assert model.scopes == (ScopeRequest("openid", "openid", None, None, None, None, "/scopes/0"),)


def test_scope_spellings_are_canonical_and_the_written_one_is_kept():
    data = {"manifest_version": 1, "app": {"name": "A", "developer": "B", "type": "web"},
            "scopes": [{"scope": "email"}, {"scope": " gmail.readonly"}, {"scope": f"{FULL}drive.file"}],
            "data": [{"id": "d", "description": "D", "source_scopes": ["profile", "gmail.readonly"],
                      "purposes": ["user_facing_feature"]}]}
    model = ManifestModel.from_data(data)
    assert [(request.scope, request.written) for request in model.scopes] == [
        (f"{FULL}userinfo.email", "email"), (f"{FULL}gmail.readonly", " gmail.readonly"),
        (f"{FULL}drive.file", f"{FULL}drive.file")]
    assert model.data[0].source_scopes == (f"{FULL}userinfo.profile", f"{FULL}gmail.readonly")


def test_a_numeric_tls_version_is_text_and_an_impossible_date_is_none():
    data = {"manifest_version": 1, "app": {"name": "A", "developer": "B", "type": "web"},
            "scopes": [{"scope": "openid"}],
            "transfers": [{"id": "t", "recipient": "R", "recipient_type": "other", "data": ["d"],
                           "purpose": "security", "transport": {"tls_min_version": 1.0, "x-note": "n"}}],
            "security": {"casa": {"date": "2026-02-30"}}}
    model = ManifestModel.from_data(data)
    assert model.transfers[0].transport == Transport(None, "1.0")
    assert model.security.casa.date is None


def _changes(write, base: str, head: str) -> list[dict]:
    result = run_wsaudit("diff", str(write("a.yaml", base)), str(write("b.yaml", head)), "--format", "json",
                         "--fail-on", "never", "--as-of", "2026-11-21")
    assert result.code == 0, result.stderr
    [pair] = json.loads(result.stdout)["diff"]["manifests"]
    return pair["changes"]


def test_the_diff_sees_no_change_when_only_a_scope_spelling_changes(write):
    head = _edited("    source_scopes: [gmail.readonly]\n", f"    source_scopes: [{FULL}gmail.readonly]\n")
    assert _changes(write, DIGEST, head) == []


def test_the_diff_ignores_an_edited_note_inside_a_transport(write):
    head = _edited('transport: {protocol: https, tls_min_version: "1.2"}',
                   'transport: {protocol: https, tls_min_version: "1.2", x-checked: "2026-05-01"}')
    assert _changes(write, DIGEST, head) == []


def test_the_diff_shows_changed_source_scopes_by_their_full_names(write):
    head = _edited("    source_scopes: [gmail.readonly]\n", "    source_scopes: [gmail.readonly, email]\n")
    details = [change["detail"] for change in _changes(write, DIGEST, head) if change["subject"] == "message-bodies"]
    assert details == [f"source_scopes: [{FULL}gmail.readonly] → [{FULL}gmail.readonly, {FULL}userinfo.email]"]


def test_the_html_inventory_shows_source_scopes_by_their_full_names(write):
    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--format", "html", "--as-of", "2026-06-01")
    assert result.code == 1, result.stderr
    assert f"source scopes: <bdi>{FULL}gmail.readonly</bdi>" in result.stdout
