"""Build the disclosure model from a valid manifest and the scope catalog.

This is the content half of the honesty guard: every statement the disclosure can make is
derived from what the manifest declares. A claim such as "never sold" is set only when the
manifest declares both its data uses and its transfers and none of them sells data; a
section the manifest leaves out becomes "not available", never a reassuring default.
"""

from __future__ import annotations

import datetime
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.durations import parse_duration
from auditor.disclosure.model import (
    ADMIN_GRANTED_FLOWS, BROKER_TYPES, CONSENT_PURPOSES, PROHIBITED_PURPOSES, PROHIBITED_RECIPIENT_TYPES, PURPOSES,
    USER_GRANTED_FLOWS, ApiGroup, App, Assurances, DataElement, Disclosure, Encryption, HumanAccess, Permission,
    Retention, Security, Storage, TokenStorage, Transfer, UseCase,
)
from auditor.manifest.model import Encryption as DeclaredEncryption, ManifestModel, ScopeRequest
from auditor.manifest.model import Security as DeclaredSecurity


def _ordered(purposes: Any) -> tuple[str, ...]:
    return tuple(sorted(set(purposes), key=lambda p: (PURPOSES.index(p) if p in PURPOSES else len(PURPOSES), p)))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _retention(value: Any) -> Retention:
    if value is None:
        return Retention("unstated")
    if value in ("until_user_deletes", "until_account_closed", "indefinite"):
        return Retention(value)
    duration = parse_duration(str(value))
    if duration is None:  # the schema rejects it; say nothing rather than guess
        return Retention("unstated")
    return Retention("duration", duration)


def _encryption(enabled: Any, algorithm: Any = None, key_management: Any = None) -> Encryption:
    if enabled is True:
        return Encryption("encrypted", _text(algorithm), _text(key_management))
    if enabled is False:
        return Encryption("not_encrypted")
    return Encryption("unstated")


def parse_date(value: Any) -> datetime.date | None:
    """A manifest date (a ``date`` or an ISO string), or ``None`` when it is not one."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def build_disclosure(manifest: ManifestModel, catalog: ScopeCatalog) -> Disclosure:
    """The disclosure model of a valid manifest's typed model."""
    declared = manifest.app
    app = App(
        name=declared.name, developer=declared.developer, type=declared.type, description=declared.description,
        homepage_url=declared.homepage_url, privacy_policy_url=declared.privacy_policy_url,
        security_contact=declared.security_contact,
    )
    elements = tuple(
        DataElement(item.id, item.description, _ordered(item.purposes),
                    _ordered(set(item.secondary_purposes or ()) - set(item.purposes)))
        for item in manifest.data or ()
    )
    by_id = {element.id: element for element in elements}

    def resolve(ids: tuple[str, ...]) -> tuple[DataElement, ...]:
        return tuple(by_id[ident] for ident in ids if ident in by_id)

    use_cases = tuple(UseCase(item.api, item.use_case, item.description) for item in manifest.use_cases or ())
    groups = _group_permissions(manifest.scopes, catalog, _feeds(manifest, elements), use_cases)
    storage = tuple(
        Storage(id=item.id, data=resolve(item.data), location=item.location, region=item.region,
                encryption=_stored_encryption(item.encryption_at_rest), retention=_retention(item.retention))
        for item in manifest.storage or ()
    )
    stored = {element.id for item in storage for element in item.data}
    storage_declared = manifest.storage is not None
    unstored = tuple(element for element in elements if element.id not in stored) if storage_declared else ()
    transfers = tuple(
        Transfer(id=item.id, recipient=item.recipient, recipient_type=item.recipient_type, data=resolve(item.data),
                 purpose=item.purpose, user_consent=item.user_consent,
                 protocol=item.transport.protocol if item.transport else None,
                 tls_min_version=item.transport.tls_min_version if item.transport else None)
        for item in manifest.transfers or ()
    )
    human_access = tuple(HumanAccess(item.role, resolve(item.data), item.basis, item.consent_documented)
                         for item in manifest.human_access or ())
    statement = declared.limited_use_statement
    statement_declared = statement is not None and (statement.url is not None or statement.text is not None)
    data_declared, transfers_declared = manifest.data is not None, manifest.transfers is not None
    return Disclosure(
        app=app, use_cases=use_cases, groups=groups, data=elements, data_declared=data_declared,
        storage=storage, storage_declared=storage_declared, unstored=unstored, token_storage=_token_storage(manifest),
        transfers=transfers, transfers_declared=transfers_declared, human_access=human_access,
        human_access_declared=manifest.human_access is not None, security=_security(manifest.security),
        deletion_url=declared.data_deletion_docs_url, limited_use_url=statement.url if statement else None,
        in_product_shown=manifest.disclosure is not None and manifest.disclosure.in_product is True,
        access_granted_by=_granted_by(manifest),
        assurances=assess(elements, transfers, human_access, data_declared, transfers_declared, statement_declared),
    )


def _feeds(manifest: ManifestModel, elements: tuple[DataElement, ...]) -> dict[str, list[DataElement]]:
    """For each scope, the data elements derived from it, in manifest order (each once)."""
    # Kept as dictionary keys while they are gathered: asking a list whether it holds an
    # element costs a comparison with each one it holds, and every element of a manifest
    # may come from one scope.
    feeds: dict[str, dict[DataElement, None]] = {}
    for item, element in zip(manifest.data or (), elements):
        for scope in item.source_scopes:
            feeds.setdefault(scope, {})[element] = None
    return {scope: list(users) for scope, users in feeds.items()}


def _token_storage(manifest: ManifestModel) -> TokenStorage | None:
    auth = manifest.auth
    if auth is None or auth.token_storage is None:
        return None
    tokens = auth.token_storage
    return TokenStorage(tokens.location, _encryption(tokens.encrypted, None, tokens.key_management))


def _granted_by(manifest: ManifestModel) -> str | None:
    """Who grants the app its access: each user, or an administrator for the domain."""
    flow = manifest.auth.flow if manifest.auth is not None else None
    return "user" if flow in USER_GRANTED_FLOWS else "administrator" if flow in ADMIN_GRANTED_FLOWS else None


def _stored_encryption(encryption: DeclaredEncryption | None) -> Encryption:
    if encryption is None:
        return Encryption("unstated")
    return _encryption(encryption.enabled, encryption.algorithm, encryption.key_management)


def _security(security: DeclaredSecurity | None) -> Security | None:
    if security is None:
        return None
    casa, incident = security.casa, security.incident_response
    return Security(
        casa_completed=casa is not None and casa.completed is True,
        casa_tier=casa.tier if casa is not None else None,
        casa_date=casa.date if casa is not None else None,
        isms=security.isms,
        https_only=security.https_only,
        notifies_google=incident is not None and incident.notifies_google is True,
    )


def _group_permissions(scopes: tuple[ScopeRequest, ...], catalog: ScopeCatalog,
                       feeds: dict[str, list[DataElement]], use_cases: tuple[UseCase, ...]) -> tuple[ApiGroup, ...]:
    order: list[str | None] = []
    members: dict[str | None, list[Permission]] = {}
    for item in scopes:
        name = item.scope
        info = catalog.get(name)
        api = info.api if info else None
        used = tuple(feeds.get(name, ()))
        primary = _ordered(p for element in used for p in element.purposes)
        secondary = _ordered(p for element in used for p in element.secondary_purposes if p not in primary)
        permission = Permission(
            scope=name, description=info.description if info and info.description else None,
            retired=bool(info and info.status == "retired"), justification=item.justification,
            features=item.features or (), requested=item.requested, data=used, purposes=primary,
            secondary_purposes=secondary,
        )
        if api not in members:
            order.append(api)
            members[api] = []
        members[api].append(permission)
    # Scopes the catalog does not know go last, whatever their place in the manifest.
    order.sort(key=lambda api: api is None)
    return tuple(ApiGroup(api, tuple(members[api]), tuple(item for item in use_cases if item.api == api))
                 for api in order)


def assess(elements: tuple[DataElement, ...], transfers: tuple[Transfer, ...], human_access: tuple[HumanAccess, ...],
           data_declared: bool, transfers_declared: bool, statement_declared: bool) -> Assurances:
    """Decide what the manifest supports saying about selling, advertising and Limited Use."""

    def using(purpose: str) -> tuple[DataElement, ...]:
        found = [element for element in elements if purpose in element.all_purposes]
        for transfer in transfers:
            if transfer.purpose == purpose:
                found.extend(transfer.data)
        return tuple(dict.fromkeys(found))

    sold, advertising = using("sale"), using("advertising")
    brokers = tuple(transfer for transfer in transfers if transfer.recipient_type in BROKER_TYPES)
    ad_platforms = tuple(transfer for transfer in transfers if transfer.recipient_type == "advertising_platform")
    known = data_declared and transfers_declared

    conflicts = [purpose for purpose in PROHIBITED_PURPOSES
                 if any(purpose in element.all_purposes for element in elements)
                 or any(transfer.purpose == purpose for transfer in transfers)]
    if any(transfer.recipient_type in PROHIBITED_RECIPIENT_TYPES for transfer in transfers):
        conflicts.append("prohibited_recipients")
    # Limited Use lets a transfer that provides a feature, or follows a merger, happen only
    # with the user's consent; security and legal transfers need none.
    if any(transfer.user_consent is False and transfer.purpose in CONSENT_PURPOSES for transfer in transfers):
        conflicts.append("transfer_without_consent")
    if any(access.basis == "none" for access in human_access):
        conflicts.append("human_access_without_basis")
    if conflicts:
        limited_use = "conflict"
    elif data_declared or statement_declared:
        limited_use = "affirmed"
    else:
        limited_use = "undetermined"
    # Data that serves ads or reaches an ad platform may well be paid for in kind, so "never
    # sold" is said only when nothing goes to ads, sale, brokers or resellers.
    return Assurances(
        never_sold=known and not sold and not advertising and not brokers and not ad_platforms,
        never_advertising=known and not advertising and not ad_platforms,
        sold=sold, advertising=advertising, credit_assessment=using("credit_assessment"),
        model_training=using("general_model_training"), broker_recipients=brokers,
        ad_platform_recipients=ad_platforms, limited_use=limited_use, conflicts=tuple(conflicts),
    )
