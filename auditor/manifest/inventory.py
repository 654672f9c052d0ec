"""The inventory of a manifest: its identity, scopes and data flow, as reports show them.

Built once per manifest from its typed model and the enrichment facts (classification,
API family, the most sensitive scope behind each element), so that no renderer reads a
manifest again or repeats a look-up. Values are worded for a reader here, but nothing is
judged: findings do that.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from auditor.rules.facts import Facts
from auditor.model.report import FlowStep, Inventory, ScopeUse
from auditor.manifest.model import DataElement, Encryption, HumanAccess, ManifestModel, Storage, Transfer, Transport

_Item = TypeVar("_Item")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(_text(item) for item in value) or "none"
    return str(value)


def _pairs(*fields: tuple[str, Any]) -> list[tuple[str, str]]:
    """Label and value for each field the item states (a field left out is not shown)."""
    return [(label, _text(value)) for label, value in fields if value is not None]


def _classification(facts: Facts, pointer: str) -> str:
    return str(facts.elements.get(pointer, {}).get("classification", "unknown"))


def _encryption(encryption: Encryption | None) -> list[tuple[str, str]]:
    if encryption is None or encryption.enabled is None:
        return []
    if not encryption.enabled:
        return [("encrypted at rest", "no")]
    extra = [value for value in (encryption.algorithm, encryption.key_management) if value is not None]
    return [("encrypted at rest", "yes" + (f" ({', '.join(extra)})" if extra else ""))]


def _transport(transport: Transport | None) -> list[tuple[str, str]]:
    if transport is None or (transport.protocol is None and transport.tls_min_version is None):
        return []
    parts = [transport.protocol] if transport.protocol is not None else []
    if transport.tls_min_version is not None:
        parts.append(f"TLS {transport.tls_min_version} or later")
    return [("transport", ", ".join(parts))]


def _section(items: tuple[_Item, ...] | None, build: Callable[[_Item], FlowStep]) -> tuple[FlowStep, ...] | None:
    return None if items is None else tuple(build(item) for item in items)


def build_inventory(manifest: ManifestModel, facts: Facts) -> Inventory:
    """The inventory of a valid manifest's model, with the facts enrichment computed."""
    app = manifest.app
    links = tuple((label, value) for label, value in (
        ("homepage", app.homepage_url), ("privacy policy", app.privacy_policy_url),
        ("data deletion help", app.data_deletion_docs_url), ("security contact", app.security_contact))
        if value is not None)

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

    def data_step(item: DataElement) -> FlowStep:
        details = _pairs(("categories", item.categories), ("purposes", item.purposes),
                         ("secondary purposes", item.secondary_purposes), ("source scopes", item.source_scopes))
        return FlowStep(item.id, item.description, _classification(facts, item.pointer), (item.id,), tuple(details))

    def storage_step(item: Storage) -> FlowStep:
        details = (_pairs(("location", item.location)) + _encryption(item.encryption_at_rest)
                   + _pairs(("retention", item.retention), ("region", item.region)))
        return FlowStep(item.id, None, _classification(facts, item.pointer), item.data, tuple(details))

    def transfer_step(item: Transfer) -> FlowStep:
        details = (_pairs(("recipient type", item.recipient_type), ("purpose", item.purpose),
                          ("user consent", item.user_consent))
                   + _transport(item.transport) + _pairs(("network", item.network)))
        return FlowStep(item.id, item.recipient, _classification(facts, item.pointer), item.data, tuple(details))

    def access_step(item: HumanAccess) -> FlowStep:
        details = _pairs(("basis", item.basis), ("consent documented", item.consent_documented))
        return FlowStep(item.role, None, _classification(facts, item.pointer), item.data, tuple(details))

    return Inventory(
        developer=app.developer,
        app_type=app.type,
        description=app.description,
        links=links,
        scopes=tuple(scopes),
        data=_section(manifest.data, data_step),
        storage=_section(manifest.storage, storage_step),
        transfers=_section(manifest.transfers, transfer_step),
        human_access=_section(manifest.human_access, access_step),
    )
