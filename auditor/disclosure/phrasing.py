"""How the model's codes and values become phrases: names of APIs, places, encryption,
retention, recipients and transport, shared by every section of a disclosure."""

from __future__ import annotations

from typing import Any

from auditor.disclosure.i18n import Joined, Phrase, Verbatim, phrase
from auditor.disclosure.layout import Cell
from auditor.disclosure.model import DataElement, Encryption, Retention

CATALOG_LANGUAGE = "en"
NO_VALUE = "—"

# Product names are the same in every language; families without an entry show their id.
API_NAMES = {
    "gmail": "Gmail", "drive": "Google Drive", "calendar": "Google Calendar", "chat": "Google Chat",
    "meet": "Google Meet", "script": "Apps Script", "sheets": "Google Sheets", "docs": "Google Docs",
    "slides": "Google Slides", "forms": "Google Forms", "people": "Google People (Contacts)",
    "tasks": "Google Tasks", "keep": "Google Keep", "classroom": "Google Classroom", "vault": "Google Vault",
    "admin_directory": "Google Workspace Admin (Directory)", "admin_reports": "Google Workspace Admin (Reports)",
    "admin_datatransfer": "Google Workspace Admin (Data Transfer)", "driveactivity": "Drive Activity",
    "drivelabels": "Drive Labels", "cloudidentity": "Cloud Identity", "cloudsearch": "Cloud Search",
    "gmailpostmastertools": "Postmaster Tools", "chromemanagement": "Chrome Management",
    "chromepolicy": "Chrome Policy", "groupssettings": "Groups Settings", "alertcenter": "Alert Center",
    "licensing": "Enterprise License Manager", "reseller": "Google Workspace Reseller",
    "groupsmigration": "Groups Migration",
}
KNOWN_ROLES = frozenset({"support", "engineering", "trust_and_safety", "security_operations", "operator"})


def descriptions(elements: tuple[DataElement, ...]) -> tuple[str, ...]:
    return tuple(element.description for element in elements)


def cell_list(elements: tuple[DataElement, ...]) -> Cell:
    return Cell(descriptions(elements) or (NO_VALUE,), "list")


def purposes_said(purposes: tuple[str, ...]) -> Joined:
    return Joined(tuple(phrase(f"purpose.{purpose}") for purpose in purposes))


def api_name(api: str | None) -> Any:
    if api is None:
        return phrase("api.unknown")
    if api == "openid":
        return phrase("api.sign_in")
    return API_NAMES.get(api, api)


def location_words(location: str | None) -> Phrase:
    known = {"own_systems", "cloud_provider", "third_party", "portable_device", "end_user_device", "google_workspace"}
    return phrase(f"location.{location}" if location in known else "location.unstated")


def encryption_words(encryption: Encryption) -> tuple[Any, ...]:
    if encryption.state == "not_encrypted":
        return (phrase("encryption.off"),)
    if encryption.state == "unstated":
        return (phrase("encryption.unstated"),)
    if encryption.algorithm:
        said = phrase("encryption.on_with", algorithm=encryption.algorithm)
    else:
        said = phrase("encryption.on")
    keys = encryption.key_management
    if keys in ("hsm", "kms", "application", "none"):
        return (phrase("encryption.with_keys", encryption=said, keys=phrase(f"encryption.keys.{keys}")),)
    return (said,)


def retention_words(retention: Retention) -> Phrase:
    if retention.kind == "duration":
        assert retention.duration is not None
        if retention.duration.is_zero:
            return phrase("retention.not_kept")
        return phrase("retention.for", duration=retention.duration)
    return phrase(f"retention.{retention.kind}")


RECIPIENT_TYPES = ("service_provider", "affiliate", "advertising_platform", "data_broker", "information_reseller",
                   "acquirer", "authority", "other")
TRANSFER_PURPOSES = ("provide_feature", "security", "legal_compliance", "merger_acquisition", "advertising", "sale",
                     "credit_assessment", "general_model_training")
PROTOCOLS = ("https", "tls", "sftp", "http", "smtp", "other")


def recipient_words(transfer: Any) -> Phrase:
    kind = transfer.recipient_type if transfer.recipient_type in RECIPIENT_TYPES else "other"
    return phrase("sharing.recipient", recipient=transfer.recipient, type=phrase(f"recipient_type.{kind}"))


def transport_words(transfer: Any) -> Phrase:
    if transfer.protocol not in PROTOCOLS:
        return phrase("transport.unstated")
    protocol = phrase(f"transport.{transfer.protocol}")
    if transfer.tls_min_version and transfer.protocol in ("https", "tls", "smtp"):
        return phrase("transport.with_tls", protocol=protocol, version=Verbatim(transfer.tls_min_version))
    return protocol
