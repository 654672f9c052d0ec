"""Reading a validated manifest's data into the typed model of :mod:`auditor.manifest.model`.

The schema and reference checks have run, so the shape is known: a required key is there,
a value has its type. Each section is read once, without checking it again, into frozen
values; the small ones that recur from manifest to manifest (an encryption, a transport, the
consent) are made once and shared.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

from auditor.catalog.scope_names import canonical_scope
from auditor.manifest.model import (
    Aggregation, App, Auth, Casa, Consent, DataElement, Encryption, HumanAccess, IncidentResponse,
    InProductDisclosure, LimitedUseStatement, ManifestModel, ScopeRequest, Security, Storage, TokenStorage,
    Transfer, Transport, UseCase,
)

# A model is built for every manifest of a batch, and the same scope names recur in them.
_canonical_scope = lru_cache(maxsize=1024)(canonical_scope)


def build_model(data: dict[str, Any]) -> ManifestModel:
    """The model of manifest ``data`` (see :meth:`ManifestModel.from_data`)."""
    get = data.get
    return ManifestModel(
        app=_app(data["app"]),
        scopes=tuple([_scope(item, f"/scopes/{index}") for index, item in enumerate(data["scopes"])]),
        use_cases=_items(get("use_cases"), "use_cases", _use_case),
        auth=_auth(get("auth")),
        disclosure=_disclosure(get("disclosure")),
        consent=_consent(get("consent")),
        data=_items(get("data"), "data", _data_element),
        storage=_items(get("storage"), "storage", _storage),
        transfers=_items(get("transfers"), "transfers", _transfer),
        human_access=_items(get("human_access"), "human_access", _human_access),
        security=_security(get("security")),
    )


# The small sections and settings (an encryption, a transport, the consent) recur from
# manifest to manifest: equal ones are one shared frozen value, made once. Typed, so that
# ``1`` and ``1.0`` or ``True`` stay apart as the manifest wrote them.
def _shared(build: Any) -> Any:
    return lru_cache(maxsize=1024, typed=True)(build)


_token_storage, _new_auth = _shared(TokenStorage), _shared(Auth)
_new_disclosure, _new_consent = _shared(InProductDisclosure), _shared(Consent)
_aggregation, _encryption, _transport = _shared(Aggregation), _shared(Encryption), _shared(Transport)
_casa, _incident_response = _shared(Casa), _shared(IncidentResponse)


def _items(items: list[Any] | None, section: str, build: Any) -> tuple[Any, ...] | None:
    if items is None:
        return None
    # A list, not a generator, fed to tuple(): the model is built for every manifest of a
    # batch, and a generator costs a resumption per item.
    return tuple([build(item, f"/{section}/{index}") for index, item in enumerate(items)])


def _strings(values: list[Any] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _app(app: dict[str, Any]) -> App:
    get = app.get
    statement = get("limited_use_statement")
    return App(
        name=app["name"], developer=app["developer"], type=app["type"], description=get("description"),
        oauth_client_ids=_strings(get("oauth_client_ids")), homepage_url=get("homepage_url"),
        privacy_policy_url=get("privacy_policy_url"),
        limited_use_statement=None if statement is None else LimitedUseStatement(statement.get("url"),
                                                                                  statement.get("text")),
        data_deletion_docs_url=get("data_deletion_docs_url"), security_contact=get("security_contact"),
        audience=get("audience"),
    )


def _use_case(item: dict[str, Any], pointer: str) -> UseCase:
    return UseCase(item["api"], item["use_case"], item.get("description"), item.get("user_facing"), pointer)


def _scope(item: dict[str, Any], pointer: str) -> ScopeRequest:
    get = item.get
    written = item["scope"]
    return ScopeRequest(_canonical_scope(written), written, get("justification"), get("narrower_rejected_because"),
                        get("requested"), _strings(get("features")), pointer)


def _auth(auth: dict[str, Any] | None) -> Auth | None:
    if auth is None:
        return None
    tokens = auth.get("token_storage")
    token_storage = None if tokens is None else _token_storage(
        tokens.get("location"), tokens.get("encrypted"), tokens.get("key_management"))
    return _new_auth(auth.get("flow"), auth.get("incremental_auth"), auth.get("impersonates"), token_storage)


def _disclosure(section: dict[str, Any] | None) -> InProductDisclosure | None:
    if section is None:
        return None
    get = section.get
    return _new_disclosure(get("in_product"), get("placement"), get("shown_in_normal_usage"),
                               get("identifies_app"), get("describes_data_types"), get("describes_usage"),
                               get("describes_sharing"), get("bundled_with_unrelated"))


def _consent(section: dict[str, Any] | None) -> Consent | None:
    if section is None:
        return None
    get = section.get
    return _new_consent(get("immediately_follows_disclosure"), get("affirmative_action"),
                   get("navigation_away_counts_as_consent"), get("auto_dismissing"), get("collection_before_consent"))


def _data_element(item: dict[str, Any], pointer: str) -> DataElement:
    get = item.get
    aggregation = get("aggregation")
    return DataElement(
        id=item["id"], description=item["description"],
        source_scopes=tuple([_canonical_scope(scope) for scope in item["source_scopes"]]),
        categories=_strings(get("categories")), purposes=tuple(item["purposes"]),
        secondary_purposes=_strings(get("secondary_purposes")),
        aggregation=None if aggregation is None else _aggregation(
            aggregation.get("method"), aggregation.get("anonymization"), aggregation.get("internal_only")),
        pointer=pointer,
    )


def _storage(item: dict[str, Any], pointer: str) -> Storage:
    get = item.get
    encryption = get("encryption_at_rest")
    return Storage(
        id=item["id"], data=tuple(item["data"]), location=item["location"],
        encryption_at_rest=None if encryption is None else _encryption(
            encryption.get("enabled"), encryption.get("algorithm"), encryption.get("key_management")),
        retention=get("retention"), region=get("region"), pointer=pointer,
    )


def tls_version_text(value: str | float | None) -> str | None:
    """A TLS version as text: YAML reads an unquoted ``1.2`` as a number."""
    if value is None or isinstance(value, str):
        return value
    return f"{float(value):.1f}"


def _transfer(item: dict[str, Any], pointer: str) -> Transfer:
    get = item.get
    transport = get("transport")
    return Transfer(
        id=item["id"], recipient=item["recipient"], recipient_type=item["recipient_type"], data=tuple(item["data"]),
        purpose=item["purpose"], user_consent=get("user_consent"),
        transport=None if transport is None else _transport(
            transport.get("protocol"), tls_version_text(transport.get("tls_min_version"))),  # type: ignore[arg-type]
        network=get("network"), pointer=pointer,
    )


def _human_access(item: dict[str, Any], pointer: str) -> HumanAccess:
    return HumanAccess(item["role"], tuple(item["data"]), item["basis"], item.get("consent_documented"), pointer)


def _calendar_date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:  # the pattern holds but the day does not exist (2026-02-30)
        return None


def _security(section: dict[str, Any] | None) -> Security | None:
    if section is None:
        return None
    casa, incident = section.get("casa"), section.get("incident_response")
    return Security(
        casa=None if casa is None else _casa(casa.get("completed"), casa.get("tier"), _calendar_date(casa.get("date")),
                                            casa.get("letter_of_assessment")),
        isms=section.get("isms"), owasp_top10_reviewed=section.get("owasp_top10_reviewed"),
        incident_response=None if incident is None else _incident_response(incident.get("notifies_google"),
                                                                          incident.get("contact")),
        https_only=section.get("https_only"),
    )
