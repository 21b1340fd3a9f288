"""Members and their orders as rows, for the segment and campaign tests (the API reads them)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from loyalty.core.models import Member, OrderRecord

JOINED = datetime(2026, 1, 1, tzinfo=UTC)
_order_ids = itertools.count(7_000_000_001)


def add_member(rt: Any, shop_id: int, customer_id: int, **columns: Any) -> int:
    """Insert an active member; ``columns`` override the defaults. Its id."""
    columns.setdefault("joined_at", JOINED)
    columns.setdefault("first_name", f"Medlem{customer_id}")
    with rt.sessions.begin() as s:
        member = Member(shop_id=shop_id, customer_id=customer_id, **columns)
        s.add(member)
        s.flush()
        return member.id


def add_order(
    rt: Any,
    shop_id: int,
    member_id: int,
    subtotal: str,
    ordered_at: datetime,
    *,
    source: str = "web",
    **columns: Any,
) -> None:
    """Insert a paid order of the member's (``columns``: refunded_subtotal, cancelled, test)."""
    with rt.sessions.begin() as s:
        s.add(
            OrderRecord(
                shop_id=shop_id,
                order_id=next(_order_ids),
                member_id=member_id,
                currency="NOK",
                total=Decimal(subtotal),
                paid_subtotal=Decimal(subtotal),
                paid=columns.pop("paid", True),
                source_name=source,
                ordered_at=ordered_at,
                **columns,
            )
        )
