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

from auditor.catalog.scope_catalog import CLASSIFICATIONS, ScopeCatalog, ScopeInfo
from auditor.catalog.scope_names import canonical_scope, short_scope
from tests.helpers import REPO

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

# Google's restricted lists, by where Google states them (facts copied from each source, not
# from the catalog): a scope on any of them must be restricted in the catalog.
GOOGLE_RESTRICTED_LISTS = {
    # "Restricted scopes" on Google's OAuth help pages (support.google.com/cloud/answer/13464325).
    "restricted-scope list": [
        "https://mail.google.com/", AUTH + "gmail.readonly", AUTH + "gmail.metadata",
        AUTH + "gmail.modify", AUTH + "gmail.insert", AUTH + "gmail.compose",
        AUTH + "gmail.settings.basic", AUTH + "gmail.settings.sharing", AUTH + "drive",
        AUTH + "drive.readonly", AUTH + "drive.activity", AUTH + "drive.activity.readonly",
        AUTH + "drive.metadata", AUTH + "drive.metadata.readonly", AUTH + "drive.scripts",
        AUTH + "drive.meet.readonly",
    ],
    # RESTRICTED_SCOPES of Google's Workspace developer tools (vscode-extension scopes.ts).
    "developer tools": [AUTH + name for name in (
        "chat.admin.delete", "chat.app.delete", "chat.delete", "chat.import", "chat.messages",
        "chat.messages.readonly", "dataportability.businessmessaging.conversations",
        "dataportability.chrome.autofill", "dataportability.chrome.bookmarks",
        "dataportability.chrome.history", "dataportability.maps.aliased_places",
        "dataportability.maps.commute_routes", "dataportability.maps.starred_places",
        "dataportability.myactivity.maps", "dataportability.myactivity.play",
        "dataportability.myactivity.search", "dataportability.myactivity.shopping",
        "dataportability.myactivity.youtube", "dataportability.mymaps.maps",
        "dataportability.play.purchases", "dataportability.youtube.channel",
        "dataportability.youtube.private_videos", "drive", "drive.activity",
        "drive.activity.readonly", "drive.meet.readonly", "drive.metadata",
        "drive.metadata.readonly", "drive.readonly", "drive.scripts",
        "fitness.activity.read", "fitness.activity.write", "fitness.blood_glucose.read",
        "fitness.blood_glucose.write", "fitness.blood_pressure.read", "fitness.blood_pressure.write",
        "fitness.body_temperature.read", "fitness.body_temperature.write", "fitness.body.read",
        "fitness.body.write", "fitness.heart_rate.read", "fitness.heart_rate.write",
        "fitness.location.read", "fitness.location.write", "fitness.nutrition.read",
        "fitness.nutrition.write", "fitness.oxygen_saturation.read", "fitness.oxygen_saturation.write",
        "fitness.reproductive_health.read", "fitness.reproductive_health.write", "fitness.sleep.read",
        "fitness.sleep.write", "gmail.compose", "gmail.insert", "gmail.metadata", "gmail.modify",
        "gmail.readonly", "gmail.settings.basic", "gmail.settings.sharing",
    )],
    # Data Portability's scope table, rows whose category is "Restricted".
    "data portability table": [AUTH + name for name in (
        "dataportability.businessmessaging.conversations", "dataportability.chrome.autofill",
        "dataportability.chrome.bookmarks", "dataportability.chrome.history",
    )],
    # The Meet Media API page: "all Meet Media API scopes are restricted".
    "meet media page": [AUTH + name for name in (
        "meetings.conference.media.readonly", "meetings.conference.media.audio.readonly",
        "meetings.conference.media.video.readonly",
    )],
}
GOOGLE_RESTRICTED = sorted({scope for scopes in GOOGLE_RESTRICTED_LISTS.values() for scope in scopes})

# SENSITIVE_SCOPES of Google's developer tools and the per-API pages' "Sensitive" rows.
GOOGLE_SENSITIVE = [AUTH + name for name in (
    "chat.admin.memberships", "chat.admin.memberships.readonly", "chat.admin.spaces",
    "chat.admin.spaces.readonly", "chat.app.memberships", "chat.app.spaces", "chat.app.spaces.create",
    "chat.customemojis", "chat.customemojis.readonly", "documents", "documents.readonly",
    "chat.memberships", "chat.memberships.app", "chat.memberships.readonly", "chat.messages.create",
    "chat.messages.reactions", "chat.messages.reactions.create", "chat.messages.reactions.readonly",
    "chat.spaces", "chat.spaces.create", "chat.spaces.readonly", "chat.users.readstate",
    "chat.users.readstate.readonly", "chat.users.spacesettings", "drive.apps.readonly",
    "gmail.addons.current.message.metadata", "gmail.addons.current.message.readonly", "gmail.send",
    "spreadsheets", "spreadsheets.readonly", "presentations", "presentations.readonly",
)]

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


@pytest.mark.parametrize("scope", GOOGLE_RESTRICTED)
def test_every_scope_on_googles_restricted_lists_is_restricted(catalog, scope):
    where = [name for name, scopes in GOOGLE_RESTRICTED_LISTS.items() if scope in scopes]
    assert catalog.classify(scope) == "restricted", f"{scope} is on {', '.join(where)}"


def test_every_google_fit_scope_is_restricted(catalog):
    # Google: "all Google Fit API scopes are Restricted", whatever scope names a list shows.
    fit = [entry for entry in catalog if entry.short.startswith("fitness.")]
    assert len(fit) >= 22
    assert [entry.scope for entry in fit if entry.classification != "restricted"] == []


@pytest.mark.parametrize("scope", GOOGLE_SENSITIVE)
def test_scopes_google_lists_as_sensitive_are_sensitive(catalog, scope):
    assert catalog.classify(scope) == "sensitive"


def test_no_restricted_scope_outside_googles_lists(catalog):
    # Restricted only where Google says so (or the policy's definition: Drive content without a
    # per-file grant, Chat message content), plus the retired Documents List scope whose access
    # equals today's drive scope.
    by_policy = {AUTH + "drive.photos.readonly", AUTH + "chat.app.messages.readonly",
                 AUTH + "chat.app.all.messages.readonly"}
    extra = {
        entry.scope for entry in catalog
        if entry.classification == "restricted"
        and entry.scope not in GOOGLE_RESTRICTED
        and entry.scope not in by_policy
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
        elif not entry.classification_quote:
            problems.append(f"{label}: no quote from {entry.classification_source}")
        if entry.inferred and entry.classification_quote:
            problems.append(f"{label}: a quote for an inferred classification")
        if entry.classification_quote and len(entry.classification_quote) > 240:
            problems.append(f"{label}: quote longer than 240 characters")
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

    assert {"drive.file", "drive.readonly"} <= narrower("drive")
    assert narrower("drive.readonly") == {"drive.metadata.readonly"}
    assert {"gmail.modify", "gmail.readonly", "gmail.send", "gmail.compose", "gmail.labels",
            "gmail.metadata"} <= narrower("https://mail.google.com/")
    assert {"gmail.readonly", "gmail.labels"} <= narrower("gmail.modify")
    assert {"calendar.events", "calendar.readonly", "calendar.app.created", "calendar.events.owned",
            "calendar.events.freebusy"} <= narrower("calendar")
    assert {"chat.messages.readonly", "chat.messages.create"} <= narrower("chat.messages")
    assert narrower("spreadsheets") == {"spreadsheets.readonly", "spreadsheets.currentonly"}
    assert narrower("drive.file") == set()


def test_narrower_scopes_are_of_the_same_api(catalog):
    crossing = [
        f"{entry.short} -> {short_scope(target)}"
        for entry in catalog if entry.workspace
        for target in entry.narrower if catalog.get(target).api != entry.api
    ]
    assert crossing == []


@pytest.mark.parametrize(("scope", "not_narrower"), [
    ("drive.readonly", "drive.file"),            # drive.file can write
    ("drive.metadata.readonly", "drive.file"),   # drive.file reaches content
    ("drive", "drive.appdata"),                  # drive cannot reach the app-data folder
    ("calendar.events", "calendar.app.created"), # it creates calendars
    ("documents.readonly", "drive.file"),        # another API, and it adds write
    ("spreadsheets", "drive.file"),
    ("presentations.readonly", "drive.file"),
    ("forms.body", "drive.file"),
])
def test_substitutes_that_are_not_subsets_are_alternatives_with_a_trade(catalog, scope, not_narrower):
    entry = catalog.get(scope)
    target = canonical_scope(not_narrower)
    assert target not in entry.narrower
    trades = {alternative.scope: alternative.trade for alternative in entry.alternatives}
    assert trades.get(target, "").strip(), f"{not_narrower} should be an alternative of {scope}"


def test_retired_scopes_name_their_replacement_not_narrower_scopes(catalog):
    contacts_feed = catalog.get("https://www.google.com/m8/feeds")
    assert contacts_feed.narrower == ()
    assert set(contacts_feed.replaced_by) == {AUTH + "contacts", AUTH + "contacts.readonly"}
    for entry in catalog:
        if entry.status == "retired":
            assert entry.replaced_by, entry.scope
            assert all(target in catalog for target in entry.replaced_by)


def test_stated_classifications_quote_a_page_naming_the_scope(catalog):
    # A per-API page or list is cited only with a quote that shows the scope; only the policy's
    # definition and Google's statement about all Fit scopes name no single scope.
    kinds = catalog.sources["classification_source_kinds"]
    problems = [
        entry.scope for entry in catalog
        if not entry.inferred
        and kinds[entry.classification_source] != "policy_definition"
        and not entry.short.startswith("fitness.")
        and entry.scope not in entry.classification_quote
    ]
    assert problems == []


def test_calendar_and_contacts_no_longer_cite_the_verification_examples_page(catalog):
    for name in ("calendar", "calendar.events", "contacts"):
        entry = catalog.get(name)
        assert entry.inferred and entry.reasoning, name
    assert "sensitive-scope-verification" not in " ".join(catalog.sources["classification_pages"])


def test_calendar_add_on_scopes_carry_googles_consent_text(catalog):
    assert catalog.get("calendar.addons.current.event.read").description == "See the events you open in Google Calendar"
    assert catalog.get("calendar.addons.current.event.write").description == "Edit the events you open in Google Calendar"


@pytest.mark.parametrize("scope", [
    "script.storage", "drive.addons.metadata.readonly", "workspace.linkpreview", "workspace.linkcreate",
    "dataportability.businessmessaging.conversations",
])
def test_scopes_google_documents_outside_discovery_are_present(catalog, scope):
    entry = catalog.get(scope)
    assert entry is not None, scope
    assert entry.description and entry.description_source.startswith("https://")


def test_entries_of_an_older_catalog_file_load_with_defaults():
    entry = ScopeInfo.from_json({"scope": AUTH + "gmail.send", "api": "gmail", "classification": "sensitive",
                                 "classification_source": "inferred", "reasoning": "r", "workspace": True})
    assert (entry.classification_quote, entry.alternatives, entry.replaced_by) == (None, (), ())
    assert entry.inferred


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
            group["scopes"] = [item for item in group.get("scopes", [])
                               if (item["scope"] if isinstance(item, dict) else item) != "gmail.send"]

    path = _curation_with(tmp_path, drop_gmail_send)
    with pytest.raises(script.CatalogError, match="gmail.send .* without a curated classification"):
        script.build_catalog(curation_path=path)


def test_version_ordering():
    ordered = sorted(["v1beta1", "v2", "v1", "v2beta", "v1p5beta1", "v1.4", "v3.5", "v4"], key=script.version_key)
    assert ordered == ["v1beta1", "v1p5beta1", "v1", "v1.4", "v2beta", "v2", "v3.5", "v4"]


def test_stated_classification_without_quote_fails_loudly(tmp_path):
    def drop_quotes(data):
        for group in data["classifications"]:
            if group.get("source") == "restricted_list":
                del group["quote"]

    path = _curation_with(tmp_path, drop_quotes)
    with pytest.raises(script.CatalogError, match="gmail.readonly: classification from .* without a quote"):
        script.build_catalog(curation_path=path)


def test_quote_that_does_not_name_the_scope_fails_loudly(tmp_path):
    def generic_quote(data):
        for group in data["classifications"]:
            if group.get("source") == "restricted_list":
                group["quote"] = 'The following scopes are categorized as "restricted"'

    path = _curation_with(tmp_path, generic_quote)
    with pytest.raises(script.CatalogError, match="gmail.readonly: the quote .* does not name the scope"):
        script.build_catalog(curation_path=path)


def test_narrower_scope_of_another_api_fails_loudly(tmp_path):
    path = _curation_with(tmp_path, lambda data: data["narrower"].update({"spreadsheets": ["drive.file"]}))
    with pytest.raises(script.CatalogError, match="drive.file belongs to drive, not sheets"):
        script.build_catalog(curation_path=path)
