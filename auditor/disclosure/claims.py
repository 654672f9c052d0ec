"""The sections that make claims: selling and advertising, security, deletion, Limited Use
and the in-product text.

Each says only what the manifest supports. "Never sold" and "never used for advertising"
come from :class:`~auditor.disclosure.model.Assurances`, which is false whenever the manifest
declares such a use or does not declare enough to rule it out; what the manifest does
declare is said plainly instead.
"""

from __future__ import annotations

from typing import Any

from auditor.disclosure.i18n import Code, Foreign, Joined, Link, phrase
from auditor.disclosure.layout import Items, Paragraph, Section
from auditor.disclosure.model import PROHIBITED_PURPOSES, PURPOSES, Disclosure
from auditor.disclosure.phrasing import CATALOG_LANGUAGE, descriptions, purposes_said, recipient_words


def commitments_section(d: Disclosure) -> Section:
    """Selling and advertising: "never" only where true, and plainly what is done otherwise."""
    app, a = d.app.name, d.assurances
    lines: list[Any] = []
    if a.never_sold:
        lines.append(phrase("commitments.never_sold", app=app))
    if a.sold:
        lines.append(phrase("commitments.sold", app=app, data=Joined(descriptions(a.sold), "cell")))
    if a.broker_recipients:
        lines.append(phrase("commitments.brokers", app=app,
                            recipients=Joined(tuple(t.recipient for t in a.broker_recipients), "cell")))
    if a.never_advertising:
        lines.append(phrase("commitments.never_advertising", app=app))
    if a.advertising:
        lines.append(phrase("commitments.advertising", app=app, data=Joined(descriptions(a.advertising), "cell")))
    if a.ad_platform_recipients:
        lines.append(phrase("commitments.ad_platforms", app=app,
                            recipients=Joined(tuple(t.recipient for t in a.ad_platform_recipients), "cell")))
    if a.credit_assessment:
        lines.append(phrase("commitments.credit_assessment", app=app,
                            data=Joined(descriptions(a.credit_assessment), "cell")))
    if a.model_training:
        lines.append(phrase("commitments.model_training", app=app,
                            data=Joined(descriptions(a.model_training), "cell")))
    blocks = tuple(Paragraph((line,)) for line in lines)
    return Section("selling-and-advertising", phrase("heading.commitments"), blocks)


def security_section(d: Disclosure) -> Section:
    s, app, developer = d.security, d.app.name, d.app.developer
    lines: list[Any] = []
    if s is not None:
        if s.casa_completed:
            if s.casa_date and s.casa_tier:
                lines.append(phrase("security.casa_tier_date", app=app, tier=s.casa_tier, date=s.casa_date))
            elif s.casa_date:
                lines.append(phrase("security.casa_date", app=app, date=s.casa_date))
            elif s.casa_tier:
                lines.append(phrase("security.casa_tier", app=app, tier=s.casa_tier))
            else:
                lines.append(phrase("security.casa", app=app))
        if s.isms in ("iso27001", "soc2", "other"):
            lines.append(phrase(f"security.isms.{s.isms}", developer=developer))
        if s.https_only is True:
            lines.append(phrase("security.https_only"))
        elif s.https_only is False:
            lines.append(phrase("security.not_https_only"))
        if s.notifies_google:
            lines.append(phrase("security.notifies_google", developer=developer))
    if d.app.security_contact:
        lines.append(phrase("security.contact", email=d.app.security_contact))
    return Section("security", phrase("heading.security"), tuple(Paragraph((line,)) for line in lines))


def manage_section(d: Disclosure) -> Section:
    app = d.app.name
    blocks: list[Any] = []
    if d.deletion_url:
        blocks.append(Paragraph((phrase("manage.help", app=app, link=Link(d.deletion_url)),)))
    else:
        blocks.append(Paragraph((phrase("manage.no_help"),)))
    if d.access_granted_by == "user":
        blocks.append(Paragraph((phrase("manage.revoke_user", app=app),)))
    elif d.access_granted_by == "administrator":
        blocks.append(Paragraph((phrase("manage.revoke_administrator", app=app),)))
    return Section("manage", phrase("heading.manage"), tuple(blocks))


def limited_use_section(d: Disclosure) -> Section:
    app, a = d.app.name, d.assurances
    if a.limited_use == "affirmed":
        blocks: list[Any] = [Paragraph((phrase("limited_use.statement", app=app),))]
        if d.limited_use_url:
            blocks.append(Paragraph((phrase("limited_use.published", developer=d.app.developer,
                                            link=Link(d.limited_use_url)),)))
    elif a.limited_use == "conflict":
        conflicts = tuple(phrase(f"purpose.{code}") if code in PROHIBITED_PURPOSES else phrase(f"conflict.{code}")
                          for code in a.conflicts)
        blocks = [Paragraph((phrase("limited_use.conflict", app=app, conflicts=Joined(conflicts)),))]
    else:
        blocks = [Paragraph((phrase("limited_use.undetermined", app=app),))]
    return Section("limited-use", phrase("heading.limited_use"), tuple(blocks))


def in_product_blocks(d: Disclosure) -> tuple[Any, ...]:
    """A few sentences for the consent dialog: what data, why, with whom."""
    app, a = d.app.name, d.assurances
    # With domain-wide delegation the administrator grants access for everyone's account.
    who = "in_product.who_administrator" if d.access_granted_by == "administrator" else "in_product.who"
    blocks: list[Any] = [Paragraph((phrase(who, app=app, developer=d.app.developer),))]
    if d.data:
        accessed: tuple[Any, ...] = descriptions(d.data)
    else:
        accessed = tuple(Foreign(p.description, CATALOG_LANGUAGE) if p.description else Code(p.scope)
                         for group in d.groups for p in group.permissions)
    blocks += [Paragraph((phrase("in_product.what"),)), Items(accessed)]
    purposes = tuple(dict.fromkeys(p for element in d.data for p in element.all_purposes))
    if purposes:
        ordered = tuple(sorted(purposes, key=lambda p: PURPOSES.index(p) if p in PURPOSES else len(PURPOSES)))
        blocks.append(Paragraph((phrase("in_product.why", purposes=purposes_said(ordered)),)))
    if d.transfers_declared and d.transfers:
        recipients = tuple(dict.fromkeys(recipient_words(t) for t in d.transfers))
        blocks.append(Paragraph((phrase("in_product.shared_with", recipients=Joined(recipients, "cell")),)))
    elif d.transfers_declared:
        blocks.append(Paragraph((phrase("in_product.not_shared", app=app),)))
    sale_and_ads = []
    if a.never_sold and a.never_advertising:
        sale_and_ads.append(phrase("in_product.never_sold_or_advertising"))
    elif a.never_sold:
        sale_and_ads.append(phrase("in_product.never_sold"))
    elif a.never_advertising:
        sale_and_ads.append(phrase("in_product.never_advertising"))
    if a.sold or a.broker_recipients:
        sale_and_ads.append(phrase("in_product.sold"))
    if a.advertising or a.ad_platform_recipients:
        sale_and_ads.append(phrase("in_product.advertising"))
    if a.credit_assessment:
        sale_and_ads.append(phrase("in_product.credit_assessment"))
    if a.model_training:
        sale_and_ads.append(phrase("in_product.model_training"))
    if sale_and_ads:
        blocks.append(Paragraph(tuple(sale_and_ads)))
    if d.app.privacy_policy_url:
        blocks.append(Paragraph((phrase("in_product.more", link=Link(d.app.privacy_policy_url)),)))
    return tuple(blocks)
