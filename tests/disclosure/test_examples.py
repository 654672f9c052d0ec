"""Every example manifest, in every language and format: what its disclosure must contain."""

from __future__ import annotations

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.i18n import load_messages
from auditor.manifest.load import load_manifest
from auditor.catalog.scope_names import canonical_scope

from tests.helpers import run_wsaudit
from tests.disclosure.support import EXAMPLE_PATHS, FORMATS, LANGUAGES, Page, message, read, render, squash

CASES = [(path, language, output_format) for path in EXAMPLE_PATHS for language in LANGUAGES
         for output_format in FORMATS]
CASE_IDS = [f"{path.stem}-{language}-{output_format}" for path, language, output_format in CASES]

# Every retention value the examples use, in the words each language must show for it.
RETENTION_WORDS = {
    "P3D": ("Kept for 3 days", "Conservées pendant 3 jours"),
    "P7D": ("Kept for 7 days", "Conservées pendant 7 jours"),
    "P30D": ("Kept for 30 days", "Conservées pendant 30 jours"),
    "P90D": ("Kept for 90 days", "Conservées pendant 90 jours"),
    "P1Y": ("Kept for 1 year", "Conservées pendant 1 an"),
    "P2Y": ("Kept for 2 years", "Conservées pendant 2 ans"),
    "until_user_deletes": ("Kept until you delete it", "Conservées jusqu'à ce que vous les supprimiez"),
    "until_account_closed": ("Kept until you close your account", "Conservées jusqu'à la fermeture de votre compte"),
    "indefinite": ("Kept indefinitely", "Conservées sans limite de durée"),
}


def _page(path, language, output_format) -> tuple[dict, Page]:
    data = load_manifest(str(path)).data
    return data, read(render(path, output_format, language), output_format)


@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_every_scope_appears_with_its_description(path, language, output_format):
    data, page = _page(path, language, output_format)
    catalog = ScopeCatalog.load()
    assert data["scopes"]
    for item in data["scopes"]:
        scope = canonical_scope(item["scope"])
        rows = [row for row in page.rows_with(scope) if row[1] == scope]
        assert len(rows) >= 1, f"{scope} has no row in the permissions table"
        info = catalog.get(scope)
        wording = info.description if info else message(language, "permissions.unknown_scope")
        assert all(wording in row[0] for row in rows), (scope, rows)


@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_every_data_element_is_listed_under_each_of_its_scopes(path, language, output_format):
    data, page = _page(path, language, output_format)
    for element in data.get("data") or []:
        for scope in element["source_scopes"]:
            rows = [row for row in page.rows_with(canonical_scope(scope)) if row[1] == canonical_scope(scope)]
            assert any(squash(element["description"]) in row[2] for row in rows), (element["id"], scope)


@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_every_transfer_appears_with_recipient_and_purpose(path, language, output_format):
    data, page = _page(path, language, output_format)
    tables = page.tables_headed(message(language, "sharing.column.recipient"))
    assert len(tables) == (1 if data.get("transfers") else 0)
    sharing_table = tables[0] if tables else []
    for transfer in data.get("transfers") or []:
        rows = [row for row in sharing_table if transfer["recipient"] in row[0]]
        assert len(rows) == 1, transfer["id"]
        recipient_type = message(language, f"recipient_type.{transfer['recipient_type']}")
        assert rows[0][0] == f"{transfer['recipient']} ({recipient_type})"
        assert rows[0][2] == message(language, f"transfer_purpose.{transfer['purpose']}")
    if data.get("transfers") == []:
        assert message(language, "sharing.none", app=data["app"]["name"]) in page.text



@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_every_retention_is_said_in_words(path, language, output_format):
    data, page = _page(path, language, output_format)
    [storage_table] = page.tables_headed(message(language, "storage.column.data"))
    assert len(storage_table) == 1 + len(data["storage"])
    for row, item in zip(storage_table[1:], data["storage"]):
        words = RETENTION_WORDS[item["retention"]][LANGUAGES.index(language)]
        assert row[3] == words, (item["id"], row)


# The one example whose declared uses conflict with Limited Use: it uses receipt data for
# advertising and sale, and transfers it to a data broker. Every other example may state compliance.
CONFLICTING_EXAMPLES = {"receipt-tracker.yaml"}


@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_limited_use_section_states_compliance_or_the_conflict(path, language, output_format):
    data, page = _page(path, language, output_format)
    app = data["app"]["name"]
    assert message(language, "heading.limited_use") in page.headings
    statement = squash(message(language, "limited_use.statement", app=app))
    conflict_opening = message(language, "limited_use.conflict", app=app).split("(")[0].strip()
    if path.name in CONFLICTING_EXAMPLES:
        assert conflict_opening in page.text and statement not in page.text
    else:
        assert statement in page.text and conflict_opening not in page.text


@pytest.mark.parametrize(("path", "language", "output_format"), CASES, ids=CASE_IDS)
def test_identity_and_deletion_link(path, language, output_format):
    data, page = _page(path, language, output_format)
    app = data["app"]
    assert page.headings[0].startswith(app["name"])
    assert message(language, f"about.intro.{app['type']}", app=app["name"], developer=app["developer"]) in page.text
    assert app["data_deletion_docs_url"] in page.links
    in_product_heading = message(language, "heading.in_product")
    assert in_product_heading in page.headings


def test_limited_use_statement_words_match_the_audit_rule():
    """The English statement carries the wording rule LU-5 looks for."""
    statement = load_messages("en").text("limited_use.statement")
    assert "adheres" in statement and "Google User Data Policy" in statement and "Limited Use" in statement


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_output_is_byte_identical_across_runs(tmp_path, language, output_format):
    """Separate processes (each with its own hash seed) write the same bytes as an in-process
    render; every example renders identically twice in-process."""
    for path in EXAMPLE_PATHS:
        assert render(path, output_format, language) == render(path, output_format, language)
    for path in (EXAMPLE_PATHS[0], next(p for p in EXAMPLE_PATHS if p.stem == "receipt-tracker")):
        args = ("disclose", str(path), "--format", output_format, "--lang", language, "--fail-on", "never")
        first, second = run_wsaudit(*args), run_wsaudit(*args, "-o", str(tmp_path / "out"))
        assert first.code == 0 and second.code == 0, first.stderr + second.stderr
        assert first.stdout.encode("utf-8") == (tmp_path / "out").read_bytes()
        assert first.stdout == render(path, output_format, language)
