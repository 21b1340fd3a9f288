"""What a member gets with a campaign's message, and the code it carries.

:func:`code_for` is the code a member's message names (their own, made now if the codes job
has not yet; or the shared one). :func:`grant` runs in the transaction that marks the member's
message ``sent``: the shared code is recorded as theirs (so their order with it counts as
redeemed), bonus points are posted once per campaign and member (source key
``campaign:{campaign id}:{member id}``). :func:`grant_all` repeats it for every member sent to
when the campaign finishes, for a run that died between the provider taking a message and
the grant (the settling of its claim marks it sent); being idempotent, it changes nothing
otherwise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_codes import Shopify, member_code, shared_code
from loyalty.campaigns.offers import BONUS_POINTS, MEMBER_CODE, SHARED_CODE, Offer, offer_of
from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError
from loyalty.core.models import (
    Campaign,
    CampaignCode,
    CampaignCodeState,
    CampaignRecipient,
    LedgerKind,
    RecipientState,
)
from loyalty.points import ledger, reasons
from loyalty.rewards.discount_codes import is_transient


class CodeUnavailable(LoyaltyError):
    """The member's code could not be had now: Shopify did not answer, or is not reachable
    for the shop; ``transient`` says whether trying again later may help."""

    code = "code_unavailable"

    def __init__(self, message: str, *, transient: bool, code: str) -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class NoCode(LoyaltyError):
    """Shopify refused the code (``member``: this member's own, else the shared one)."""

    code = "code_refused"

    def __init__(self, *, member: bool) -> None:
        super().__init__("Shopify refused the code")
        self.member = member


def code_for(
    sessions: sessionmaker[Session],
    shopify: Shopify | None,
    campaign_id: int,
    offer: Offer | None,
    member_id: int,
) -> str | None:
    """The code the member's message carries (None: the offer has none).

    Raises :class:`NoCode` (refused) or :class:`CodeUnavailable` (Shopify not reachable)."""
    if offer is None or not offer.has_code:
        return None
    if shopify is None:
        raise CodeUnavailable("no Shopify client", transient=False, code="shopify_unavailable")
    try:
        if offer.kind == MEMBER_CODE:
            code = member_code(sessions, shopify, campaign_id, member_id)
        else:
            code = shared_code(sessions, shopify, campaign_id)
    except LoyaltyError as err:
        raise CodeUnavailable(str(err), transient=is_transient(err), code=err.code) from None
    if code is None:
        raise NoCode(member=offer.kind == MEMBER_CODE)
    return code


def grant(
    s: Session,
    campaign: Campaign | None,
    member_id: int,
    now: datetime,
) -> None:
    """Give the member what the campaign's offer gives with a message sent (idempotent)."""
    offer = offer_of(campaign.offer) if campaign is not None else None
    if campaign is None or offer is None:
        return
    if offer.kind == SHARED_CODE and offer.code:
        s.execute(
            upsert(s, CampaignCode)
            .on_conflict_do_nothing(index_elements=["campaign_id", "member_id"])
            .values(
                shop_id=campaign.shop_id,
                campaign_id=campaign.id,
                member_id=member_id,
                code=offer.code,
                discount_id=campaign.discount_id,
                state=CampaignCodeState.CREATED,
                created_at=now,
            )
        )
    elif offer.kind == BONUS_POINTS and offer.points > 0:
        ledger.post(
            s,
            shop_id=campaign.shop_id,
            member_id=member_id,
            points=offer.points,
            kind=LedgerKind.BONUS,
            source_key=f"campaign:{campaign.id}:{member_id}",
            reason=reasons.campaign_bonus(campaign.id, campaign.name),
            now=now,
        )


def grant_all(sessions: sessionmaker[Session], campaign_id: int, now: datetime) -> None:
    """:func:`grant` for every member the campaign's message reached."""
    with sessions.begin() as s:
        campaign = s.get(Campaign, campaign_id)
        offer = offer_of(campaign.offer) if campaign is not None else None
        if offer is None or offer.kind == MEMBER_CODE:
            return
        members = s.scalars(
            select(CampaignRecipient.member_id).where(
                CampaignRecipient.campaign_id == campaign_id,
                CampaignRecipient.state == RecipientState.SENT,
            )
        ).all()
        for member_id in members:
            grant(s, campaign, member_id, now)
