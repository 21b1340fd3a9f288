"""Rewards and points for the shopper tests (rewards, widget): the catalogue, the ledger, rows.

``make_reward`` is a fixture (this module is a plugin); the rest are helpers to import.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from loyalty.core.config import DEMO_API_SECRET
from loyalty.core.models import LedgerEntry, Member, ProgramSettings, Redemption
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.rewards import catalogue as reward_catalogue
from loyalty.shopify.signatures import proxy_signature
from tests.support.http import app_proxy_params
from tests.support.shops import SHOP

CUSTOMER = 7
OTHER_CUSTOMER = 8
"""Kari and Ola, the customers the shopper tests sign in as (on the fake Shopify too)."""
WAIT_SECONDS = 1.0
"""How long a redemption waits for Shopify in the rewards tests (the widget's tests wait 5 s)."""


@pytest.fixture
def make_reward(rt: Any, shop_id: int) -> Callable[..., str]:
    """``make_reward(points_cost=500, kind="fixed_amount", value="50", ...)``: the reward's id."""

    def make(**fields: Any) -> str:
        data = {"kind": "fixed_amount", "title": "50 kr off", "points_cost": 500, "value": "50"}
        data.update(fields)
        return str(reward_catalogue.create_reward(rt.sessions, shop_id, data)["id"])

    return make


def give_points(rt: Any, shop_id: int, customer_id: int, points: int, **kw: Any) -> int:
    """Enrol the customer if needed and post ``points`` to them (an adjustment); member id."""
    with rt.sessions.begin() as s:
        member_id = s.scalar(
            select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )
        if member_id is None:
            member = Member(shop_id=shop_id, customer_id=customer_id)
            s.add(member)
            s.flush()
            member_id = member.id
        post(
            s,
            shop_id=shop_id,
            member_id=member_id,
            points=points,
            kind=kw.pop("kind", "adjust"),
            source_key=f"test:{uuid.uuid4()}",
            reason=kw.pop("reason", reasons.staff_adjustment("Test points")),
            **kw,
        )
        return int(member_id)


def signed_query(customer_id: int | None, shop: str = SHOP) -> dict[str, str]:
    """The query Shopify's app proxy adds, signed, for a request made over HTTP."""
    params = app_proxy_params(customer_id, shop)
    params["signature"] = [proxy_signature(params, DEMO_API_SECRET)]
    return {k: v[0] for k, v in params.items()}


def balance(rt: Any, member_id: int) -> int:
    """The member's balance, checked against the sum of their ledger (invariant 1)."""
    with rt.sessions() as s:
        stored = s.scalar(select(Member.points_balance).where(Member.id == member_id))
        summed = s.scalar(
            select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                LedgerEntry.member_id == member_id
            )
        )
    assert stored == summed
    return int(stored)


def entries(rt: Any, member_id: int) -> list[tuple[str, int]]:
    """The member's ledger as (kind, points), oldest first."""
    with rt.sessions() as s:
        return [
            (k, int(p))
            for k, p in s.execute(
                select(LedgerEntry.kind, LedgerEntry.points)
                .where(LedgerEntry.member_id == member_id)
                .order_by(LedgerEntry.id)
            )
        ]


def redemption_rows(rt: Any, member_id: int) -> list[Redemption]:
    """The member's redemptions, oldest first."""
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(Redemption).where(Redemption.member_id == member_id).order_by(Redemption.id)
            )
        )


def set_member(rt: Any, member_id: int, **values: Any) -> None:
    """Change a member's row (status, …)."""
    with rt.sessions.begin() as s:
        member = s.get(Member, member_id)
        for key, value in values.items():
            setattr(member, key, value)


def set_settings(rt: Any, shop_id: int, **values: Any) -> None:
    """Change the shop's program settings."""
    with rt.sessions.begin() as s:
        settings = s.get(ProgramSettings, shop_id)
        for key, value in values.items():
            setattr(settings, key, value)
