"""The newsletter's points: once per customer, when their email marketing consent is given.

Given in the widget (``PUT /proxy/api/me/consents``, :func:`loyalty.privacy.self_service.
set_consents` calls :func:`credit_newsletter` in its transaction) or reported by Shopify
(``email_marketing_consent.state`` ``subscribed`` on customers/create or /update:
:func:`newsletter_from_customer`). The ledger key ``newsletter:{customer}`` pays it once ever:
unsubscribing and subscribing again gives nothing more. A member already subscribed when the
shop began to offer it gets it the next time either way tells Klubb of the consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import LedgerKind, Member, MemberStatus
from loyalty.core.payloads import parse_id
from loyalty.members.enrolment import program_settings
from loyalty.points import reasons
from loyalty.points.ledger import post

SUBSCRIBED = "subscribed"
"""Shopify's ``email_marketing_consent.state`` for a customer who gave consent."""


def newsletter_key(customer_id: int) -> str:
    """The once-per-customer ledger key of the newsletter's points."""
    return f"newsletter:{customer_id}"


def credit_newsletter(s: Session, member: Member, *, now: datetime | None = None) -> bool:
    """Inside the caller's transaction: the newsletter's points for a member whose email
    marketing consent stands, once per customer; whether they were posted now."""
    if member.status != MemberStatus.ACTIVE or member.customer_id <= 0:
        return False
    points = program_settings(s, member.shop_id).newsletter_points
    if points <= 0:
        return False
    return post(
        s,
        shop_id=member.shop_id,
        member_id=member.id,
        points=points,
        kind=LedgerKind.BONUS,
        source_key=newsletter_key(member.customer_id),
        reason=reasons.NEWSLETTER,
        now=now,
    )


def newsletter_from_customer(
    sessions: sessionmaker[Session], shop_id: int, payload: Mapping[str, Any]
) -> int | None:
    """customers/create|update: a member whom Shopify reports subscribed to email marketing
    gets the newsletter's points (once per customer); their member id if they did now."""
    consent = payload.get("email_marketing_consent")
    if not isinstance(consent, Mapping) or consent.get("state") != SUBSCRIBED:
        return None
    customer_id = parse_id(payload.get("id"), "id")
    with sessions.begin() as s:
        member = s.scalars(
            select(Member)
            .where(Member.shop_id == shop_id, Member.customer_id == customer_id)
            .with_for_update()
        ).one_or_none()
        if member is None or not credit_newsletter(s, member):
            return None
        return member.id
