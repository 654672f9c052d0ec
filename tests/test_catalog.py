"""The scope catalog: completeness against Google's discovery documents, classifications,
internal consistency, lookups, search, and that the committed file is what the script builds."""

from __future__ import annotations

import importlib.util
import json
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from auditor.catalog import CLASSIFICATIONS, ScopeCatalog, ScopeInfo
from auditor.scope_names import canonical_scope, short_scope

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "refresh_scope_catalog.py"
CURATION = REPO / "scripts" / "scope_curation.yaml"
CATALOG_FILE = REPO / "policies" / "scope-catalog.json"
AUTH = "https://www.googleapis.com/auth/"

WORKSPACE_FAMILIES = {
    "gmail", "drive", "driveactivity", "drivelabels", "calendar", "chat", "meet", "docs",
    "sheets", "slides", "forms", "tasks", "people", "keep", "classroom", "script",
    "admin_directory", "admin_reports", "admin_datatransfer", "licensing", "groupssettings",
    "cloudidentity", "vault", "alertcenter", "gmailpostmastertools", "openid",
}

# Discovery document names of the Workspace APIs (the Admin SDK documents are all "admin";
# "oauth2" holds the OpenID scopes).
WORKSPACE_DOCUMENTS = {
    "gmail", "drive", "driveactivity", "drivelabels", "calendar", "chat", "meet", "docs",
    "sheets", "slides", "forms", "tasks", "people", "keep", "classroom", "script", "admin",
    "licensing", "groupssettings", "cloudidentity", "vault", "alertcenter",
    "gmailpostmastertools", "oauth2",
}

# Scopes Google lists as restricted (its restricted-scope list and the Workspace API policy's
# categories): Gmail, Drive, Drive Activity and Chat.
RESTRICTED = [
    "https://mail.google.com/",
    AUTH + "gmail.readonly",
    AUTH + "gmail.metadata",
    AUTH + "gmail.modify",
    AUTH + "gmail.insert",
    AUTH + "gmail.compose",
    AUTH + "gmail.settings.basic",
    AUTH + "gmail.settings.sharing",
    AUTH + "drive",
    AUTH + "drive.readonly",
    AUTH + "drive.metadata",
    AUTH + "drive.metadata.readonly",
    AUTH + "drive.photos.readonly",
    AUTH + "drive.scripts",
    AUTH + "drive.meet.readonly",
    AUTH + "drive.activity",
    AUTH + "drive.activity.readonly",
    AUTH + "chat.messages",
    AUTH + "chat.messages.readonly",
    AUTH + "chat.app.messages.readonly",
    AUTH + "chat.app.all.messages.readonly",
    AUTH + "meetings.conference.media.readonly",
    AUTH + "meetings.conference.media.audio.readonly",
    AUTH + "meetings.conference.media.video.readonly",
]

NOT_RESTRICTED = {
    "gmail.send": "sensitive",
    "gmail.labels": "non_sensitive",
    "gmail.addons.current.message.readonly": "sensitive",
    "gmail.addons.current.action.compose": "non_sensitive",
    "drive.file": "non_sensitive",
    "drive.appdata": "non_sensitive",
    "drive.apps.readonly": "sensitive",
    "calendar": "sensitive",
    "calendar.events": "sensitive",
    "calendar.app.created": "non_sensitive",
    "documents": "sensitive",
    "spreadsheets.readonly": "sensitive",
    "presentations": "sensitive",
    "chat.bot": "non_sensitive",
    "chat.spaces.readonly": "sensitive",
    "openid": "non_sensitive",
    "email": "non_sensitive",
}


def _load_script():
    spec = importlib.util.spec_from_file_location("refresh_scope_catalog", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("refresh_scope_catalog", module)
    spec.loader.exec_module(module)
    return module


script = _load_script()


def _client_version() -> str | None:
    try:
        return metadata.version(script.CLIENT_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def test_the_pinned_discovery_client_is_installed():
    # The test extra pins it; with any other version the catalog cannot be compared.
    assert _client_version() == script.PINNED_CLIENT_VERSION


@pytest.fixture(scope="module")
def catalog() -> ScopeCatalog:
    return ScopeCatalog.load()


@pytest.fixture(scope="module")
def discovery_scopes() -> dict[str, set[str]]:
    """Scopes per discovery document name, read straight from the installed package."""
    scopes: dict[str, set[str]] = {}
    for path in sorted(script.default_documents_dir().glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "name" not in document:
            continue
        listed = document.get("auth", {}).get("oauth2", {}).get("scopes", {})
        scopes.setdefault(document["name"], set()).update(listed)
    return scopes


# ----------------------------------------------------------------------------- completeness


def test_every_workspace_discovery_scope_is_in_the_catalog(catalog, discovery_scopes):
    missing = sorted(
        f"{name}: {scope}"
        for name in WORKSPACE_DOCUMENTS
        for scope in discovery_scopes.get(name, ())
        if scope not in catalog
    )
    assert not missing, "missing from the catalog:\n" + "\n".join(missing)
    assert WORKSPACE_DOCUMENTS <= set(discovery_scopes), "a Workspace discovery document is gone"


def test_workspace_discovery_scopes_are_marked_workspace(catalog, discovery_scopes):
    # cloud-platform is listed by the Admin SDK and Cloud Identity documents but is a Cloud scope.
    shared_cloud_scopes = {AUTH + "cloud-platform", AUTH + "cloud-platform.read-only"}
    wrong = sorted(
        scope
        for name in WORKSPACE_DOCUMENTS
        for scope in discovery_scopes.get(name, ())
        if scope not in shared_cloud_scopes and not catalog.get(scope).workspace
    )
    assert not wrong


def test_every_discovery_scope_is_known(catalog, discovery_scopes):
    missing = sorted(scope for listed in discovery_scopes.values() for scope in listed if scope not in catalog)
    assert not missing


def test_curated_scopes_outside_discovery_are_present(catalog):
    for name in (
        "gmail.addons.execute", "gmail.addons.current.message.readonly", "calendar.addons.execute",
        "calendar.addons.current.event.read", "calendar.addons.current.event.write",
        "script.external_request", "script.locale", "script.container.ui",
        "documents.currentonly", "meetings.conference.media.readonly",
    ):
        entry = catalog.get(name)
        assert entry is not None, name
        assert entry.workspace and entry.status == "active"


def test_retired_scopes_are_marked(catalog):
    for scope in ("https://www.google.com/m8/feeds", "https://www.google.com/calendar/feeds",
                  AUTH + "plus.login", AUTH + "plus.me"):
        entry = catalog.get(scope)
        assert entry is not None, scope
        assert entry.status == "retired"
        assert entry.note
    assert not catalog.get("plus.me").workspace
    assert catalog.get("https://www.google.com/m8/feeds").api == "people"


# ----------------------------------------------------------------------------- classifications


@pytest.mark.parametrize("scope", RESTRICTED)
def test_restricted_scopes_are_restricted(catalog, scope):
    entry = catalog.get(scope)
    assert entry is not None, scope
    assert entry.classification == "restricted"
    assert entry.classification_source.startswith("https://")


@pytest.mark.parametrize(("scope", "expected"), sorted(NOT_RESTRICTED.items()))
def test_other_classifications(catalog, scope, expected):
    assert catalog.classify(scope) == expected


def test_no_restricted_scope_outside_googles_list(catalog):
    # Only the scopes named above (and Google Fit ones, on the same Google list) are restricted,
    # except the retired Documents List scope whose access equals today's drive scope.
    extra = {
        entry.scope for entry in catalog
        if entry.classification == "restricted"
        and entry.scope not in RESTRICTED
        and not entry.short.startswith("fitness.")
        and entry.status != "retired"
    }
    assert not extra


# ----------------------------------------------------------------------------- consistency


def test_every_entry_is_well_formed(catalog):
    known_apis = {api for entry in catalog for api in entry.used_by}
    problems = []
    for entry in catalog:
        label = entry.scope
        if entry.classification not in CLASSIFICATIONS:
            problems.append(f"{label}: classification {entry.classification!r}")
        if entry.classification_source == "inferred":
            if not (entry.reasoning and entry.reasoning.strip()):
                problems.append(f"{label}: inferred without reasoning")
        elif not entry.classification_source.startswith("https://"):
            problems.append(f"{label}: source {entry.classification_source!r}")
        elif entry.reasoning is not None:
            problems.append(f"{label}: reasoning given although Google states the classification")
        if not entry.description.strip():
            problems.append(f"{label}: empty description")
        if entry.workspace != (entry.api in WORKSPACE_FAMILIES):
            problems.append(f"{label}: workspace={entry.workspace} but family {entry.api!r}")
        if not entry.workspace and entry.api not in known_apis and entry.status != "retired":
            problems.append(f"{label}: family {entry.api!r} is no discovery API name")
        if entry.status not in ("active", "retired"):
            problems.append(f"{label}: status {entry.status!r}")
        if entry.status == "retired" and not entry.note:
            problems.append(f"{label}: retired without a note")
        if canonical_scope(entry.scope) != entry.scope or short_scope(entry.scope) != entry.short:
            problems.append(f"{label}: scope/short not canonical ({entry.short!r})")
        if list(entry.used_by) != sorted(entry.used_by) or list(entry.narrower) != sorted(entry.narrower):
            problems.append(f"{label}: used_by or narrower not sorted")
        for narrower in entry.narrower:
            if narrower == entry.scope:
                problems.append(f"{label}: narrower than itself")
            elif narrower not in catalog:
                problems.append(f"{label}: narrower {narrower} is not in the catalog")
    assert not problems, "\n".join(problems)


def test_families_are_the_known_ids(catalog):
    assert WORKSPACE_FAMILIES <= catalog.families()
    workspace_apis = {entry.api for entry in catalog if entry.workspace}
    assert workspace_apis == WORKSPACE_FAMILIES


def test_narrower_relation_has_no_cycle(catalog):
    graph = {entry.scope: entry.narrower for entry in catalog}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, "cycle: " + " -> ".join(path + (node,))
        if node in done:
            return
        for target in graph.get(node, ()):
            visit(target, path + (node,))
        done.add(node)

    for node in sorted(graph):
        visit(node, ())


def test_expected_narrower_alternatives(catalog):
    def narrower(name: str) -> set[str]:
        return {short_scope(scope) for scope in catalog.get(name).narrower}

    assert {"drive.file", "drive.appdata", "drive.readonly"} <= narrower("drive")
    assert {"drive.file", "drive.metadata.readonly"} <= narrower("drive.readonly")
    assert {"gmail.modify", "gmail.readonly", "gmail.send", "gmail.compose", "gmail.labels",
            "gmail.metadata"} <= narrower("https://mail.google.com/")
    assert {"gmail.readonly", "gmail.labels"} <= narrower("gmail.modify")
    assert {"calendar.events", "calendar.readonly", "calendar.app.created", "calendar.events.owned",
            "calendar.events.freebusy"} <= narrower("calendar")
    assert {"chat.messages.readonly", "chat.messages.create"} <= narrower("chat.messages")
    assert "drive.file" in narrower("spreadsheets")
    assert narrower("drive.file") == set()


# ----------------------------------------------------------------------------- lookups


def test_short_and_full_forms_give_the_same_entry(catalog):
    entry = catalog.get("gmail.readonly")
    assert isinstance(entry, ScopeInfo)
    assert entry is catalog.get(AUTH + "gmail.readonly")
    assert entry.short == "gmail.readonly"
    assert catalog.get("email").scope == AUTH + "userinfo.email"
    assert catalog.get("email").short == "email"
    assert catalog.get("profile").scope == AUTH + "userinfo.profile"
    assert catalog.get("openid").scope == "openid"
    assert catalog.get("  drive.file ").short == "drive.file"


def test_unknown_scopes(catalog):
    assert catalog.get("gmail.readonyl") is None
    assert catalog.classify("gmail.readonyl") is None
    assert "gmail.readonyl" not in catalog
    assert catalog.get("") is None
    assert "drive.file" in catalog and AUTH + "drive.file" in catalog


def test_iteration_and_size(catalog):
    entries = list(catalog)
    assert len(entries) == len(catalog) > 400
    assert [entry.scope for entry in entries] == sorted(entry.scope for entry in entries)
    assert set(catalog.sources) >= {"google-api-python-client", "discovery", "classification_pages"}


def test_default_load_is_cached_and_explicit_path_loads(tmp_path):
    assert ScopeCatalog.load() is ScopeCatalog.load()
    copy = tmp_path / "catalog.json"
    copy.write_text(CATALOG_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = ScopeCatalog.load(copy)
    assert loaded is not ScopeCatalog.load()
    assert len(loaded) == len(ScopeCatalog.load())


# ----------------------------------------------------------------------------- search


def test_search_finds_drive_file_by_name(catalog):
    results = catalog.search("drive.file")
    assert results[0].short == "drive.file"
    assert catalog.search("DRIVE.FILE")[0].short == "drive.file"
    assert catalog.search("auth/drive.fi")[0].short == "drive.file"


def test_search_finds_drive_file_by_description_words(catalog):
    results = catalog.search("specific Google Drive files")
    assert results and results[0].short == "drive.file"
    assert "drive.file" in [entry.short for entry in catalog.search("specific drive file")]


def test_search_requires_every_word(catalog):
    assert catalog.search("specific Google Drive spaceships") == []
    assert catalog.search("   ") == []


def test_search_ranks_exact_and_prefix_first_and_is_deterministic(catalog):
    results = catalog.search("gmail.send")
    assert results[0].short == "gmail.send"
    first = [entry.scope for entry in catalog.search("calendar")]
    assert first == [entry.scope for entry in catalog.search("calendar")]
    assert first[0] == AUTH + "calendar"
    family = catalog.search("vault")
    assert {entry.short for entry in family} >= {"ediscovery", "ediscovery.readonly"}


# ----------------------------------------------------------------------------- suggestions


def test_suggest_close_matches(catalog):
    assert catalog.suggest("gmail.readonyl")[0] == AUTH + "gmail.readonly"
    assert catalog.suggest("calender")[0] == AUTH + "calendar"
    assert catalog.suggest("emial")[0] == AUTH + "userinfo.email"
    assert len(catalog.suggest("drive.fil", limit=2)) <= 2
    assert catalog.suggest("zzzzzz") == []


# ----------------------------------------------------------------------------- the generator


@pytest.fixture(scope="module")
def generated_text() -> str:
    return script.render(script.build_catalog(client_version=script.PINNED_CLIENT_VERSION))


def test_committed_catalog_is_what_the_script_generates(generated_text):
    committed = CATALOG_FILE.read_text(encoding="utf-8")
    assert committed == generated_text, "run: python scripts/refresh_scope_catalog.py"


def test_generation_is_stable(generated_text):
    again = script.render(script.build_catalog(client_version=script.PINNED_CLIENT_VERSION))
    assert again == generated_text
    assert generated_text.endswith("}\n")
    document = json.loads(generated_text)
    assert document["catalog_version"] == 1
    assert document["sources"]["google-api-python-client"] == "2.202.0"
    assert document["sources"]["discovery"]["gmail.v1"]
    scopes = [item["scope"] for item in document["scopes"]]
    assert scopes == sorted(scopes)


def test_check_mode(tmp_path, capsys):
    assert script.main(["--check"]) == 0
    stale = tmp_path / "scope-catalog.json"
    stale.write_text(CATALOG_FILE.read_text(encoding="utf-8").replace('"non_sensitive"', '"sensitive"', 1),
                     encoding="utf-8")
    assert script.main(["--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err


def _curation_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(CURATION.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "curation.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_unknown_narrower_scope_fails_loudly(tmp_path):
    path = _curation_with(tmp_path, lambda data: data["narrower"].update({"drive": ["drive.fiel"]}))
    with pytest.raises(script.CatalogError, match="drive.fiel is not in the catalog"):
        script.build_catalog(curation_path=path)


def test_narrower_cycle_fails_loudly(tmp_path):
    path = _curation_with(tmp_path, lambda data: data["narrower"].update({"drive.file": ["drive"]}))
    with pytest.raises(script.CatalogError, match="cycle"):
        script.build_catalog(curation_path=path)


def test_unclassified_workspace_scope_fails_loudly(tmp_path):
    def drop_gmail_send(data):
        for group in data["classifications"]:
            group["scopes"] = [scope for scope in group.get("scopes", []) if scope != "gmail.send"]

    path = _curation_with(tmp_path, drop_gmail_send)
    with pytest.raises(script.CatalogError, match="gmail.send .* without a curated classification"):
        script.build_catalog(curation_path=path)


def test_version_ordering():
    ordered = sorted(["v1beta1", "v2", "v1", "v2beta", "v1p5beta1", "v1.4", "v3.5", "v4"], key=script.version_key)
    assert ordered == ["v1beta1", "v1p5beta1", "v1", "v1.4", "v2beta", "v2", "v3.5", "v4"]
