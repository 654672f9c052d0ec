"""The inventory keeps a manifest's values and the keys of its fields, never words: each
report words them in its own language."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from auditor.api import run_audit
from auditor.manifest.inventory import DETAIL_KEYS, LINK_FIELDS, VOCABULARIES
from auditor.model.report import Detail, DetailValue
from tests.helpers import EXAMPLES

# Value kinds shown without a vocabulary: the manifest's text, a yes or no, a TLS version.
PLAIN_KINDS = {"text", "flag", "tls_min_version"}


@pytest.fixture(scope="module")
def inventories():
    report = run_audit([str(EXAMPLES)], as_of=datetime.date(2026, 6, 1))
    return {Path(result.path).stem: result.inventory for result in report.results}


def _steps(inventory):
    return [step for section in (inventory.data, inventory.storage, inventory.transfers, inventory.human_access)
            for step in section or ()]


def _step(steps, name):
    return next(step for step in steps if step.name == name)


def test_a_transfer_keeps_vocabulary_words_flags_and_tls_version_unworded(inventories):
    panel = _step(inventories["receipt-tracker"].transfers, "research-panel")
    assert panel.details == (
        Detail("recipient_type", (DetailValue("recipient_type", "data_broker"),)),
        Detail("purpose", (DetailValue("transfer_purpose", "sale"),)),
        Detail("user_consent", (DetailValue("flag", False),)),
        Detail("transport", (DetailValue("protocol", "https"), DetailValue("tls_min_version", "1.2"))),
        Detail("network", (DetailValue("network", "external"),)),
    )


def test_storage_keeps_encryption_qualifiers_and_tells_a_retention_word_from_a_duration(inventories):
    storage = inventories["receipt-tracker"].storage
    backend = _step(storage, "backend-db")
    assert backend.details[1] == Detail("encryption_at_rest", (DetailValue("flag", True),),
                                        (DetailValue("text", "AES-256-GCM"), DetailValue("key_management", "kms")))
    assert backend.details[2] == Detail("retention", (DetailValue("retention", "until_account_closed"),))
    assert _step(storage, "phone-cache").details[2] == Detail("retention", (DetailValue("text", "P30D"),))


def test_links_pair_a_manifest_field_with_its_value(inventories):
    assert inventories["receipt-tracker"].links == (
        ("homepage_url", "https://tallyho.example/"), ("privacy_policy_url", "https://tallyho.example/privacy"),
        ("data_deletion_docs_url", "https://help.tallyho.example/disconnect-gmail"),
        ("security_contact", "security@tallyho.example"))


def test_every_detail_the_examples_carry_has_a_known_key_and_value_kind(inventories):
    details = [detail for inventory in inventories.values() for step in _steps(inventory) for detail in step.details]
    assert {detail.key for detail in details} <= set(DETAIL_KEYS)
    values = [value for detail in details for value in (*detail.values, *detail.qualifiers)]
    assert {value.kind for value in values} <= PLAIN_KINDS | set(VOCABULARIES)
    assert all(value.raw in VOCABULARIES[value.kind] for value in values if value.kind in VOCABULARIES)
    assert {field for inventory in inventories.values() for field, _ in inventory.links} <= set(LINK_FIELDS)
