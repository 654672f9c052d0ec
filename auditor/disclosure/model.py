"""The disclosure model: what a privacy disclosure may say about one app.

Language-neutral: it holds the manifest's own text and its codes (purposes, locations,
bases…), which the message files put into words. Claims such as "never sold" are fields
here, set by :mod:`auditor.disclosure.build` only when the manifest supports them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from auditor.disclosure.durations import Duration
from auditor.rules.policy_facts import policy_facts

# Purposes in the order a disclosure lists them (the manifest contract's order), and the
# recipients the policy forbids, from policies/facts/policy-facts.yaml.
PURPOSES = policy_facts().purposes
PROHIBITED_PURPOSES = policy_facts().prohibited_purposes
BROKER_TYPES = frozenset(policy_facts().broker_recipient_types)
PROHIBITED_RECIPIENT_TYPES = frozenset(policy_facts().prohibited_recipient_types)
CONSENT_PURPOSES = frozenset({"provide_feature", "merger_acquisition"})
USER_GRANTED_FLOWS = frozenset({"authorization_code", "installed_app"})
ADMIN_GRANTED_FLOWS = frozenset({"domain_wide_delegation", "service_account"})


@dataclass(frozen=True)
class App:
    name: str
    developer: str
    type: str
    description: str | None
    homepage_url: str | None
    privacy_policy_url: str | None
    security_contact: str | None


@dataclass(frozen=True)
class DataElement:
    id: str
    description: str
    purposes: tuple[str, ...]
    secondary_purposes: tuple[str, ...]

    @property
    def all_purposes(self) -> tuple[str, ...]:
        return self.purposes + self.secondary_purposes


@dataclass(frozen=True)
class UseCase:
    api: str
    use_case: str
    description: str | None


@dataclass(frozen=True)
class Permission:
    """One requested scope: Google's consent wording, and the data and uses behind it."""

    scope: str
    description: str | None
    retired: bool
    justification: str | None
    features: tuple[str, ...]
    requested: str | None
    data: tuple[DataElement, ...]
    purposes: tuple[str, ...]
    secondary_purposes: tuple[str, ...]


@dataclass(frozen=True)
class ApiGroup:
    """The permissions of one API family (``api`` is ``None`` for scopes the catalog lacks)."""

    api: str | None
    permissions: tuple[Permission, ...]
    use_cases: tuple[UseCase, ...]


@dataclass(frozen=True)
class Retention:
    """``kind``: ``duration``, ``until_user_deletes``, ``until_account_closed``, ``indefinite``
    or ``unstated``."""

    kind: str
    duration: Duration | None = None


@dataclass(frozen=True)
class Encryption:
    """``state``: ``encrypted``, ``not_encrypted`` or ``unstated``."""

    state: str
    algorithm: str | None = None
    key_management: str | None = None


@dataclass(frozen=True)
class Storage:
    id: str
    data: tuple[DataElement, ...]
    location: str
    region: str | None
    encryption: Encryption
    retention: Retention


@dataclass(frozen=True)
class TokenStorage:
    location: str | None
    encryption: Encryption


@dataclass(frozen=True)
class Transfer:
    id: str
    recipient: str
    recipient_type: str
    data: tuple[DataElement, ...]
    purpose: str
    user_consent: bool | None
    protocol: str | None
    tls_min_version: str | None


@dataclass(frozen=True)
class HumanAccess:
    role: str
    data: tuple[DataElement, ...]
    basis: str
    consent_documented: bool | None


@dataclass(frozen=True)
class Security:
    casa_completed: bool
    casa_tier: int | None
    casa_date: datetime.date | None
    isms: str | None
    https_only: bool | None
    notifies_google: bool


@dataclass(frozen=True)
class Assurances:
    """What may be said about selling and advertising, and about Limited Use.

    ``never_sold`` and ``never_advertising`` are true only when the manifest declares both its
    data uses and its transfers and none of them sells data or serves ads (``never_sold``
    also needs no data to reach an advertising platform, a data broker or an information
    reseller, and no purpose of advertising). The tuples name
    what the manifest does declare, so the disclosure says it plainly instead.
    ``limited_use`` is ``affirmed``, ``conflict`` (``conflicts`` says why) or ``undetermined``.
    """

    never_sold: bool
    never_advertising: bool
    sold: tuple[DataElement, ...]
    advertising: tuple[DataElement, ...]
    credit_assessment: tuple[DataElement, ...]
    model_training: tuple[DataElement, ...]
    broker_recipients: tuple[Transfer, ...]
    ad_platform_recipients: tuple[Transfer, ...]
    limited_use: str
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class Disclosure:
    """Everything a disclosure of one app says, before it is put into words."""

    app: App
    use_cases: tuple[UseCase, ...]
    groups: tuple[ApiGroup, ...]
    data: tuple[DataElement, ...]
    data_declared: bool
    storage: tuple[Storage, ...]
    storage_declared: bool
    unstored: tuple[DataElement, ...]
    token_storage: TokenStorage | None
    transfers: tuple[Transfer, ...]
    transfers_declared: bool
    human_access: tuple[HumanAccess, ...]
    human_access_declared: bool
    security: Security | None
    deletion_url: str | None
    limited_use_url: str | None
    in_product_shown: bool
    access_granted_by: str | None
    assurances: Assurances

    @property
    def ungrouped_use_cases(self) -> tuple[UseCase, ...]:
        """Use cases for an API none of the requested scopes belongs to (or ``any``)."""
        grouped = {group.api for group in self.groups}
        return tuple(item for item in self.use_cases if item.api not in grouped)
