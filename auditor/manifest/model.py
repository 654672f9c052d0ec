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
from typing import Any, Literal

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
        without checking: run it only after validation (:mod:`auditor.manifest.model_building`).
        """
        from auditor.manifest.model_building import build_model

        return build_model(data)
