"""The inventory of a manifest: its identity, scopes and data flow, as reports show them.

Built once per manifest from its typed model and the enrichment facts (classification,
API family, the most sensitive scope behind each element), so that no renderer reads a
manifest again or repeats a look-up. Nothing is judged here (findings do that) and nothing
is worded: the inventory keeps the manifest's values and the keys of its fields, and each
report words them in its language from its catalog (``html.manifest.details``,
``html.manifest.links``, ``html.manifest.vocabulary``) and its templates.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, TypeVar, get_args

from auditor.rules.facts import Facts
from auditor.model.report import Detail, DetailValue, FlowStep, Inventory, ScopeUse
from auditor.manifest.model import (AccessBasis, AppType, Category, DataElement, Encryption, HumanAccess,
                                    KeyManagement, Location, ManifestModel, Network, Protocol, Purpose, RecipientType,
                                    Storage, Transfer, TransferPurpose, Transport)

_Item = TypeVar("_Item")

# A retention is an ISO 8601 duration, shown as written, or one of these words.
RETENTION_WORDS = ("until_user_deletes", "until_account_closed", "indefinite")
# The manifest vocabularies a detail value (or the app's type) may be a word of, by the value's
# kind, with their words: each report catalog words them (the catalog tests read this).
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "app_type": get_args(AppType), "category": get_args(Category), "purpose": get_args(Purpose),
    "location": get_args(Location), "key_management": get_args(KeyManagement), "retention": RETENTION_WORDS,
    "recipient_type": get_args(RecipientType), "transfer_purpose": get_args(TransferPurpose),
    "protocol": get_args(Protocol), "network": get_args(Network), "access_basis": get_args(AccessBasis),
}
# Every detail key a flow step may carry, and every link field of the app, in the order shown.
DETAIL_KEYS = ("categories", "purposes", "secondary_purposes", "source_scopes", "location", "encryption_at_rest",
               "retention", "region", "recipient_type", "purpose", "user_consent", "transport", "network", "basis",
               "consent_documented")
LINK_FIELDS = ("homepage_url", "privacy_policy_url", "data_deletion_docs_url", "security_contact")


# Most details recur from manifest to manifest (a vocabulary's words, yes and no); sharing one
# frozen value each keeps a batch's inventories small and quick to build.
_value = lru_cache(maxsize=4096)(DetailValue)


@lru_cache(maxsize=4096)
def _detail(key: str, kind: str, value: Any) -> Detail:
    items = value if isinstance(value, tuple) else (value,)
    return Detail(key, tuple(_value(kind, item) for item in items))


def _stated(key: str, kind: str, value: Any) -> list[Detail]:
    """The detail of a field the item states, one value or a list; nothing for a field left out."""
    return [] if value is None else [_detail(key, kind, value)]


def _classification(facts: Facts, pointer: str) -> str:
    return str(facts.elements.get(pointer, {}).get("classification", "unknown"))


def _encryption(encryption: Encryption | None) -> list[Detail]:
    if encryption is None or encryption.enabled is None:
        return []
    qualifiers: tuple[DetailValue, ...] = ()
    if encryption.enabled:
        qualifiers = tuple(_value(kind, value) for kind, value in (
            ("text", encryption.algorithm), ("key_management", encryption.key_management)) if value is not None)
    return [Detail("encryption_at_rest", (_value("flag", encryption.enabled),), qualifiers)]


def _transport(transport: Transport | None) -> list[Detail]:
    if transport is None:
        return []
    values = tuple(_value(kind, value) for kind, value in (
        ("protocol", transport.protocol), ("tls_min_version", transport.tls_min_version)) if value is not None)
    return [Detail("transport", values)] if values else []


def _section(items: tuple[_Item, ...] | None, build: Callable[[_Item], FlowStep]) -> tuple[FlowStep, ...] | None:
    return None if items is None else tuple([build(item) for item in items])


# The details of a flow step follow from a few of its fields, and the same few recur from
# manifest to manifest: each combination's details are made once (typed, so that a ``true``
# and a ``1`` stay apart).
@lru_cache(maxsize=4096, typed=True)
def _data_details(categories: tuple[str, ...] | None, purposes: tuple[str, ...],
                  secondary_purposes: tuple[str, ...] | None, source_scopes: tuple[str, ...]) -> tuple[Detail, ...]:
    return tuple(_stated("categories", "category", categories) + _stated("purposes", "purpose", purposes)
                 + _stated("secondary_purposes", "purpose", secondary_purposes)
                 + _stated("source_scopes", "text", source_scopes))


@lru_cache(maxsize=4096, typed=True)
def _storage_details(location: str, encryption: Encryption | None, retention: str | None,
                     region: str | None) -> tuple[Detail, ...]:
    return tuple(_stated("location", "location", location) + _encryption(encryption)
                 + _stated("retention", "retention" if retention in RETENTION_WORDS else "text", retention)
                 + _stated("region", "text", region))


@lru_cache(maxsize=4096, typed=True)
def _transfer_details(recipient_type: str, purpose: str, user_consent: bool | None, transport: Transport | None,
                      network: str | None) -> tuple[Detail, ...]:
    return tuple(_stated("recipient_type", "recipient_type", recipient_type)
                 + _stated("purpose", "transfer_purpose", purpose) + _stated("user_consent", "flag", user_consent)
                 + _transport(transport) + _stated("network", "network", network))


@lru_cache(maxsize=4096, typed=True)
def _access_details(basis: str, consent_documented: bool | None) -> tuple[Detail, ...]:
    return tuple(_stated("basis", "access_basis", basis) + _stated("consent_documented", "flag", consent_documented))


def _scopes(manifest: ManifestModel, facts: Facts) -> tuple[ScopeUse, ...]:
    scopes = []
    for request in manifest.scopes:
        scope_facts = facts.elements.get(request.pointer, {})
        used_by = scope_facts.get("used_by_data")
        scopes.append(ScopeUse(
            scope=request.scope,
            classification=str(scope_facts.get("classification", "unknown")),
            api=scope_facts.get("api"),
            requested=request.requested,
            justification=request.justification,
            features=request.features or (),
            data=tuple(used_by) if used_by is not None else None,
        ))
    return tuple(scopes)


def build_inventory(manifest: ManifestModel, facts: Facts) -> Inventory:
    """The inventory of a valid manifest's model, with the facts enrichment computed."""
    app = manifest.app
    links = tuple((field, value) for field, value in zip(LINK_FIELDS, (
        app.homepage_url, app.privacy_policy_url, app.data_deletion_docs_url, app.security_contact))
        if value is not None)

    def data_step(item: DataElement) -> FlowStep:
        details = _data_details(item.categories, item.purposes, item.secondary_purposes, item.source_scopes)
        return FlowStep(item.id, item.description, _classification(facts, item.pointer), (item.id,), details)

    def storage_step(item: Storage) -> FlowStep:
        details = _storage_details(item.location, item.encryption_at_rest, item.retention, item.region)
        return FlowStep(item.id, None, _classification(facts, item.pointer), item.data, details)

    def transfer_step(item: Transfer) -> FlowStep:
        details = _transfer_details(item.recipient_type, item.purpose, item.user_consent, item.transport, item.network)
        return FlowStep(item.id, item.recipient, _classification(facts, item.pointer), item.data, details)

    def access_step(item: HumanAccess) -> FlowStep:
        details = _access_details(item.basis, item.consent_documented)
        return FlowStep(item.role, None, _classification(facts, item.pointer), item.data, details)

    return Inventory(
        developer=app.developer,
        app_type=app.type,
        description=app.description,
        links=links,
        scopes=_scopes(manifest, facts),
        data=_section(manifest.data, data_step),
        storage=_section(manifest.storage, storage_step),
        transfers=_section(manifest.transfers, transfer_step),
        human_access=_section(manifest.human_access, access_step),
    )
