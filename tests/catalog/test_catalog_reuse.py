"""The catalog works out what every manifest of a batch asks of it once, not per manifest."""

from __future__ import annotations

from auditor.catalog.scope_catalog import CATALOG_FILE, ScopeCatalog
from auditor.resources import policies_dir

from tests.helpers import work_done


def fresh_catalog() -> ScopeCatalog:
    # Not the packaged catalog shared by the process, which other tests have asked already.
    return ScopeCatalog.load(policies_dir() / CATALOG_FILE)


def test_the_families_are_collected_once():
    catalog = fresh_catalog()
    first = work_done(catalog.families)
    again = work_done(catalog.families)
    assert (catalog.families() == {entry.api for entry in catalog}, again * 20 < first) == (True, True)


def test_a_repeated_typo_is_compared_with_the_catalog_once():
    catalog = fresh_catalog()
    answers: list[list[str]] = []
    first = work_done(lambda: answers.append(catalog.suggest("gmail.redonly")))
    again = work_done(lambda: answers.append(catalog.suggest("gmail.redonly")))
    assert answers[0] == answers[1]
    assert "https://www.googleapis.com/auth/gmail.readonly" in answers[0]
    assert again * 50 < first


def test_without_suggestions_the_catalog_is_the_same_but_suggests_nothing():
    catalog = fresh_catalog()
    quiet = catalog.without_suggestions()
    assert ([entry.scope for entry in quiet], quiet.classify("gmail.readonly"), quiet.suggest("gmail.redonly"),
            catalog.suggest("gmail.redonly") != []) == ([entry.scope for entry in catalog], "restricted", [], True)
