"""Reading Shopify's webhook bodies: ids, timestamps, and the facts of orders and refunds.

Bodies are untrusted in shape: fields go missing, arrive null, as strings instead of numbers,
or (protected customer data) redacted. Each reader here has a stated outcome for that instead of
an exception; only a body without its own id is refused (``ValidationError``), because nothing
could be stored for it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_json
from loyalty.core.money import ZERO, quantize, shop_money
from loyalty.core.text import made_storable

# Statuses of an order that was paid (a refunded order was paid: refunds claw back on their own).
PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})


def parse_id(value: Any, field: str) -> int:
    """A Shopify id from JSON (a number, or its decimal string); ValidationError otherwise.

    Other ids in a body are read with :func:`loyalty.core.ids.id_from_json`: one that is not an
    id (``"²"``, beyond BIGINT) reads as absent, like a missing one.
    """
    parsed = id_from_json(value)
    if parsed is None:
        raise ValidationError({field: "not a Shopify id"})
    return parsed


def read_body(body: bytes) -> Any:
    """A body's JSON, with text the database cannot store made storable.

    Shopify's data cannot be sent back for correction, so a NUL character or a lone surrogate
    (``\\u0000``, ``\\ud800``) in any text is replaced by U+FFFD and the rest is kept
    (:func:`loyalty.core.text.made_storable`). Such text can only come from a JSON escape or
    from UTF-8 bytes of a surrogate (``0xED 0xA0``...), so a body holding neither a backslash
    nor ``0xED`` is returned as parsed, without walking it.
    """
    payload = json.loads(body)
    if b"\xed" not in body and (
        b"\\" not in body or not (b"\\u0000" in body or b"\\ud" in body or b"\\uD" in body)
    ):
        return payload
    return made_storable(payload)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from Shopify, timezone-aware (UTC when it names no zone), or None.

    None too for a moment Python cannot hold in UTC (``9999-12-31T23:59:59-01:00`` is in the
    year 10000), since it is stored in UTC.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment


@dataclass(frozen=True)
class OrderFacts:
    """What one order body says. ``None`` money means "could not be read": keep what we had."""

    order_id: int
    customer_id: int | None
    currency: str | None
    total: Decimal | None
    paid_subtotal: Decimal | None
    financial_status: str | None
    paid: bool
    cancelled: bool
    test: bool
    source_name: str | None
    name: str | None
    location_id: int | None
    ordered_at: datetime | None
    updated_at: datetime | None
    gift_card_line_ids: frozenset[int] | None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> OrderFacts:
        """Read an orders/* body. Only a missing order id is an error (ValidationError)."""
        subtotal, currency = shop_money(payload, "subtotal_price")
        currency = currency or _currency(payload.get("currency"))
        total, _ = shop_money(payload, "total_price")
        lines = _mappings(payload, "line_items")
        nets = [(bool(x.get("gift_card")), _line_net(x)) for x in lines]
        if subtotal is None and nets and all(n is not None for _, n in nets):
            subtotal = sum((n for _, n in nets if n is not None), ZERO)
        gift = [n for is_gift, n in nets if is_gift]
        paid_subtotal = None
        if subtotal is not None and None not in gift:
            paid_subtotal = quantize(
                subtotal - sum((n for n in gift if n is not None), ZERO), currency
            )
        customer = payload.get("customer")
        status = payload.get("financial_status")
        status = status if isinstance(status, str) else None
        return cls(
            order_id=parse_id(payload.get("id"), "id"),
            customer_id=id_from_json(customer.get("id")) if isinstance(customer, Mapping) else None,
            currency=currency,
            total=quantize(total, currency) if total is not None else None,
            paid_subtotal=paid_subtotal,
            financial_status=status,
            paid=status in PAID_STATUSES,
            cancelled=bool(payload.get("cancelled_at")),
            test=payload.get("test") is True,
            source_name=str(payload["source_name"])[:100] if payload.get("source_name") else None,
            name=payload["name"][:64] if isinstance(payload.get("name"), str) else None,
            location_id=id_from_json(payload.get("location_id")),
            ordered_at=parse_time(payload.get("processed_at"))
            or parse_time(payload.get("created_at")),
            updated_at=parse_time(payload.get("updated_at")),
            gift_card_line_ids=(
                frozenset(
                    i for x in lines if x.get("gift_card") and (i := id_from_json(x.get("id")))
                )
                if "line_items" in payload
                else None
            ),
        )


@dataclass(frozen=True)
class RefundFacts:
    """What one refunds/create body says about merchandise refunded (the basis of claw-back)."""

    refund_id: int
    order_id: int
    subtotal: Decimal
    unclassified: dict[int, Decimal]
    refunded_at: datetime | None

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], gift_card_line_ids: Collection[int] = ()
    ) -> RefundFacts:
        """Sum ``refund_line_items[].subtotal_set.shop_money``, gift-card lines left out.

        A line is a gift card if its embedded ``line_item`` says so, or if its id is among
        ``gift_card_line_ids`` (the order's, when known). A line that neither tells is kept in
        ``unclassified`` and decided when the order is known. An unreadable amount counts 0.
        """
        subtotal, unclassified = ZERO, dict[int, Decimal]()
        for line in _mappings(payload, "refund_line_items"):
            amount = shop_money(line, "subtotal")[0] or ZERO
            item = line.get("line_item")
            line_id = id_from_json(line.get("line_item_id")) or (
                id_from_json(item.get("id")) if isinstance(item, Mapping) else None
            )
            flag = item.get("gift_card") if isinstance(item, Mapping) else None
            if flag is True or line_id in gift_card_line_ids:
                continue
            if flag is None and line_id is not None:
                unclassified[line_id] = unclassified.get(line_id, ZERO) + amount
            else:
                subtotal += amount
        return cls(
            refund_id=parse_id(payload.get("id"), "id"),
            order_id=parse_id(payload.get("order_id"), "order_id"),
            subtotal=subtotal,
            unclassified=unclassified,
            refunded_at=parse_time(payload.get("processed_at"))
            or parse_time(payload.get("created_at")),
        )


def order_discount_codes(payload: Mapping[str, Any]) -> frozenset[str]:
    """The discount codes an orders/* body says the order used, upper-cased (Shopify's codes
    compare case-insensitively): ``discount_codes[].code`` and the ``code`` of each
    ``discount_applications[]`` of type ``discount_code``. Anything else there is ignored."""
    found = [x.get("code") for x in _mappings(payload, "discount_codes")]
    found += [
        x.get("code")
        for x in _mappings(payload, "discount_applications")
        if x.get("type") == "discount_code"
    ]
    return frozenset(c.strip().upper() for c in found if isinstance(c, str) and c.strip())


def _line_net(line: Mapping[str, Any]) -> Decimal | None:
    """A line's price * quantity minus its discount allocations; None if unreadable."""
    price, _ = shop_money(line, "price")
    quantity = line.get("quantity")
    if price is None or not isinstance(quantity, int) or isinstance(quantity, bool):
        return None
    discounts = ZERO
    for allocation in _mappings(line, "discount_allocations"):
        discounts += shop_money(allocation, "amount")[0] or ZERO
    return price * quantity - discounts


def _mappings(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The objects in ``obj[key]`` if it is a list; anything else there reads as none."""
    value = obj.get(key)
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def _currency(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) == 3 else None
