"""An order's part in the daily rollups, moved by the difference whenever the order changes.

Each order remembers what it added to them (day, member or guest, revenue, customer key) and a
change moves them by the difference, in the same transaction as its settlement
(:func:`loyalty.points.orders.settle`). Recomputing a day from the records instead would rescan
a busy shop's whole day for every webhook.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from loyalty.analytics.customer_days import add_customer_orders
from loyalty.core.models import OrderRecord
from loyalty.core.money import ZERO
from loyalty.points.ledger import add_to_rollup, local_day


def update_order_rollups(session: Session, record: OrderRecord) -> None:
    """Move the daily rollups by the difference between the order's old and new contribution.

    An order counts on its shop-local day once paid, unless cancelled or a test; its revenue
    is its net merchandise (paid - refunded subtotal), the same base as its points. An order
    with a customer key also counts in its customer's day (``loyalty.analytics.customer_days``).
    """
    new: tuple[date, bool, Decimal, int | None] | None = None
    if record.paid and not record.cancelled and not record.test and record.ordered_at:
        day = local_day(session, record.shop_id, record.ordered_at)
        new = (
            day,
            record.member_id is not None,
            record.paid_subtotal - record.refunded_subtotal,
            record.customer_key,
        )
    old = (
        (
            record.rollup_day,
            record.rollup_member,
            Decimal(record.rollup_revenue),
            record.rollup_customer_key,
        )
        if record.rollup_day
        else None
    )
    if new == old:
        return
    for contribution, sign in ((old, -1), (new, 1)):
        if contribution is not None:
            day, member, revenue, key = contribution
            prefix = "member" if member else "guest"
            add_to_rollup(
                session,
                record.shop_id,
                day,
                **{f"{prefix}_orders": sign, f"{prefix}_revenue": sign * revenue},
            )
            # A change of revenue alone (a refund) leaves the customer's order count as it is.
            if key is not None and (old and old[:2] + old[3:]) != (new and new[:2] + new[3:]):
                add_customer_orders(session, record.shop_id, day, member, key, sign)
    (
        record.rollup_day,
        record.rollup_member,
        record.rollup_revenue,
        record.rollup_customer_key,
    ) = new or (None, False, ZERO, None)
