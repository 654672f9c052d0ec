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
from auditor.catalog.scope_names import canonical_scope


def _ordered(purposes: Any) -> tuple[str, ...]:
    return tuple(sorted(set(purposes), key=lambda p: (PURPOSES.index(p) if p in PURPOSES else len(PURPOSES), p)))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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


def build_disclosure(data: dict[str, Any], catalog: ScopeCatalog) -> Disclosure:
    """The disclosure model of a valid manifest's data."""
    app_data = _dict(data.get("app"))
    app = App(
        name=str(app_data.get("name", "")), developer=str(app_data.get("developer", "")),
        type=str(app_data.get("type", "")), description=_text(app_data.get("description")),
        homepage_url=_text(app_data.get("homepage_url")), privacy_policy_url=_text(app_data.get("privacy_policy_url")),
        security_contact=_text(app_data.get("security_contact")),
    )
    elements = tuple(
        DataElement(str(item["id"]), str(item.get("description", "")), _ordered(_list(item.get("purposes"))),
                    _ordered(set(_list(item.get("secondary_purposes"))) - set(_list(item.get("purposes")))))
        for item in _list(data.get("data"))
    )
    by_id = {element.id: element for element in elements}
    feeds: dict[str, list[DataElement]] = {}
    for item, element in zip(_list(data.get("data")), elements):
        for scope in _list(item.get("source_scopes")):
            users = feeds.setdefault(canonical_scope(str(scope)), [])
            if element not in users:
                users.append(element)

    def resolve(ids: Any) -> tuple[DataElement, ...]:
        return tuple(by_id[ident] for ident in _list(ids) if ident in by_id)

    use_cases = tuple(UseCase(str(item.get("api")), str(item.get("use_case")), _text(item.get("description")))
                      for item in _list(data.get("use_cases")))
    groups = _group_permissions(_list(data.get("scopes")), catalog, feeds, use_cases)

    storage = tuple(
        Storage(
            id=str(item["id"]), data=resolve(item.get("data")), location=str(item.get("location")),
            region=_text(item.get("region")),
            encryption=_encryption(_dict(item.get("encryption_at_rest")).get("enabled"),
                                   _dict(item.get("encryption_at_rest")).get("algorithm"),
                                   _dict(item.get("encryption_at_rest")).get("key_management")),
            retention=_retention(item.get("retention")),
        )
        for item in _list(data.get("storage"))
    )
    stored = {element.id for item in storage for element in item.data}
    storage_declared = "storage" in data
    unstored = tuple(element for element in elements if element.id not in stored) if storage_declared else ()

    auth = _dict(data.get("auth"))
    token_storage = None
    if "token_storage" in auth:
        tokens = _dict(auth.get("token_storage"))
        token_storage = TokenStorage(_text(tokens.get("location")),
                                     _encryption(tokens.get("encrypted"), None, tokens.get("key_management")))

    transfers = tuple(
        Transfer(
            id=str(item["id"]), recipient=str(item.get("recipient", "")),
            recipient_type=str(item.get("recipient_type")),
            data=resolve(item.get("data")), purpose=str(item.get("purpose")),
            user_consent=item.get("user_consent") if isinstance(item.get("user_consent"), bool) else None,
            protocol=_text(_dict(item.get("transport")).get("protocol")),
            tls_min_version=_tls(_dict(item.get("transport")).get("tls_min_version")),
        )
        for item in _list(data.get("transfers"))
    )
    human_access = tuple(
        HumanAccess(str(item.get("role", "")), resolve(item.get("data")), str(item.get("basis")),
                    item.get("consent_documented") if isinstance(item.get("consent_documented"), bool) else None)
        for item in _list(data.get("human_access"))
    )
    flow = auth.get("flow")
    granted_by = "user" if flow in USER_GRANTED_FLOWS else "administrator" if flow in ADMIN_GRANTED_FLOWS else None
    statement = _dict(app_data.get("limited_use_statement"))

    return Disclosure(
        app=app, use_cases=use_cases, groups=groups, data=elements, data_declared="data" in data,
        storage=storage, storage_declared=storage_declared, unstored=unstored, token_storage=token_storage,
        transfers=transfers, transfers_declared="transfers" in data, human_access=human_access,
        human_access_declared="human_access" in data, security=_security(data.get("security")),
        deletion_url=_text(app_data.get("data_deletion_docs_url")), limited_use_url=_text(statement.get("url")),
        in_product_shown=_dict(data.get("disclosure")).get("in_product") is True, access_granted_by=granted_by,
        assurances=assess(elements, transfers, human_access, "data" in data, "transfers" in data, bool(statement)),
    )


def _tls(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else f"{float(value):.1f}"


def _security(value: Any) -> Security | None:
    if not isinstance(value, dict):
        return None
    casa = _dict(value.get("casa"))
    tier = casa.get("tier")
    return Security(
        casa_completed=casa.get("completed") is True,
        casa_tier=tier if isinstance(tier, int) and not isinstance(tier, bool) else None,
        casa_date=parse_date(casa.get("date")),
        isms=_text(value.get("isms")),
        https_only=value.get("https_only") if isinstance(value.get("https_only"), bool) else None,
        notifies_google=_dict(value.get("incident_response")).get("notifies_google") is True,
    )


def _group_permissions(scopes: list[Any], catalog: ScopeCatalog, feeds: dict[str, list[DataElement]],
                       use_cases: tuple[UseCase, ...]) -> tuple[ApiGroup, ...]:
    order: list[str | None] = []
    members: dict[str | None, list[Permission]] = {}
    for item in scopes:
        name = canonical_scope(str(item.get("scope", "")))
        info = catalog.get(name)
        api = info.api if info else None
        used = tuple(feeds.get(name, ()))
        primary = _ordered(p for element in used for p in element.purposes)
        secondary = _ordered(p for element in used for p in element.secondary_purposes if p not in primary)
        permission = Permission(
            scope=name, description=info.description if info and info.description else None,
            retired=bool(info and info.status == "retired"), justification=_text(item.get("justification")),
            features=tuple(str(feature) for feature in _list(item.get("features"))),
            requested=_text(item.get("requested")), data=used, purposes=primary, secondary_purposes=secondary,
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
