"""Double points: a campaign's earn multiplier on the orders its audience places in a window.

A campaign whose offer is ``double_points`` (:mod:`loyalty.campaigns.offers`) multiplies the
points of every order placed in ``[starts_at, ends_at)`` by a member of its audience (the
recipients frozen when its sending started, whether or not their message could go: the
window is the campaign's promise to the segment), on top of the tier's multiplier. Several
campaigns at once: the highest multiplier counts, they do not compound. Read by the order path
(:func:`loyalty.points.orders.settle`) every time it settles an order, so it is a function of
the facts (the order's time, the campaign's audience) and an order settled twice, or late,
earns the same.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import Campaign, CampaignRecipient, CampaignState
from loyalty.core.payloads import parse_time

_KIND = "double_points"
_LIVE = (CampaignState.SENDING, CampaignState.PAUSED, CampaignState.SENT)


def campaign_multiplier(
    session: Session, shop_id: int, member_id: int | None, ordered_at: datetime | None
) -> Decimal | None:
    """The highest double-points multiplier of the campaigns whose audience holds the member
    and whose window holds the order's time; None when none does."""
    if member_id is None or ordered_at is None:
        return None
    offers = session.scalars(
        select(Campaign.offer)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            CampaignRecipient.member_id == member_id,
            Campaign.shop_id == shop_id,
            Campaign.offer.is_not(None),
            Campaign.state.in_(_LIVE),
        )
    ).all()
    found: Decimal | None = None
    for offer in offers:
        if not offer or offer.get("kind") != _KIND:
            continue
        starts, ends = _time(offer.get("starts_at")), _time(offer.get("ends_at"))
        if starts is None or ends is None or not starts <= ordered_at < ends:
            continue
        multiplier = Decimal(str(offer.get("multiplier", "2")))
        found = multiplier if found is None else max(found, multiplier)
    return found


def _time(value: object) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None
