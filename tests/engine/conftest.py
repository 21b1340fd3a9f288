"""Fixtures for the points engine: a shop, and a small driver that delivers bodies to it.

The engine never talks to Shopify, so the fake Shopify is replaced by a stub here: the app
fixture only needs its URL template.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import DailyRollup, LedgerEntry, Member, OrderRecord, ProgramSettings, Shop
from loyalty.members.enrolment import delete_customer, join, upsert_from_customer_payload
from loyalty.points.ledger import reconcile
from loyalty.points.orders import apply_order, apply_refund

HASH_KEY = b"engine-tests-tombstone-key"
_domains = itertools.count(1)


@dataclass
class _StubShopify:
    shop_url_template: str = "http://127.0.0.1:9/{shop}"


@pytest.fixture
def fake_shopify() -> _StubShopify:
    """No fake Shopify server: the engine makes no calls to Shopify."""
    return _StubShopify()


def make_shop(
    sessions: sessionmaker[Session],
    *,
    currency: str = "NOK",
    timezone: str = "Europe/Oslo",
    **settings: Any,
) -> int:
    """A new shop with its program settings (DESIGN.md's defaults unless given); its id."""
    with sessions.begin() as s:
        shop = Shop(
            domain=f"engine-{next(_domains)}.myshopify.com", currency=currency, timezone=timezone
        )
        shop.settings = ProgramSettings(**settings)
        s.add(shop)
        s.flush()
        return shop.id


@dataclass
class Klubb:
    """One shop's points engine, driven the way the webhook jobs drive it."""

    sessions: sessionmaker[Session]
    shop_id: int

    def order(self, body: dict[str, Any], **kw: Any) -> OrderRecord:
        return apply_order(self.sessions, self.shop_id, body, hash_key=HASH_KEY, **kw)

    def refund(self, body: dict[str, Any], **kw: Any) -> Any:
        return apply_refund(self.sessions, self.shop_id, body, **kw)

    def customer(self, body: dict[str, Any], **kw: Any) -> Member | None:
        return upsert_from_customer_payload(self.sessions, self.shop_id, body, HASH_KEY, **kw)

    def delete_customer(self, body: dict[str, Any]) -> None:
        delete_customer(self.sessions, self.shop_id, body, HASH_KEY)

    def join(self, customer_id: int) -> Member:
        return join(self.sessions, self.shop_id, customer_id, hash_key=HASH_KEY)

    def member(self, customer_id: int) -> Member | None:
        with self.sessions() as s:
            return s.scalars(
                select(Member).where(
                    Member.shop_id == self.shop_id, Member.customer_id == customer_id
                )
            ).one_or_none()

    def balance(self, customer_id: int) -> int | None:
        member = self.member(customer_id)
        return None if member is None else member.points_balance

    def entries(self, customer_id: int | None = None) -> list[tuple[str, int]]:
        """(kind, points) of the shop's (or one customer's) ledger entries, oldest first."""
        query = select(LedgerEntry.kind, LedgerEntry.points).where(
            LedgerEntry.shop_id == self.shop_id
        )
        if customer_id is not None:
            query = query.join(Member, Member.id == LedgerEntry.member_id).where(
                Member.customer_id == customer_id
            )
        with self.sessions() as s:
            return [(k, p) for k, p in s.execute(query.order_by(LedgerEntry.id))]

    def record(self, order_id: int) -> OrderRecord | None:
        with self.sessions() as s:
            return s.scalars(
                select(OrderRecord).where(
                    OrderRecord.shop_id == self.shop_id, OrderRecord.order_id == order_id
                )
            ).one_or_none()

    def rollups(self) -> dict[Any, DailyRollup]:
        with self.sessions() as s:
            rows = s.scalars(select(DailyRollup).where(DailyRollup.shop_id == self.shop_id))
            return {r.day: r for r in rows}

    def drift(self) -> list[Any]:
        return reconcile(self.sessions, self.shop_id)


@pytest.fixture
def new_klubb(rt: Any) -> Callable[..., Klubb]:
    """Make a fresh shop (settings as keyword arguments) and its engine driver."""

    def make(**settings: Any) -> Klubb:
        return Klubb(rt.sessions, make_shop(rt.sessions, **settings))

    return make


@pytest.fixture
def klubb(new_klubb: Callable[..., Klubb]) -> Klubb:
    """A shop on DESIGN.md's defaults: rate 1, bonus 100, auto-enrol, no pending period."""
    return new_klubb()
