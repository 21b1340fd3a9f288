"""The points engine driven in-process, the way the webhook jobs drive it, for one shop at a time.

The engine never talks to Shopify: ``klubb.order(body)`` is what the orders job does with a
delivery, without the HTTP intake or the queue, so a test reads like the rule it pins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import DailyRollup, LedgerEntry, Member, OrderRecord
from loyalty.members.enrolment import delete_customer, join, upsert_from_customer_payload
from loyalty.points.ledger import reconcile
from loyalty.points.orders import apply_order, apply_refund

HASH_KEY = b"engine-tests-tombstone-key"


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

    def deliver(self, topic: str, body: dict[str, Any], **kw: Any) -> Any:
        """What the job of a webhook of ``topic`` does with ``body`` (the property tests)."""
        if topic == "refunds/create":
            return self.refund(body, **kw)
        if topic == "customers/create":
            return self.customer(body, **kw)
        if topic in ("orders/create", "orders/updated", "orders/paid", "orders/cancelled"):
            return self.order(body, **kw)
        raise ValueError(f"no engine path for {topic}")

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
def new_klubb(rt: Any, installed_shop: Callable[..., Any]) -> Callable[..., Klubb]:
    """Make a fresh shop (settings as keyword arguments) and its engine driver.

    The shop is stored but never installed: the engine needs no install, and a shop purge
    (which leaves installed shops alone) may take it.
    """

    def make(*, currency: str = "NOK", timezone: str = "Europe/Oslo", **settings: Any) -> Klubb:
        shop = installed_shop(
            None, installed=False, currency=currency, timezone=timezone, settings=settings
        )
        return Klubb(rt.sessions, shop.id)

    return make


@pytest.fixture
def klubb(new_klubb: Callable[..., Klubb]) -> Klubb:
    """A shop on DESIGN.md's defaults: rate 1, bonus 100, auto-enrol, no pending period."""
    return new_klubb()
