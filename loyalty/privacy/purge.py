"""``shop/redact``: delete every row of a shop; only a :class:`ShopRedaction` says it existed.

Shopify sends ``shop/redact`` 48 hours after the app is uninstalled. Every table with a
``shop_id`` column is emptied of the shop's rows, found from the models' metadata (so a table
added later is purged too), children before parents, at most ``batch_size`` rows per statement
and each statement its own short transaction, so the database is never locked for long and a
crash loses nothing but the batch in flight. Webhook events are deleted by ``shop_domain`` as
well: events recorded before the shop row existed, or without it, name the shop only so.

The last transaction deletes the shop row (its tokens with it), the ``shop/redact`` event's
own row, and writes the ShopRedaction. A shop that is installed again when the request is
processed is left alone (the merchant came back; Shopify's request predates that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Base, Shop, ShopRedaction, WebhookEvent

BATCH_SIZE = 1000


@dataclass
class ShopPurge:
    """What a purge did: rows deleted per table; whether it finished or was skipped."""

    done: bool = False
    skipped_installed: bool = False
    recorded: bool = False
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows deleted in all tables."""
        return sum(self.deleted.values())


def shop_tables() -> list[Table]:
    """Tables holding a shop's rows, children before parents (the ``shops`` table excluded)."""
    return [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if "shop_id" in table.c and table.name != Shop.__tablename__
    ]


def purge_shop(
    sessions: sessionmaker[Session],
    shop_domain: str,
    *,
    event_row_id: int | None = None,
    batch_size: int = BATCH_SIZE,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ShopPurge:
    """Delete everything of the shop; resumable and idempotent.

    ``event_row_id`` (the ``shop/redact`` event) is kept until the last transaction, so a
    crash before then leaves the job to be retried. With ``time_budget`` (seconds) the purge
    stops between batches once the budget is spent and returns ``done=False``; calling it
    again continues. A shop never seen still gets its ShopRedaction (once).
    """
    result = ShopPurge()
    deadline = None if time_budget is None else clock() + time_budget
    with sessions() as s:
        shop = s.scalars(select(Shop).where(Shop.domain == shop_domain)).one_or_none()
        shop_id = shop.id if shop else None
        if shop is not None and shop.is_installed:
            result.skipped_installed = True
            return result

    keep = WebhookEvent.id != event_row_id if event_row_id is not None else None
    steps: list[tuple[Table, ColumnElement[bool]]] = [
        (WebhookEvent.__table__, WebhookEvent.shop_domain == shop_domain)  # type: ignore[list-item]
    ]
    if shop_id is not None:
        steps += [(table, table.c.shop_id == shop_id) for table in shop_tables()]
    for table, condition in steps:
        if table.name == WebhookEvent.__tablename__ and keep is not None:
            condition = condition & keep
        while True:
            if deadline is not None and clock() >= deadline:
                return result
            with sessions.begin() as s:
                count = _delete_batch(s, table, condition, batch_size)
            result.deleted[table.name] = result.deleted.get(table.name, 0) + count
            if count < batch_size:
                break

    with sessions.begin() as s:
        if shop_id is not None:
            removed = _rowcount(s.execute(delete(Shop).where(Shop.id == shop_id)))
            result.deleted[Shop.__tablename__] = removed
        if event_row_id is not None:
            s.execute(delete(WebhookEvent).where(WebhookEvent.id == event_row_id))
        seen_before = s.scalar(
            select(ShopRedaction.id).where(ShopRedaction.domain == shop_domain).limit(1)
        )
        if result.total or seen_before is None:
            s.add(ShopRedaction(domain=shop_domain))
            result.recorded = True
    result.done = True
    return result


def _delete_batch(s: Session, table: Table, condition: ColumnElement[bool], limit: int) -> int:
    """Delete up to ``limit`` rows matching ``condition``; returns how many went."""
    key = list(table.primary_key.columns)
    if len(key) == 1:
        chosen = key[0].in_(select(key[0]).where(condition).limit(limit))
    else:
        chosen = tuple_(*key).in_(select(*key).where(condition).limit(limit))
    return _rowcount(s.execute(delete(table).where(chosen)))


def _rowcount(result: object) -> int:
    return int(cast(CursorResult[Any], result).rowcount)
