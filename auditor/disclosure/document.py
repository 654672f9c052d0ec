"""Lay a disclosure out as a document: what the app is, what it accesses and why, where
data is kept, who receives it and who can read it.

The layout is decided once, here and in :mod:`auditor.disclosure.claims`, for every language
and format.
"""

from __future__ import annotations

import datetime
from typing import Any

from auditor.disclosure.claims import (
    commitments_section, in_product_blocks, limited_use_section, manage_section, security_section,
)
from auditor.disclosure.i18n import Code, Foreign, Joined, Link, Phrase, phrase
from auditor.disclosure.layout import Box, Cell, Document, Items, Paragraph, Section, Subheading, Table
from auditor.disclosure.model import Disclosure, Permission
from auditor.disclosure.phrasing import (
    CATALOG_LANGUAGE, KNOWN_ROLES, NO_VALUE, TRANSFER_PURPOSES, api_name, cell_list, descriptions, encryption_words,
    location_words, purposes_said, recipient_words, retention_words, transport_words,
)


def build_document(disclosure: Disclosure, language: str, updated: datetime.date | None = None) -> Document:
    """The full disclosure; ``updated`` (when given) is printed as the date of last update."""
    app = disclosure.app.name
    sections = [
        _about(disclosure, updated),
        _permissions(disclosure, language),
        _storage(disclosure),
        _sharing(disclosure),
    ]
    commitments = commitments_section(disclosure)
    if commitments.blocks:
        sections.append(commitments)
    sections.append(_human_access(disclosure))
    security = security_section(disclosure)
    if security.blocks:
        sections.append(security)
    sections += [manage_section(disclosure), limited_use_section(disclosure)]
    sections.append(Section("in-product", phrase("heading.in_product"),
                            (_in_product_intro(disclosure), Box(in_product_blocks(disclosure)))))
    return Document(language, phrase("title", app=app), tuple(sections))


def build_in_product_document(disclosure: Disclosure, language: str) -> Document:
    """Only the short text for the consent dialog."""
    section = Section("in-product", None, (Box(in_product_blocks(disclosure)),))
    return Document(language, phrase("in_product.title", app=disclosure.app.name), (section,))


# ---------------------------------------------------------------- sections


def _in_product_intro(d: Disclosure) -> Paragraph:
    # "Shown in the app" only when the manifest says the app has an in-product disclosure.
    if d.in_product_shown:
        return Paragraph((phrase("in_product.intro", app=d.app.name),))
    return Paragraph((phrase("in_product.intro_summary"),))


def _about(d: Disclosure, updated: datetime.date | None) -> Section:
    app = d.app
    intro_key = f"about.intro.{app.type}" if app.type in {
        "web", "installed", "mobile", "workspace_addon", "chat_app", "service"} else "about.intro.other"
    blocks: list[Any] = [Paragraph((phrase(intro_key, app=app.name, developer=app.developer),))]
    if app.description:
        blocks.append(Paragraph((app.description,)))
    blocks.append(Paragraph((phrase("about.purpose_of_page", app=app.name),)))
    links = []
    if app.homepage_url:
        links.append(phrase("about.homepage", link=Link(app.homepage_url)))
    if app.privacy_policy_url:
        links.append(phrase("about.privacy_policy", link=Link(app.privacy_policy_url)))
    if updated is not None:
        links.append(phrase("about.updated", date=updated))
    if links:
        blocks.append(Items(tuple(links)))
    return Section("about", phrase("heading.about"), tuple(blocks))


def _permissions(d: Disclosure, language: str) -> Section:
    app = d.app.name
    intro = "permissions.intro_administrator" if d.access_granted_by == "administrator" else "permissions.intro"
    blocks: list[Any] = [Paragraph((phrase(intro, app=app),))]
    if language != CATALOG_LANGUAGE:
        blocks.append(Paragraph((phrase("permissions.google_wording_language"),)))
    for use_case in d.ungrouped_use_cases:
        blocks.append(Paragraph(_use_case_parts(app, use_case.api, use_case)))
    columns = (phrase("permissions.column.permission"), phrase("permissions.column.scope"),
               phrase("permissions.column.data"), phrase("permissions.column.use"))
    for group in d.groups:
        slug = group.api or "unknown"
        blocks.append(Subheading(api_name(group.api), f"api-{slug}"))
        for use_case in group.use_cases:
            blocks.append(Paragraph(_use_case_parts(app, group.api, use_case)))
        rows = tuple(_permission_row(permission) for permission in group.permissions)
        blocks.append(Table(f"permissions-{slug}", "permissions", columns, rows))
    return Section("permissions", phrase("heading.permissions"), tuple(blocks))


def _use_case_parts(app: str, api: str | None, use_case: Any) -> tuple[Any, ...]:
    if use_case.api == "any":
        head = phrase("permissions.use_case_any", app=app, use_case=phrase(f"use_case.{use_case.use_case}"))
    else:
        head = phrase("permissions.use_case", app=app, api=api_name(api),
                      use_case=phrase(f"use_case.{use_case.use_case}"))
    return (head, use_case.description) if use_case.description else (head,)


def _permission_row(permission: Permission) -> tuple[Cell, ...]:
    if permission.description:
        wording: list[Any] = [Foreign(permission.description, CATALOG_LANGUAGE)]
    else:
        wording = [phrase("permissions.unknown_scope")]
    if permission.retired:
        wording.append(phrase("permissions.retired"))
    uses: list[Any] = []
    if permission.justification:
        uses.append(permission.justification)
    if permission.purposes:
        uses.append(phrase("permissions.purposes", purposes=purposes_said(permission.purposes)))
    if permission.secondary_purposes:
        uses.append(phrase("permissions.secondary_purposes", purposes=purposes_said(permission.secondary_purposes)))
    if permission.features:
        uses.append(phrase("permissions.features", features=Joined(permission.features)))
    if permission.requested in ("incremental", "at_sign_in"):
        uses.append(phrase(f"permissions.requested.{permission.requested}"))
    return (Cell(tuple(wording)), Cell((Code(permission.scope),)), cell_list(permission.data),
            Cell(tuple(uses) or (NO_VALUE,)))


def _storage(d: Disclosure) -> Section:
    app = d.app.name
    blocks: list[Any] = []
    if not d.storage_declared:
        blocks.append(Paragraph((phrase("storage.unavailable"),)))
    elif d.storage:
        blocks.append(Paragraph((phrase("storage.intro", app=app),)))
        columns = (phrase("storage.column.data"), phrase("storage.column.location"),
                   phrase("storage.column.encryption"), phrase("storage.column.retention"))
        rows = []
        for item in d.storage:
            where: Any = location_words(item.location)
            where = (phrase("storage.location_region", location=where, region=item.region, capitalize=True)
                     if item.region else Phrase(where.key, where.args, capitalize=True))
            rows.append((cell_list(item.data), Cell((where,)), Cell(encryption_words(item.encryption)),
                         Cell((retention_words(item.retention),))))
        blocks.append(Table("storage-table", "storage", columns, tuple(rows)))
    else:
        blocks.append(Paragraph((phrase("storage.nothing_stored", app=app),)))
    if d.storage_declared and d.storage and d.unstored:
        blocks.append(Paragraph((phrase("storage.not_stored", data=Joined(descriptions(d.unstored), "cell")),)))
    if d.token_storage is not None:
        blocks.append(Paragraph((_tokens(d),)))
    return Section("storage", phrase("heading.storage"), tuple(blocks))


def _tokens(d: Disclosure) -> Phrase:
    tokens = d.token_storage
    assert tokens is not None
    where = location_words(tokens.location)
    if tokens.encryption.state == "encrypted":
        key = tokens.encryption.key_management
        if key in ("hsm", "kms", "application", "none"):
            return phrase("tokens.encrypted_keys", app=d.app.name, location=where,
                          keys=phrase(f"encryption.keys.{key}"))
        return phrase("tokens.encrypted", app=d.app.name, location=where)
    if tokens.encryption.state == "not_encrypted":
        return phrase("tokens.not_encrypted", app=d.app.name, location=where)
    return phrase("tokens.kept", app=d.app.name, location=where)


def _sharing(d: Disclosure) -> Section:
    app = d.app.name
    if not d.transfers_declared:
        blocks: tuple[Any, ...] = (Paragraph((phrase("sharing.unavailable"),)),)
    elif not d.transfers:
        blocks = (Paragraph((phrase("sharing.none", app=app),)),)
    else:
        columns = (phrase("sharing.column.recipient"), phrase("sharing.column.data"), phrase("sharing.column.purpose"),
                   phrase("sharing.column.consent"), phrase("sharing.column.transport"))
        rows = []
        for transfer in d.transfers:
            purpose = transfer.purpose if transfer.purpose in TRANSFER_PURPOSES else "other"
            consent = {True: "yes", False: "no", None: "unstated"}[transfer.user_consent]
            rows.append((Cell((recipient_words(transfer),)), cell_list(transfer.data),
                         Cell((phrase(f"transfer_purpose.{purpose}"),)), Cell((phrase(f"consent.{consent}"),)),
                         Cell((transport_words(transfer),))))
        blocks = (Paragraph((phrase("sharing.intro", app=app),)),
                  Table("sharing-table", "sharing", columns, tuple(rows)))
    return Section("sharing", phrase("heading.sharing"), blocks)


def _human_access(d: Disclosure) -> Section:
    developer = d.app.developer
    if not d.human_access_declared:
        blocks: tuple[Any, ...] = (Paragraph((phrase("human_access.unavailable"),)),)
    elif not d.human_access:
        blocks = (Paragraph((phrase("human_access.none", developer=developer),)),)
    else:
        columns = (phrase("human_access.column.who"), phrase("human_access.column.data"),
                   phrase("human_access.column.basis"))
        rows = []
        for access in d.human_access:
            who: Any = phrase(f"role.{access.role}") if access.role in KNOWN_ROLES else access.role.replace("_", " ")
            basis = access.basis
            if basis == "explicit_user_consent" and access.consent_documented:
                basis = "explicit_user_consent_recorded"
            known = {"explicit_user_consent", "explicit_user_consent_recorded", "aggregated_anonymized", "security",
                     "legal_compliance", "none"}
            rows.append((Cell((who,)), cell_list(access.data),
                         Cell((phrase(f"basis.{basis}" if basis in known else "basis.none"),))))
        blocks = (Paragraph((phrase("human_access.intro", developer=developer),)),
                  Table("human-access-table", "human-access", columns, tuple(rows)))
    return Section("human-access", phrase("heading.human_access"), blocks)
