"""Facts are worked out per catalog, and each manifest's facts are its own."""

from __future__ import annotations

import datetime

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.manifest.model import ManifestModel
from auditor.rules.facts import enrich

AS_OF = datetime.date(2026, 6, 1)
SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
NARROWER = "https://www.googleapis.com/auth/gmail.metadata"


def _catalog(classification: str, source: str = "https://developers.google.com/") -> ScopeCatalog:
    return ScopeCatalog.from_document({"scopes": [{
        "scope": SCOPE, "api": "gmail", "classification": classification, "classification_source": source,
        "reasoning": "reasoned out" if source == "inferred" else None, "narrower": [NARROWER], "workspace": True,
    }]})


def _model() -> ManifestModel:
    return ManifestModel.from_data({
        "manifest_version": 1,
        "app": {"name": "Facts", "developer": "Example Ltd", "type": "web"},
        "scopes": [{"scope": "gmail.readonly", "features": ["inbox"]}],
    })


def test_each_catalog_gives_its_own_classification_of_a_scope():
    model = _model()
    restricted = enrich(model, _catalog("restricted"), AS_OF).elements["/scopes/0"]
    sensitive = enrich(model, _catalog("sensitive", "inferred"), AS_OF)
    assert (restricted["classification"], sensitive.elements["/scopes/0"]["classification"]) == (
        "restricted", "sensitive")
    assert [item.classification for item in sensitive.inferred["/scopes/0"]] == ["sensitive"]


def test_changing_one_manifests_facts_leaves_the_next_manifests_alone():
    catalog = _catalog("restricted")
    first = enrich(_model(), catalog, AS_OF).elements["/scopes/0"]
    first["narrower"].append("changed")
    second = enrich(_model(), catalog, AS_OF).elements["/scopes/0"]
    assert second["narrower"] == [NARROWER]


def test_whether_a_scope_has_an_approved_use_case_follows_each_manifest():
    catalog = _catalog("restricted")
    approved = ManifestModel.from_data({
        "manifest_version": 1,
        "app": {"name": "Facts", "developer": "Example Ltd", "type": "web"},
        "use_cases": [{"api": "gmail", "use_case": "email_client"}],
        "scopes": [{"scope": "gmail.readonly"}],
    })
    facts = [enrich(model, catalog, AS_OF).elements["/scopes/0"]["api_has_approved_use_case"]
             for model in (approved, _model())]
    assert facts == [True, False]
