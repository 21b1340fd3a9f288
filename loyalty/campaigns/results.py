"""What a campaign brought: attributed revenue, store visits, redeemed codes.

An order is the campaign's when a member it reached placed it within the campaign's
attribution window (``attribution_hours``, 72 by default) after their own message: from the
message's time (``sent_messages.sent_at``) up to the window's end. Online and POS orders both
count; a POS order is also a *store visit*, shown as the minutes between the message and the
order (the "5-10 minutes after the SMS" the merchants talk about). Revenue is what the order
earns on (its paid subtotal less refunds: the earning rule's base), paid orders that are not
cancelled or tests, in the shop's currency.

Everything is read from the stored orders at the time of asking, never added up as webhooks
arrive: orders and refunds arriving in any order, or twice, leave one row per order
(``order_records``) and so the same result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from loyalty.campaigns.segment_sql import POS_SOURCE
from loyalty.core.models import (
    Campaign,
    CampaignCode,
    CampaignRecipient,
    OrderRecord,
    RecipientState,
    SentMessage,
)
from loyalty.core.money import quantize
from loyalty.core.types import utcnow

VISIT_BUCKETS = (0, 5, 10, 15, 30, 60, 120, 240, 480, 1440)
"""Minutes after the message: where the store-visit histogram's bars begin (the last: onwards)."""


def _money(value: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(quantize(value, currency)), "currency": currency}


def redeemed(s: Session, campaign_id: int) -> int:
    """The campaign's codes used by an order."""
    return int(
        s.scalar(
            select(func.count()).where(
                CampaignCode.campaign_id == campaign_id, CampaignCode.used_at.is_not(None)
            )
        )
        or 0
    )


def _orders(s: Session, campaign: Campaign, now: datetime) -> list[Any]:
    """Orders of the members the campaign reached, placed after it started and before its
    window closed (per member's own message: filtered by the caller)."""
    if campaign.started_at is None:
        return []
    r, m, o = CampaignRecipient, SentMessage, OrderRecord
    window = timedelta(hours=campaign.attribution_hours)
    until = (campaign.finished_at or now) + window
    return list(
        s.execute(
            select(
                o.order_id,
                o.ordered_at,
                o.paid_subtotal,
                o.refunded_subtotal,
                o.source_name,
                m.sent_at,
            )
            .select_from(r)
            .join(m, m.id == r.message_id)
            .join(o, and_(o.member_id == r.member_id, o.shop_id == r.shop_id))
            .where(
                r.campaign_id == campaign.id,
                r.state == RecipientState.SENT,
                o.paid.is_(True),
                o.cancelled.is_(False),
                o.test.is_(False),
                o.ordered_at >= campaign.started_at,
                o.ordered_at < until,
            )
        ).all()
    )


def results(s: Session, campaign: Campaign, currency: str) -> dict[str, Any]:
    """``revenue_attributed``, ``attribution`` (orders online and POS) and ``store_visits``."""
    window = timedelta(hours=campaign.attribution_hours)
    orders = {"online": 0, "pos": 0}
    revenue = {"online": Decimal(0), "pos": Decimal(0)}
    minutes: list[int] = []
    for row in _orders(s, campaign, utcnow()):
        if not row.sent_at <= row.ordered_at < row.sent_at + window:
            continue
        channel = "pos" if row.source_name == POS_SOURCE else "online"
        orders[channel] += 1
        revenue[channel] += (row.paid_subtotal or Decimal(0)) - (
            row.refunded_subtotal or Decimal(0)
        )
        if channel == "pos":
            minutes.append(int((row.ordered_at - row.sent_at).total_seconds() // 60))
    bars = []
    for i, start in enumerate(VISIT_BUCKETS):
        end = VISIT_BUCKETS[i + 1] if i + 1 < len(VISIT_BUCKETS) else None
        count = sum(1 for x in minutes if x >= start and (end is None or x < end))
        bars.append({"from_minutes": start, "to_minutes": end, "count": count})
    ordered = sorted(minutes)
    return {
        "revenue_attributed": _money(revenue["online"] + revenue["pos"], currency),
        "attribution": {
            "hours": campaign.attribution_hours,
            "orders": orders["online"] + orders["pos"],
            **{
                channel: {"orders": orders[channel], "revenue": _money(revenue[channel], currency)}
                for channel in ("online", "pos")
            },
        },
        "store_visits": {
            "count": len(minutes),
            "median_minutes": ordered[len(ordered) // 2] if ordered else None,
            "minutes_after_send": bars,
        },
    }
