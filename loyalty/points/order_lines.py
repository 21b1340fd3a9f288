"""An order's lines and the units each refund took back, stored with the order's facts.

:func:`record_lines` runs inside :func:`loyalty.points.orders.apply_order` when the body is the
newest seen: each line is upserted (quantity, price, product, variant, gift card), and a line
seen for the first time is given the stamp cards it counts for
(:func:`loyalty.club.stamp_matching.cards_for_line`), which never change afterwards.
:func:`record_line_refunds` runs inside ``apply_refund``; a refund before its order is kept
like any other (one row per refund and line).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalty.club.stamp_matching import CardMatcher
from loyalty.core.db import upsert
from loyalty.core.ids import id_from_json
from loyalty.core.models import OrderLine, OrderLineRefund, OrderRecord
from loyalty.core.money import ZERO, shop_money


@dataclass(frozen=True)
class LineFacts:
    """One ``line_items[]`` entry."""

    line_id: int
    product_id: int | None
    variant_id: int | None
    quantity: int
    price: Decimal
    gift_card: bool


@dataclass(frozen=True)
class LineRefundFacts:
    """One ``refund_line_items[]`` entry: units of a line refunded."""

    line_id: int
    quantity: int
    subtotal: Decimal


def _objects(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = obj.get(key)
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def _count(value: Any) -> int:
    """A non-negative quantity, 0 when unreadable."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def line_facts(payload: Mapping[str, Any]) -> list[LineFacts] | None:
    """The body's lines; None if it carries no ``line_items`` (keep the lines held)."""
    if not isinstance(payload.get("line_items"), list):
        return None
    lines = []
    for line in _objects(payload, "line_items"):
        line_id = id_from_json(line.get("id"))
        if line_id is None:
            continue
        lines.append(
            LineFacts(
                line_id=line_id,
                product_id=id_from_json(line.get("product_id")),
                variant_id=id_from_json(line.get("variant_id")),
                quantity=_count(line.get("quantity")),
                price=shop_money(line, "price")[0] or ZERO,
                gift_card=line.get("gift_card") is True,
            )
        )
    return lines


def line_refund_facts(payload: Mapping[str, Any]) -> list[LineRefundFacts]:
    """The units per line a refunds/create body takes back (a line named twice is summed)."""
    found: dict[int, LineRefundFacts] = {}
    for line in _objects(payload, "refund_line_items"):
        item = line.get("line_item")
        line_id = id_from_json(line.get("line_item_id")) or (
            id_from_json(item.get("id")) if isinstance(item, Mapping) else None
        )
        if line_id is None:
            continue
        held = found.get(line_id)
        quantity = _count(line.get("quantity")) + (held.quantity if held else 0)
        subtotal = (shop_money(line, "subtotal")[0] or ZERO) + (held.subtotal if held else ZERO)
        found[line_id] = LineRefundFacts(line_id, quantity, subtotal)
    return list(found.values())


def record_lines(
    session: Session, record: OrderRecord, lines: list[LineFacts], ordered_at: datetime | None
) -> None:
    """Upsert the order's lines; a new line's stamp cards are decided now, once."""
    if not lines:
        return
    known = set(
        session.scalars(
            select(OrderLine.line_id).where(
                OrderLine.shop_id == record.shop_id, OrderLine.order_id == record.order_id
            )
        )
    )
    matcher = CardMatcher(session, record.shop_id, ordered_at)
    for line in lines:
        values = {
            "product_id": line.product_id,
            "variant_id": line.variant_id,
            "quantity": line.quantity,
            "price": line.price,
            "gift_card": line.gift_card,
        }
        if line.line_id in known:
            session.execute(
                upsert(session, OrderLine)
                .values(shop_id=record.shop_id, order_id=record.order_id, line_id=line.line_id)
                .on_conflict_do_update(
                    index_elements=["shop_id", "order_id", "line_id"], set_=values
                )
            )
            continue
        cards = [] if line.gift_card else matcher.cards_for(line.product_id)
        session.execute(
            upsert(session, OrderLine)
            .values(
                shop_id=record.shop_id,
                order_id=record.order_id,
                line_id=line.line_id,
                stamp_card_ids=cards,
                **values,
            )
            .on_conflict_do_nothing(index_elements=["shop_id", "order_id", "line_id"])
        )


def record_line_refunds(
    session: Session, shop_id: int, order_id: int, refund_id: int, lines: list[LineRefundFacts]
) -> None:
    """Store each line of a refund once (a redelivered refund adds nothing)."""
    for line in lines:
        session.execute(
            upsert(session, OrderLineRefund)
            .values(
                shop_id=shop_id,
                refund_id=refund_id,
                order_id=order_id,
                line_id=line.line_id,
                quantity=line.quantity,
                subtotal=line.subtotal,
            )
            .on_conflict_do_nothing(index_elements=["shop_id", "refund_id", "line_id"])
        )


def refunded_units(session: Session, shop_id: int, order_id: int) -> dict[int, int]:
    """Units refunded per line of the order, over all its refunds."""
    return {
        int(line_id): int(units)
        for line_id, units in session.execute(
            select(OrderLineRefund.line_id, func.sum(OrderLineRefund.quantity))
            .where(OrderLineRefund.shop_id == shop_id, OrderLineRefund.order_id == order_id)
            .group_by(OrderLineRefund.line_id)
        )
    }
