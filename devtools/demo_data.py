"""The demo shop's customers and orders, as the webhooks Shopify would send about them.

``flask --app app dev`` posts these to the app through the fake Shopify's signed sender once the
demo shop is installed, so the admin opens on real members with real balances: four customers
(each enrolled with the signup bonus) and six orders covering the cases merchants ask about —
a paid order, one partly refunded, one cancelled, two POS orders (the second half fills Lars's
coffee stamp card, :data:`STAMP_CARD`) and a guest order, and three VIP
tiers by money spent (:data:`TIERS`: Kari's order puts her in Sølv, 1,251 kr from Gull; Ola is
401 kr from Sølv), and a spend voucher she is 251 kr from (:data:`VOUCHER_RULES`). Every delivery
has a fixed event id, so each start of the dev command sends the same events again and the app
answers ``duplicate``: restarting never doubles a balance.

Pure data (Shopify's payload shapes, trimmed to what Klubb reads and a little more): no Flask, no
RQ. Amounts are in NOK, the demo shop's currency; dates are days before ``now``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

CURRENCY = "NOK"
EVENT_NAMESPACE = uuid.UUID("6f1d9c52-3a7e-4b8e-9c41-2d5b7e0a9f13")
"""Event ids are UUIDs (as Shopify's are) derived from this and a label: fixed across starts."""
POS_LOCATION = 74_628_301_001


@dataclass(frozen=True)
class DemoCustomer:
    """A customer of the demo shop (added to the fake Shopify, then announced by webhook)."""

    id: int
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class Delivery:
    """One webhook to send: its topic, its fixed event id and its body."""

    topic: str
    event_id: str
    payload: dict[str, Any]


TIERS = (
    {
        "name": "Bronse",
        "basis": "spend",
        "threshold": "0",
        "perks": {"nb": "Medlemspriser", "en": "Member prices"},
    },
    {
        "name": "Sølv",
        "basis": "spend",
        "threshold": "1000",
        "earn_multiplier": "1.25",
        "perks": {"nb": "Gratis frakt", "en": "Free shipping"},
    },
    {
        "name": "Gull",
        "basis": "spend",
        "threshold": "2500",
        "earn_multiplier": "1.5",
        "perks": {
            "nb": "Gratis frakt og tidlig tilgang til salg",
            "en": "Free shipping and early access to sales",
        },
    },
)
"""The demo shop's VIP tiers (``/api/tiers`` bodies), made before its webhooks are sent."""
TIERS_MADE_DAYS_AGO = 30

VOUCHER_RULES = (
    {
        "name": "Handle for 1 500 kr i året",
        "threshold": "1500",
        "period": "calendar_year",
        "period_days": None,
        "voucher": {"kind": "gift_card", "amount": "250"},
    },
)
"""The demo shop's spend voucher (``/api/voucher-rules`` bodies): Kari's 1,249 kr order leaves
her 251 kr from a 250 kr gift card this year."""


PRODUCTS = {
    "Kaffe": 8_411_000_000_001,
    "Kanelbolle": 8_411_000_000_002,
    "Ullgenser": 8_411_000_000_003,
    "Fjellsko": 8_411_000_000_004,
    "Ullsokker": 8_411_000_000_005,
    "Regnjakke": 8_411_000_000_006,
    "Termokopp": 8_411_000_000_007,
}
"""The demo shop's products (title: id), on the fake Shopify for the resource picker; order lines
name them."""
STAMP_CARD = {
    "name": "Kaffekort",
    "product_ids": [str(PRODUCTS["Kaffe"])],
    "stamps_required": 10,
    "reward": {"kind": "free_product", "product_id": str(PRODUCTS["Kaffe"])},
    "repeatable": True,
}
"""The demo café's stamp card (a ``/api/stamp-cards`` body), made before the webhooks are sent:
Lars's five coffees at the counter fill it half."""

KARI = DemoCustomer(7_830_001_000_001, "Kari", "Nordmann", "kari.nordmann@example.com")
OLA = DemoCustomer(7_830_001_000_002, "Ola", "Nordmann", "ola.nordmann@example.com")
INGRID = DemoCustomer(7_830_001_000_003, "Ingrid", "Hansen", "ingrid.hansen@example.com")
LARS = DemoCustomer(7_830_001_000_004, "Lars", "Berg", "lars.berg@example.com")
CUSTOMERS = (KARI, OLA, INGRID, LARS)


def deliveries(now: datetime) -> list[Delivery]:
    """Every demo webhook, in the order Shopify would send them (``now`` dates them)."""

    def day(n: float) -> str:
        return (now - timedelta(days=n)).isoformat()

    sent = [
        Delivery("customers/create", _event_id(f"customer-{c.id}"), _customer(c, day(9)))
        for c in CUSTOMERS
    ]
    # Kari: a paid web order.
    kari = _order(1001, KARI, [("Ullgenser", "1249.00", 1)], day(7))
    sent.append(_delivery("orders/paid", kari))
    # Ola: paid, then the socks returned (a partial refund, and the order's update).
    ola_lines = [("Fjellsko", "599.00", 1), ("Ullsokker", "150.00", 2)]
    ola = _order(1002, OLA, ola_lines, day(6))
    sent.append(_delivery("orders/paid", ola))
    sent.append(_delivery("refunds/create", _refund(50_002, ola, line=1, quantity=2, at=day(4))))
    sent.append(
        _delivery(
            "orders/updated",
            {**ola, "financial_status": "partially_refunded", "updated_at": day(4)},
        )
    )
    # Ingrid: paid, then cancelled (refunded in full): it owes nothing.
    ingrid = _order(1003, INGRID, [("Regnjakke", "450.00", 1)], day(5))
    sent.append(_delivery("orders/paid", ingrid))
    cancelled = {
        **ingrid,
        "financial_status": "refunded",
        "cancelled_at": day(3),
        "cancel_reason": "customer",
        "updated_at": day(3),
    }
    sent.append(_delivery("orders/cancelled", cancelled))
    # Lars: bought in the shop, at the point of sale.
    lars = _order(1004, LARS, [("Termokopp", "349.00", 1)], day(2), pos=True)
    sent.append(_delivery("orders/paid", lars))
    # Lars again at the counter: five coffees, half his coffee stamp card.
    coffees = _order(1006, LARS, [("Kaffe", "39.00", 5)], day(1.5), pos=True)
    sent.append(_delivery("orders/paid", coffees))
    # A guest: recorded for the shop's figures, earns nobody anything.
    sent.append(
        _delivery("orders/paid", _order(1005, None, [("Gavekort-eske", "650.00", 1)], day(1)))
    )
    return sent


def _event_id(label: str) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, label))


def _delivery(topic: str, payload: dict[str, Any]) -> Delivery:
    return Delivery(topic, _event_id(f"{topic}-{payload['id']}"), payload)


def _money(amount: Decimal | str) -> dict[str, Any]:
    value = {"amount": str(amount), "currency_code": CURRENCY}
    return {"shop_money": value, "presentment_money": dict(value)}


def _customer(c: DemoCustomer, created_at: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "admin_graphql_api_id": f"gid://shopify/Customer/{c.id}",
        "email": c.email,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "phone": None,
        "state": "enabled",
        "verified_email": True,
        "tags": "",
        "currency": CURRENCY,
        "created_at": created_at,
        "updated_at": created_at,
    }


def _order(
    number: int,
    customer: DemoCustomer | None,
    lines: list[tuple[str, str, int]],
    at: str,
    *,
    pos: bool = False,
) -> dict[str, Any]:
    order_id = 6_210_000_000_000 + number
    items: list[dict[str, Any]] = [
        {
            "id": order_id * 10 + n,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{order_id * 10 + n}",
            "title": title,
            "price": price,
            "price_set": _money(price),
            "quantity": quantity,
            "current_quantity": quantity,
            "gift_card": False,
            "product_id": PRODUCTS.get(title),
            "discount_allocations": [],
        }
        for n, (title, price, quantity) in enumerate(lines)
    ]
    subtotal = sum((Decimal(price) * quantity for _, price, quantity in lines), Decimal(0))
    body: dict[str, Any] = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{number}",
        "order_number": number,
        "email": customer.email if customer else "",
        "created_at": at,
        "processed_at": at,
        "updated_at": at,
        "currency": CURRENCY,
        "presentment_currency": CURRENCY,
        "financial_status": "paid",
        "cancelled_at": None,
        "cancel_reason": None,
        "test": False,
        "source_name": "pos" if pos else "web",
        "location_id": POS_LOCATION if pos else None,
        "subtotal_price": str(subtotal),
        "subtotal_price_set": _money(subtotal),
        "total_price": str(subtotal),
        "total_price_set": _money(subtotal),
        "discount_codes": [],
        "line_items": items,
        "customer": None,
    }
    if customer is not None:
        body["customer"] = {
            "id": customer.id,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer.id}",
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
        }
    return body


def _refund(
    refund_id: int, order: dict[str, Any], *, line: int, quantity: int, at: str
) -> dict[str, Any]:
    item = order["line_items"][line]
    amount = Decimal(item["price"]) * quantity
    return {
        "id": refund_id,
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
        "order_id": order["id"],
        "created_at": at,
        "processed_at": at,
        "note": "returned",
        "restock": True,
        "refund_line_items": [
            {
                "id": refund_id * 10,
                "line_item_id": item["id"],
                "quantity": quantity,
                "restock_type": "return",
                "subtotal": float(amount),
                "subtotal_set": _money(amount),
                "line_item": {"id": item["id"], "gift_card": False, "title": item["title"]},
            }
        ],
    }
