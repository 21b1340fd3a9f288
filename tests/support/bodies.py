"""Webhook bodies as Shopify sends them, built from edited copies of Shopify's own samples.

The samples in ``payloads/`` are Shopify's published ones (see its README: one generic order,
voided and cancelled, so every builder here sets the state it means). Builders take the facts a
test cares about and fill in the rest from the sample, so tests read like the behaviour.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from loyalty.core.money import quantize

PAYLOADS = Path(__file__).parent / "payloads"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@cache
def sample(name: str) -> dict[str, Any]:
    """Shopify's sample body for a topic (``orders_paid``, ``refunds_create``, ...)."""
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def at(minutes: float) -> str:
    """An ISO timestamp ``minutes`` after a fixed start, as Shopify writes them."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def money(amount: Decimal | str, currency: str) -> dict[str, Any]:
    """A ``*_set`` value in shop and presentment money."""
    value = {"amount": str(amount), "currency_code": currency}
    return {"shop_money": value, "presentment_money": dict(value)}


@dataclass(frozen=True)
class Line:
    """An order line: ``price`` per unit, ``discount`` allocated to the whole line."""

    id: int
    price: str
    quantity: int = 1
    gift_card: bool = False
    discount: str = "0"
    product_id: int | None = None  # None: the sample's product

    def net(self) -> Decimal:
        return Decimal(self.price) * self.quantity - Decimal(self.discount)


def order_body(
    order_id: int,
    lines: list[Line],
    *,
    customer_id: int | None = 7001,
    financial_status: str = "paid",
    cancelled: bool = False,
    test: bool = False,
    updated_at: str | None = None,
    currency: str = "NOK",
    source_name: str = "web",
    location_id: int | None = None,
    subtotal: str | None = None,
) -> dict[str, Any]:
    """An orders/* body: the sample order with these lines, customer and state."""
    body = copy.deepcopy(sample("orders_paid"))
    template = body["line_items"][0]
    body["line_items"] = []
    for line in lines:
        item = copy.deepcopy(template)
        item.update(
            id=line.id,
            admin_graphql_api_id=f"gid://shopify/LineItem/{line.id}",
            price=line.price,
            price_set=money(line.price, currency),
            quantity=line.quantity,
            current_quantity=line.quantity,
            gift_card=line.gift_card,
            product_id=line.product_id or item.get("product_id"),
            discount_allocations=[
                {
                    "amount": line.discount,
                    "amount_set": money(line.discount, currency),
                    "discount_application_index": 0,
                }
            ]
            if Decimal(line.discount)
            else [],
        )
        body["line_items"].append(item)
    amount = subtotal if subtotal is not None else str(sum((x.net() for x in lines), Decimal(0)))
    body.update(
        id=order_id,
        admin_graphql_api_id=f"gid://shopify/Order/{order_id}",
        currency=currency,
        presentment_currency=currency,
        subtotal_price=amount,
        subtotal_price_set=money(amount, currency),
        total_price=amount,
        total_price_set=money(amount, currency),
        financial_status=financial_status,
        cancelled_at=at(0) if cancelled else None,
        cancel_reason="customer" if cancelled else None,
        test=test,
        source_name=source_name,
        location_id=location_id,
        created_at=at(0),
        processed_at=at(0),
        updated_at=updated_at or at(0),
    )
    if customer_id is None:
        body["customer"] = None
    else:
        body["customer"] = {**body["customer"], "id": customer_id, "updated_at": None}
    return body


def refund_body(
    refund_id: int,
    order_id: int,
    lines: list[tuple[Line, int]],
    *,
    currency: str = "NOK",
    embed_line_item: bool = True,
) -> dict[str, Any]:
    """A refunds/create body refunding ``quantity`` of each line (its share of the line's net)."""
    body = copy.deepcopy(sample("refunds_create"))
    template = body["refund_line_items"][0]
    body["refund_line_items"] = []
    for n, (line, quantity) in enumerate(lines):
        amount = quantize(line.net() * quantity / line.quantity, currency)
        item = copy.deepcopy(template)
        item.update(
            id=refund_id * 10 + n,
            line_item_id=line.id,
            quantity=quantity,
            subtotal=float(amount),
            subtotal_set=money(amount, currency),
        )
        if embed_line_item:
            item["line_item"] = {**item["line_item"], "id": line.id, "gift_card": line.gift_card}
        else:
            del item["line_item"]
        body["refund_line_items"].append(item)
    body.update(
        id=refund_id,
        admin_graphql_api_id=f"gid://shopify/Refund/{refund_id}",
        order_id=order_id,
    )
    return body


def customer_body(
    customer_id: int, *, updated_at: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A customers/create|update body for this customer, the sample's names unless given."""
    body = copy.deepcopy(sample("customers_create"))
    body.update(
        id=customer_id,
        admin_graphql_api_id=f"gid://shopify/Customer/{customer_id}",
        updated_at=updated_at or at(0),
        **fields,
    )
    return body
