"""Fixtures for the VIP tiers: a ladder made through the catalogue, dated before the orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.club.tier_catalogue import create_tier
from loyalty.core.models import Member, MemberTier, Tier, TierChange
from tests.support.bodies import T0
from tests.support.points import Klubb

CREATED = T0 - timedelta(days=30)
"""Tiers are made a month before the test orders (``tests.support.bodies.T0``) are placed."""

BRONZE_SILVER_GOLD = (
    {"name": "Bronze", "threshold": 0},
    {"name": "Silver", "threshold": 1000, "earn_multiplier": "1.25"},
    {"name": "Gold", "threshold": 2500, "earn_multiplier": "1.5", "entry_bonus": 200},
)


def make_ladder(
    klubb: Klubb, *tiers: dict[str, Any], basis: str = "points", **common: Any
) -> list[int]:
    """Create ``tiers`` (lowest first) in the shop; their ids."""
    ids = []
    for tier in tiers:
        made = create_tier(
            klubb.sessions, klubb.shop_id, {"basis": basis, **common, **tier}, now=CREATED
        )
        ids.append(int(made["id"]))
    return ids


@pytest.fixture
def ladder() -> Callable[..., list[int]]:
    """``ladder(klubb, *tiers, basis="points", period=...)``: :func:`make_ladder`."""
    return make_ladder


def tier_of(klubb: Klubb, customer_id: int) -> str | None:
    """The name of the tier the customer's member holds (None: none)."""
    with klubb.sessions() as s:
        return s.scalar(
            select(Tier.name)
            .join(MemberTier, MemberTier.tier_id == Tier.id)
            .join(Member, Member.id == MemberTier.member_id)
            .where(Member.shop_id == klubb.shop_id, Member.customer_id == customer_id)
        )


def moves(klubb: Klubb, customer_id: int) -> list[tuple[str | None, str | None, str]]:
    """The member's tier history, oldest first: (from, to, cause)."""
    with klubb.sessions() as s:
        rows = s.execute(
            select(TierChange.from_name, TierChange.to_name, TierChange.cause)
            .join(Member, Member.id == TierChange.member_id)
            .where(Member.shop_id == klubb.shop_id, Member.customer_id == customer_id)
            .order_by(TierChange.id)
        )
        return [(a, b, c) for a, b, c in rows]
