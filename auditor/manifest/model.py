"""The typed model of a v1 manifest: what the manifest declares, read once.

The loader checks a manifest against the schema and its cross-references; after that the
shape is known, so :meth:`ManifestModel.from_data` reads the data once, without checking it
again, into frozen values: tuples for lists, ``None`` for an optional field the manifest
leaves out (an empty list stays an empty tuple: "none" is not "not said"), scope names in
their canonical form, and the JSON Pointer of every list item so that a finding can point
at it. The facts, the inventory, the disclosure and the diff read this model; the rule
packs keep judging the manifest's data, which is their contract.

``x-`` extension keys are the user's own notes and are not part of the model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from auditor.catalog.scope_names import canonical_scope

AppType = Literal["web", "installed", "mobile", "workspace_addon", "chat_app", "service"]
Audience = Literal["internal", "external"]
Requested = Literal["at_sign_in", "incremental"]
AuthFlow = Literal["authorization_code", "installed_app", "service_account", "domain_wide_delegation"]
Impersonation = Literal["all_users", "specific_users", "resource_calendars"]
Location = Literal["own_systems", "cloud_provider", "third_party", "portable_device", "end_user_device",
                   "google_workspace"]
KeyManagement = Literal["hsm", "kms", "application", "none"]
Placement = Literal["in_app", "separate_dialog", "settings_menu", "privacy_policy_only", "terms_only"]
AffirmativeAction = Literal["checkbox", "tap", "button", "verbal", "none"]
Category = Literal["email_content", "email_metadata", "file_content", "file_metadata", "calendar_events",
                   "chat_messages", "meeting_media", "meeting_metadata", "contacts", "profile", "directory",
                   "tokens", "other"]
Purpose = Literal["user_facing_feature", "security", "legal_compliance", "personalized_model", "aggregated_analytics",
                  "advertising", "sale", "credit_assessment", "general_model_training"]
RecipientType = Literal["service_provider", "affiliate", "advertising_platform", "data_broker", "information_reseller",
                        "acquirer", "authority", "other"]
TransferPurpose = Literal["provide_feature", "security", "legal_compliance", "merger_acquisition", "advertising",
                          "sale", "credit_assessment", "general_model_training"]
Protocol = Literal["https", "tls", "sftp", "http", "smtp", "other"]
TlsVersion = Literal["1.0", "1.1", "1.2", "1.3"]
Network = Literal["external", "internal"]
AccessBasis = Literal["explicit_user_consent", "aggregated_anonymized", "security", "legal_compliance", "none"]
Isms = Literal["iso27001", "soc2", "other", "none"]

# A model is built for every manifest of a batch, and the same scope names recur in them.
_canonical_scope = lru_cache(maxsize=1024)(canonical_scope)


@dataclass(frozen=True, slots=True)
class LimitedUseStatement:
    url: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class App:
    name: str
    developer: str
    type: AppType
    description: str | None
    oauth_client_ids: tuple[str, ...] | None
    homepage_url: str | None
    privacy_policy_url: str | None
    limited_use_statement: LimitedUseStatement | None
    data_deletion_docs_url: str | None
    security_contact: str | None
    audience: Audience | None


@dataclass(frozen=True, slots=True)
class UseCase:
    api: str
    use_case: str
    description: str | None
    user_facing: bool | None
    pointer: str


@dataclass(frozen=True, slots=True)
class ScopeRequest:
    """One requested scope: ``scope`` is the canonical name, ``written`` the manifest's spelling."""

    scope: str
    written: str
    justification: str | None
    narrower_rejected_because: str | None
    requested: Requested | None
    features: tuple[str, ...] | None
    pointer: str


@dataclass(frozen=True, slots=True)
class TokenStorage:
    location: Location | None
    encrypted: bool | None
    key_management: KeyManagement | None


@dataclass(frozen=True, slots=True)
class Auth:
    flow: AuthFlow | None
    incremental_auth: bool | None
    impersonates: Impersonation | None
    token_storage: TokenStorage | None


@dataclass(frozen=True, slots=True)
class InProductDisclosure:
    """The manifest's ``disclosure`` section (named apart from the generated disclosure page)."""

    in_product: bool | None
    placement: Placement | None
    shown_in_normal_usage: bool | None
    identifies_app: bool | None
    describes_data_types: bool | None
    describes_usage: bool | None
    describes_sharing: bool | None
    bundled_with_unrelated: bool | None


@dataclass(frozen=True, slots=True)
class Consent:
    immediately_follows_disclosure: bool | None
    affirmative_action: AffirmativeAction | None
    navigation_away_counts_as_consent: bool | None
    auto_dismissing: bool | None
    collection_before_consent: bool | None


@dataclass(frozen=True, slots=True)
class Aggregation:
    method: str | None
    anonymization: str | None
    internal_only: bool | None


@dataclass(frozen=True, slots=True)
class DataElement:
    """A data element; ``source_scopes`` are canonical names, in the manifest's order."""

    id: str
    description: str
    source_scopes: tuple[str, ...]
    categories: tuple[Category, ...] | None
    purposes: tuple[Purpose, ...]
    secondary_purposes: tuple[Purpose, ...] | None
    aggregation: Aggregation | None
    pointer: str

    @property
    def all_purposes(self) -> frozenset[str]:
        """The primary and the secondary purposes together."""
        return frozenset(self.purposes).union(self.secondary_purposes or ())


@dataclass(frozen=True, slots=True)
class Encryption:
    enabled: bool | None
    algorithm: str | None
    key_management: KeyManagement | None


@dataclass(frozen=True, slots=True)
class Storage:
    id: str
    data: tuple[str, ...]
    location: Location
    encryption_at_rest: Encryption | None
    retention: str | None
    region: str | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Transport:
    """How a transfer travels; ``tls_min_version`` is always text (YAML may write ``1.2`` as a number)."""

    protocol: Protocol | None
    tls_min_version: TlsVersion | None


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    recipient: str
    recipient_type: RecipientType
    data: tuple[str, ...]
    purpose: TransferPurpose
    user_consent: bool | None
    transport: Transport | None
    network: Network | None
    pointer: str


@dataclass(frozen=True, slots=True)
class HumanAccess:
    role: str
    data: tuple[str, ...]
    basis: AccessBasis
    consent_documented: bool | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Casa:
    """The CASA assessment; ``date`` is ``None`` when absent or not a real calendar date."""

    completed: bool | None
    tier: int | None
    date: datetime.date | None
    letter_of_assessment: bool | None


@dataclass(frozen=True, slots=True)
class IncidentResponse:
    notifies_google: bool | None
    contact: str | None


@dataclass(frozen=True, slots=True)
class Security:
    casa: Casa | None
    isms: Isms | None
    owasp_top10_reviewed: bool | None
    incident_response: IncidentResponse | None
    https_only: bool | None


@dataclass(frozen=True, slots=True)
class ManifestModel:
    """Everything a valid v1 manifest declares. A list section the manifest leaves out is
    ``None``; one it declares empty is ``()``."""

    app: App
    scopes: tuple[ScopeRequest, ...]
    use_cases: tuple[UseCase, ...] | None
    auth: Auth | None
    disclosure: InProductDisclosure | None
    consent: Consent | None
    data: tuple[DataElement, ...] | None
    storage: tuple[Storage, ...] | None
    transfers: tuple[Transfer, ...] | None
    human_access: tuple[HumanAccess, ...] | None
    security: Security | None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ManifestModel:
        """The model of manifest ``data`` that passed the schema and reference checks.

        It trusts that shape (a required key is there, a value has its type), so it reads
        without checking: run it only after validation.
        """
        get = data.get
        return cls(
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
