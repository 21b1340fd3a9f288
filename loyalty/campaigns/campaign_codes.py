"""A campaign's discount codes in Shopify: one per member, or one shared; and their use.

A member's code is chosen and stored (``campaign_codes``, ``pending``, unique per campaign and
member) before Shopify is asked to make it, then made with ``discountCodeBasicCreate`` for that
customer only (:mod:`loyalty.rewards.discount_codes`), titled ``… (Klubb campaign #<id>, member
#<id>)``. A retry after a crash looks the stored code up first: found with our title, it is
the one the crashed run made, so each member gets one code however often the job runs. The
codes job (:mod:`loyalty.campaigns.code_preparation`) makes them ahead of the send time, for
the audience as it is then; a member who joined the audience later gets theirs as their message
goes (:func:`member_code`). No database transaction is open during a call to Shopify.

An order of the member's carrying the code marks it used (:func:`record_used`): the earliest
such order is kept, so deliveries in any order, or twice, give the same row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.offers import MEMBER_CODE, SHARED_CODE, Offer, offer_of
from loyalty.core.db import upsert
from loyalty.core.models import (
    Campaign,
    CampaignCode,
    CampaignCodeState,
    Member,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    CodeTaken,
    DiscountRejected,
    create_code,
    find_code,
)
from loyalty.rewards.redemptions import new_code
from loyalty.shopify.client import ShopifyClient


@dataclass(frozen=True)
class Shopify:
    """What making codes needs: the client and a token for the shop."""

    client: ShopifyClient
    access_token: AccessToken


@dataclass(frozen=True)
class _Target:
    shop_domain: str
    campaign_name: str
    offer: Offer
    ends_at: datetime


def member_title(campaign_id: int, member_id: int, name: str) -> str:
    """A member's code's title; its ending is how a code found in Shopify is known as ours."""
    return f"{name[:150]} (Klubb campaign #{campaign_id}, member #{member_id})"


def shared_title(campaign_id: int, name: str) -> str:
    """The shared code's title."""
    return f"{name[:150]} (Klubb campaign #{campaign_id})"


def _target(s: Session, campaign: Campaign, now: datetime) -> _Target | None:
    offer = offer_of(campaign.offer)
    domain = s.scalar(select(Shop.domain).where(Shop.id == campaign.shop_id))
    if offer is None or not offer.has_code or domain is None:
        return None
    ends_at = max(campaign.send_at or now, now) + timedelta(days=offer.valid_days)
    return _Target(domain, campaign.name, offer, ends_at)


def _spec(
    target: _Target, code: str, title: str, customer_id: int | None, now: datetime
) -> CodeSpec:
    offer = target.offer
    percentage = offer.discount == "percentage" and offer.value is not None
    return CodeSpec(
        kind=str(offer.discount),
        code=code,
        title=title,
        customer_id=customer_id,
        starts_at=now,
        ends_at=target.ends_at,
        amount=None if percentage else offer.value,
        fraction=(offer.value / 100) if percentage and offer.value is not None else None,
    )


def _make(shopify: Shopify, domain: str, spec: CodeSpec) -> str | None:
    """Our discount with this code (found, or made now); None if the code is someone else's."""
    token = shopify.access_token(domain)
    found = find_code(shopify.client, domain, token, spec.code)
    if found is not None:
        return found.id if found.title == spec.title else None
    try:
        return create_code(shopify.client, domain, token, spec)
    except CodeTaken:
        found = find_code(shopify.client, domain, token, spec.code)  # a racing run made it
        return found.id if found is not None and found.title == spec.title else None


def member_code(
    sessions: sessionmaker[Session],
    shopify: Shopify,
    campaign_id: int,
    member_id: int,
    *,
    now: datetime | None = None,
) -> str | None:
    """The member's own code for the campaign, made in Shopify if it is not yet; None when
    Shopify refused it (the row is ``failed``: the message goes without a code).

    Shopify's outages and throttling raise (the caller tries again later)."""
    now = now or utcnow()
    with sessions.begin() as s:
        campaign = s.get(Campaign, campaign_id)
        customer_id = s.scalar(select(Member.customer_id).where(Member.id == member_id))
        if campaign is None or customer_id is None:
            return None
        target = _target(s, campaign, now)
        if target is None or target.offer.kind != MEMBER_CODE:
            return None
        s.execute(
            upsert(s, CampaignCode)
            .on_conflict_do_nothing(index_elements=["campaign_id", "member_id"])
            .values(
                shop_id=campaign.shop_id,
                campaign_id=campaign_id,
                member_id=member_id,
                code=new_code(),
                state=CampaignCodeState.PENDING,
                created_at=now,
            )
        )
        row = s.scalars(
            select(CampaignCode).where(
                CampaignCode.campaign_id == campaign_id, CampaignCode.member_id == member_id
            )
        ).one()
        code, state = row.code, row.state
    if state != CampaignCodeState.PENDING:
        return code if state == CampaignCodeState.CREATED else None
    title = member_title(campaign_id, member_id, target.campaign_name)
    discount_id: str | None = None
    if customer_id > 0:
        try:
            discount_id = _make(
                shopify, target.shop_domain, _spec(target, code, title, int(customer_id), now)
            )
        except DiscountRejected:
            discount_id = None
    _settle(sessions, campaign_id, member_id, discount_id)
    return code if discount_id is not None else None


def _settle(
    sessions: sessionmaker[Session], campaign_id: int, member_id: int, discount_id: str | None
) -> None:
    state = CampaignCodeState.CREATED if discount_id else CampaignCodeState.FAILED
    with sessions.begin() as s:
        s.execute(
            update(CampaignCode)
            .where(
                CampaignCode.campaign_id == campaign_id,
                CampaignCode.member_id == member_id,
                CampaignCode.state == CampaignCodeState.PENDING,
            )
            .values(state=state, discount_id=discount_id)
        )


def shared_code(
    sessions: sessionmaker[Session],
    shopify: Shopify,
    campaign_id: int,
    *,
    now: datetime | None = None,
) -> str | None:
    """The campaign's shared code, made in Shopify once (its discount id on the campaign);
    None when Shopify refused it (the code is another discount's, or the input)."""
    now = now or utcnow()
    with sessions() as s:
        campaign = s.get(Campaign, campaign_id)
        target = _target(s, campaign, now) if campaign is not None else None
        if campaign is None or target is None or target.offer.kind != SHARED_CODE:
            return None
        if campaign.discount_id:
            return target.offer.code
    code = str(target.offer.code)
    spec = _spec(target, code, shared_title(campaign_id, target.campaign_name), None, now)
    try:
        discount_id = _make(shopify, target.shop_domain, spec)
    except DiscountRejected:
        discount_id = None
    if discount_id is None:
        return None
    with sessions.begin() as s:
        s.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(discount_id=discount_id)
        )
    return code


def record_used(
    sessions: sessionmaker[Session],
    shop_id: int,
    *,
    member_id: int | None,
    order_id: int,
    discount_codes: Iterable[str],
    used_at: datetime,
) -> int:
    """An order of the member carried these codes: mark their campaign codes among them used
    (the earliest order kept); how many rows changed. Codes compare case-insensitively."""
    codes = {c.strip().upper() for c in discount_codes if isinstance(c, str) and c.strip()}
    if not codes or member_id is None:
        return 0
    c = CampaignCode
    with sessions.begin() as s:
        changed = s.execute(
            update(c)
            .where(
                c.shop_id == shop_id,
                c.member_id == member_id,
                c.code.in_(codes),
                c.state == CampaignCodeState.CREATED,
                c.used_at.is_(None) | (c.used_at > used_at),
            )
            .values(used_at=used_at, order_id=order_id)
        )
        return int(getattr(changed, "rowcount", 0) or 0)
