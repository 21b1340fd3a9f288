"""The codes job's work: a campaign's codes made in Shopify ahead of its send time.

:func:`prepare_codes` makes the shared code, or a code for each member of the audience who has
none yet (:mod:`loyalty.campaigns.campaign_codes`), one after the other: Shopify's throttle sets
the pace (the client waits when Shopify says so), and a run stops after
:data:`PREPARE_SECONDS`, the next going on. :func:`codes_progress` is what the campaign's page
shows meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.campaign_codes import Shopify, member_code, shared_code
from loyalty.campaigns.offers import MEMBER_CODE, SHARED_CODE, offer_of
from loyalty.campaigns.segment_sql import segment_select
from loyalty.campaigns.segments import shop_language, stored_filter
from loyalty.core.models import (
    Campaign,
    CampaignCode,
    CampaignCodeState,
    CampaignRecipient,
    CampaignState,
    Member,
)
from loyalty.core.types import utcnow

PREPARE_SECONDS = 600.0
"""How long one run of the codes job makes codes before it leaves the rest to the next."""
_LIVE = (CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED)


def _audience(s: Session, campaign: Campaign, now: datetime) -> list[int]:
    """The members who get the campaign: the frozen audience, else the segment's now."""
    if campaign.audience is not None:
        return list(
            s.scalars(
                select(CampaignRecipient.member_id)
                .where(CampaignRecipient.campaign_id == campaign.id)
                .order_by(CampaignRecipient.member_id)
            )
        )
    if campaign.segment_id is None:
        return []
    statement = segment_select(
        [Member.id],
        campaign.shop_id,
        stored_filter(s, campaign.shop_id, campaign.segment_id),
        now=now,
        default_language=shop_language(s, campaign.shop_id),
        channel=campaign.channel,
    )
    return sorted(s.scalars(statement))


def prepare_codes(
    sessions: sessionmaker[Session],
    shopify: Shopify,
    campaign_id: int,
    *,
    seconds: float = PREPARE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Make the campaign's codes ahead of its sending: the shared one, or one for each member
    of the audience who has none yet. ``ready`` (all made, ``codes_ready_at`` set), ``more``
    (time ran out: the next run goes on), ``skipped`` (no codes to make)."""
    now = utcnow()
    with sessions() as s:
        campaign = s.get(Campaign, campaign_id)
        offer = offer_of(campaign.offer) if campaign is not None else None
        if campaign is None or offer is None or not offer.has_code or campaign.state not in _LIVE:
            return "skipped"
        if offer.kind == MEMBER_CODE:
            done = set(
                s.scalars(
                    select(CampaignCode.member_id).where(
                        CampaignCode.campaign_id == campaign_id,
                        CampaignCode.state != CampaignCodeState.PENDING,
                    )
                )
            )
            todo = [m for m in _audience(s, campaign, now) if m not in done]
        else:
            todo = []
    if offer.kind == SHARED_CODE:
        shared_code(sessions, shopify, campaign_id, now=now)
    started = clock()
    for member_id in todo:
        if clock() - started > seconds:
            return "more"
        member_code(sessions, shopify, campaign_id, member_id, now=now)
    with sessions.begin() as s:
        s.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(codes_ready_at=utcnow())
        )
    return "ready"


def codes_progress(s: Session, campaign_id: int) -> dict[str, int]:
    """How the codes job stands: ``{"created", "failed"}`` codes of members so far."""
    rows = s.execute(
        select(CampaignCode.state, func.count())
        .where(CampaignCode.campaign_id == campaign_id)
        .group_by(CampaignCode.state)
    ).all()
    counts = {str(state): int(n) for state, n in rows}
    return {
        "created": counts.get(CampaignCodeState.CREATED, 0),
        "failed": counts.get(CampaignCodeState.FAILED, 0),
    }
