"""Applying a bulk query's lines: customers become members, past orders are recorded.

Each JSONL line goes through the same code as the matching webhook, so the two paths meet on the
same rows:

- a customer line is a customers/create body for :func:`loyalty.members.enrolment.upsert_from_customer_payload`
  (enrolment per ``auto_enrol``, tombstones respected). Unless the merchant asked for it, the
  member is enrolled first without the signup bonus, so no flood of bonuses (nor welcome codes:
  the backfill enqueues none);
- an order line is an orders/* body for :func:`loyalty.points.orders.apply_order` (facts, settlement
  under the order's row lock, rollups). An order Klubb already holds facts for (a live webhook
  came first) is left to the webhooks; one the backfill recorded first is settled again by a
  later webhook with nothing more to post. Either way the order counts once.

Refunds: a bulk ``orders`` line carries no refund ids, so an order last changed before the
install (no refunds/create will ever come for it) is recorded at its current subtotal, net of
refunds and removals; an order changed since is recorded at its original subtotal, its refunds
since the install arriving as refunds/create (refunds it had before the install are then not
seen: a documented limitation).

Customers and orders created since the install are left to their webhooks (customers/create,
orders/*), so a new customer still gets the signup bonus and welcome code, and a new order
earns as usual. ``award_points`` false: the past orders the backfill records never earn (their
record is created ``earn_blocked`` before the facts are applied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.ids import id_from_json
from loyalty.core.models import Member, OrderRecord, Shop
from loyalty.core.payloads import parse_time
from loyalty.core.types import utcnow
from loyalty.members.enrolment import (
    HashKeys,
    get_or_enrol,
    upsert_from_customer_payload,
)
from loyalty.points.orders import apply_order


def gid_number(value: Any) -> int | None:
    """The numeric id in ``gid://shopify/Kind/123`` (or a plain id), else None."""
    if isinstance(value, str) and value.startswith("gid://"):
        value = value.rsplit("/", 1)[-1].split("?", 1)[0]
    return id_from_json(value)


def customer_payload(line: Mapping[str, Any]) -> dict[str, Any] | None:
    """A customers/create-shaped body from a bulk customer line; None if it has no id."""
    customer_id = gid_number(line.get("id"))
    if customer_id is None:
        return None
    email = line.get("defaultEmailAddress") or {}
    phone = line.get("defaultPhoneNumber") or {}
    return {
        "id": customer_id,
        "first_name": line.get("firstName"),
        "last_name": line.get("lastName"),
        "email": email.get("emailAddress") if isinstance(email, Mapping) else None,
        "phone": phone.get("phoneNumber") if isinstance(phone, Mapping) else None,
        "updated_at": line.get("updatedAt"),
    }


def order_payload(line: Mapping[str, Any], installed_at: datetime | None) -> dict[str, Any] | None:
    """An orders/*-shaped body from a bulk order line; None if it has no id.

    The subtotal is the current one (net of refunds) when the order last changed before the
    install, else the original one (see the module's docstring).
    """
    order_id = gid_number(line.get("id"))
    if order_id is None:
        return None
    updated = parse_time(line.get("updatedAt"))
    before_install = installed_at is not None and updated is not None and updated < installed_at
    subtotal = line.get("currentSubtotalPriceSet") if before_install else None
    customer = line.get("customer")
    customer_id = gid_number(customer.get("id")) if isinstance(customer, Mapping) else None
    status = line.get("displayFinancialStatus")
    return {
        "id": order_id,
        "customer": {"id": customer_id} if customer_id else None,
        "currency": line.get("currencyCode"),
        "subtotal_price_set": _money_set(subtotal or line.get("subtotalPriceSet")),
        "total_price_set": _money_set(line.get("totalPriceSet")),
        "financial_status": status.lower() if isinstance(status, str) else None,
        "cancelled_at": line.get("cancelledAt"),
        "test": line.get("test") is True,
        "source_name": line.get("sourceName"),
        "processed_at": line.get("processedAt"),
        "created_at": line.get("createdAt"),
        "updated_at": line.get("updatedAt"),
    }


def _money_set(bag: Any) -> dict[str, Any] | None:
    if not isinstance(bag, Mapping) or not isinstance(bag.get("shopMoney"), Mapping):
        return None
    money = bag["shopMoney"]
    return {
        "shop_money": {"amount": money.get("amount"), "currency_code": money.get("currencyCode")}
    }


@dataclass(frozen=True)
class CustomerOutcome:
    """What one customer line did: seen (a customer), and the member it newly enrolled."""

    seen: bool = False
    enrolled: int | None = None


def apply_customer(
    sessions: sessionmaker[Session],
    shop_id: int,
    line: Mapping[str, Any],
    *,
    installed_at: datetime | None,
    signup_bonus: bool,
    hash_key: HashKeys,
    now: datetime | None = None,
) -> CustomerOutcome:
    """Enrol the customer of a bulk line per the settings and copy their details.

    A customer created since the install is customers/create's (seen, not enrolled here): the
    webhook enrols them as a new customer, signup bonus and welcome code included.
    """
    payload = customer_payload(line) if "__parentId" not in line else None
    if payload is None:
        return CustomerOutcome()
    if _since_install(line, installed_at):
        return CustomerOutcome(seen=True)
    customer_id = payload["id"]
    now = now or utcnow()
    with sessions.begin() as session:
        existed = _member_exists(session, shop_id, customer_id)
        if not existed:
            get_or_enrol(
                session, shop_id, customer_id, hash_key=hash_key, now=now, bonus=signup_bonus
            )
    member = upsert_from_customer_payload(sessions, shop_id, payload, hash_key, now=now)
    return CustomerOutcome(seen=True, enrolled=member.id if member and not existed else None)


@dataclass(frozen=True)
class OrderOutcome:
    """What one order line did: seen (in the window), newly recorded, earned points."""

    seen: bool = False
    recorded: bool = False
    awarded: bool = False
    member_id: int | None = None


def apply_order_line(
    sessions: sessionmaker[Session],
    shop_id: int,
    line: Mapping[str, Any],
    *,
    installed_at: datetime | None,
    since: datetime | None,
    award_points: bool,
    signup_bonus: bool,
    hash_key: HashKeys,
    now: datetime | None = None,
) -> OrderOutcome:
    """Record one bulk order line through :func:`loyalty.points.orders.apply_order`.

    Orders older than ``since`` are skipped (Shopify's search filter should have left them out
    already). Orders created since the install, and orders Klubb holds facts for, are the
    webhooks' and left alone (seen, not recorded).
    """
    if "__parentId" in line:
        return OrderOutcome()
    payload = order_payload(line, installed_at)
    if payload is None:
        return OrderOutcome()
    ordered = parse_time(payload["processed_at"]) or parse_time(payload["created_at"])
    if since is not None and ordered is not None and ordered < since:
        return OrderOutcome()
    if _since_install(line, installed_at):
        return OrderOutcome(seen=True)
    now = now or utcnow()
    order_id = payload["id"]
    customer_id = (payload["customer"] or {}).get("id")
    with sessions.begin() as session:
        held = session.scalar(
            select(OrderRecord.shopify_updated_at.is_not(None)).where(
                OrderRecord.shop_id == shop_id, OrderRecord.order_id == order_id
            )
        )
        if held:
            return OrderOutcome(seen=True)
        currency = session.scalar(select(Shop.currency).where(Shop.id == shop_id))
        if not award_points:
            session.execute(
                upsert(session, OrderRecord)
                .on_conflict_do_nothing(index_elements=["shop_id", "order_id"])
                .values(shop_id=shop_id, order_id=order_id, currency=currency, earn_blocked=True)
            )
        if customer_id and not signup_bonus and not _member_exists(session, shop_id, customer_id):
            get_or_enrol(session, shop_id, customer_id, hash_key=hash_key, now=now, bonus=False)
    record = apply_order(sessions, shop_id, payload, hash_key=hash_key, now=now)
    awarded = record.points_owed > 0
    return OrderOutcome(
        seen=True, recorded=True, awarded=awarded, member_id=record.member_id if awarded else None
    )


def _since_install(line: Mapping[str, Any], installed_at: datetime | None) -> bool:
    """The line's object was created at or after the install (its webhooks bring it)."""
    created = parse_time(line.get("createdAt"))
    return installed_at is not None and created is not None and created >= installed_at


def _member_exists(session: Session, shop_id: int, customer_id: int) -> bool:
    return (
        session.scalar(
            select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )
        is not None
    )
