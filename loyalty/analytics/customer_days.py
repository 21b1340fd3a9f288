"""A customer's days, kept by the workers: ``customer_day_orders`` and ``customer_day_counts``.

Every order with a customer counts in its customer's shop-local day under a pseudonymous key
(:func:`customer_key`); :func:`add_customer_orders` moves that day in the transaction that
changes the order's facts (``loyalty.points.orders``), and :func:`follow_customer_day` then moves
``customer_day_counts`` (:mod:`loyalty.analytics.customer_counts`) by what that changed, under a
per-customer lock (two orders of one customer must not both compute from the history without
the other). :func:`key_recorded_orders` gives orders recorded before customer keys existed
their key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import date

from sqlalchemy import Table, bindparam, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.analytics.customer_counts import (
    CustomerDay,
    DayChange,
    Key,
    changes,
    contributions,
    with_steps,
)
from loyalty.core.db import excluded, upsert
from loyalty.core.models import CustomerDayCounts, CustomerDayOrders, OrderRecord
from loyalty.core.types import utcnow
from loyalty.members.enrolment import HashKeys


def customer_key(hash_key: HashKeys, shop_id: int, customer_id: int) -> int:
    """A customer's pseudonymous key for analytics: 63 bits of an HMAC of shop and customer.

    Keyed like tombstones (with the writing key) but with its own label, so the two cannot be
    matched; unique enough that two customers of one shop collide with odds of about n²/2^64.
    """
    key = hash_key if isinstance(hash_key, bytes | str) else hash_key[0]
    raw = key.encode() if isinstance(key, str) else key
    digest = hmac.new(raw, f"analytics:{shop_id}:{customer_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def add_customer_orders(
    session: Session, shop_id: int, day: date, member: bool, key: int, delta: int
) -> None:
    """Add ``delta`` orders to one customer's day (a row that reaches 0 goes) and follow it.

    The only writer of ``customer_day_orders``: under the customer's lock, it moves the
    customer's day and then ``customer_day_counts`` by what that changed
    (:mod:`loyalty.analytics.customer_counts`).
    """
    if not delta:
        return
    lock_customer(session, shop_id, key)
    table = CustomerDayOrders.__table__
    stmt = upsert(session, CustomerDayOrders).values(
        shop_id=shop_id, day=day, member=member, customer_key=key, orders=delta
    )
    now = session.scalar(
        stmt.on_conflict_do_update(
            index_elements=["shop_id", "day", "member", "customer_key"],
            set_={"orders": table.c.orders + excluded(CustomerDayOrders).c.orders},
        ).returning(table.c.orders)
    )
    assert now is not None
    if now <= 0:
        session.execute(
            delete(CustomerDayOrders).where(
                CustomerDayOrders.shop_id == shop_id,
                CustomerDayOrders.day == day,
                CustomerDayOrders.member == member,
                CustomerDayOrders.customer_key == key,
            )
        )
    follow_customer_day(session, shop_id, key, day, member, was=now - delta)


def key_recorded_orders(
    sessions: sessionmaker[Session], hash_key: HashKeys, *, batch: int = 500
) -> int:
    """Give counted orders recorded before customer keys existed their key; how many were done.

    Each order is locked and re-settled as a webhook would (``loyalty.points.orders.settle`` posts
    nothing for a settled order), so its customer's day moves under the same lock as ever.
    """
    from loyalty.points.orders import settle  # loyalty.points.orders imports this module

    with sessions() as session:
        pending = session.execute(
            select(OrderRecord.shop_id, OrderRecord.order_id)
            .where(
                OrderRecord.customer_key.is_(None),
                OrderRecord.customer_id.is_not(None),
                OrderRecord.rollup_day.is_not(None),
            )
            .limit(batch)
        ).all()
    for shop_id, order_id in pending:
        with sessions.begin() as session:
            record = session.scalars(
                select(OrderRecord)
                .where(OrderRecord.shop_id == shop_id, OrderRecord.order_id == order_id)
                .with_for_update()
            ).one()
            if record.customer_key is None and record.customer_id is not None:
                record.customer_key = customer_key(hash_key, shop_id, record.customer_id)
                settle(session, record, utcnow())
    return len(pending)


def lock_customer(session: Session, shop_id: int, key: int) -> None:
    """Hold the customer's lock until the transaction ends (PostgreSQL; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:shop, :key)"),
            {"shop": _int4(shop_id), "key": _int4(key)},
        )


def _int4(value: int) -> int:
    """``value`` folded into a signed 32-bit integer (an advisory lock's half)."""
    folded = (value ^ (value >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


def customer_days(session: Session, shop_id: int, key: int) -> list[CustomerDay]:
    """The customer's days as ``customer_day_orders`` holds them now, in day order."""
    cdo = CustomerDayOrders
    rows = session.execute(
        select(cdo.day, cdo.member, cdo.orders)
        .where(cdo.shop_id == shop_id, cdo.customer_key == key)
        .order_by(cdo.day)
    )
    return [(day.toordinal(), member, orders) for day, member, orders in rows]


def follow_customer_day(
    session: Session, shop_id: int, key: int, day: date, member: bool, was: int
) -> None:
    """Move the counts by a change of one customer day, which held ``was`` orders before it.

    Call it after the change to ``customer_day_orders``, under :func:`lock_customer`: the
    customer's history is read as it is now, and as it was with that day put back.
    """
    after = customer_days(session, shop_id, key)
    ordinal = day.toordinal()
    before = [d for d in after if (d[0], d[1]) != (ordinal, member)]
    if was > 0:
        before.append((ordinal, member, was))
    moves = changes(contributions(before), contributions(after))
    if moves:
        _move_rows(session, shop_id, moves)


def _move_rows(session: Session, shop_id: int, moves: Mapping[Key, DayChange]) -> None:
    """Apply the moves: one upsert creates or locks every row (and adds the orders), returning
    the arrays; one statement writes the arrays that changed; rows left empty are deleted.

    The upsert's rows go in (series, day) order, which is the order PostgreSQL locks them in,
    so two transactions never wait for each other in a circle.
    """
    table = CustomerDayCounts.__table__
    assert isinstance(table, Table)  # typed as any FromClause, which UPDATE and DELETE refuse
    keys = sorted(moves)
    rows = [
        {
            "shop_id": shop_id,
            "series": series,
            "day": date.fromordinal(ordinal),
            "orders": moves[(series, ordinal)].orders,
            "by_gap": [],
            "single_firsts": [],
        }
        for series, ordinal in keys
    ]
    found = session.execute(
        upsert(session, CustomerDayCounts)
        .values(rows)
        .on_conflict_do_update(
            index_elements=["shop_id", "series", "day"],
            set_={"orders": table.c.orders + excluded(CustomerDayCounts).c.orders},
        )
        .returning(
            table.c.series, table.c.day, table.c.orders, table.c.by_gap, table.c.single_firsts
        )
    ).all()
    writes, empty = [], []
    for series, day, orders, by_gap, single_firsts in found:
        change = moves[(series, day.toordinal())]
        new_by_gap = with_steps(by_gap, change.by_gap)
        new_single_firsts = with_steps(single_firsts, change.single_firsts)
        if orders == 0 and not new_by_gap and not new_single_firsts:
            empty.append({"s": series, "d": day})
        elif (new_by_gap, new_single_firsts) != (by_gap, single_firsts):
            writes.append({"s": series, "d": day, "g": new_by_gap, "f": new_single_firsts})
    row = (
        (table.c.shop_id == shop_id)
        & (table.c.series == bindparam("s"))
        & (table.c.day == bindparam("d"))
    )
    if writes:
        session.execute(
            update(table).where(row).values(by_gap=bindparam("g"), single_firsts=bindparam("f")),
            writes,
        )
    if empty:
        session.execute(delete(table).where(row), empty)
