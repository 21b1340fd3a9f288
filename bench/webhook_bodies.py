"""Webhook deliveries as Shopify signs them, and the order bodies the benchmarks post."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import SECRET, SHOP


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def webhook_headers(topic: str, event_id: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Hmac-Sha256": sign(body),
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": event_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        "X-Shopify-API-Version": "2026-01",
    }


def order_body(order_id: int, customer_id: int, amount: int) -> dict[str, Any]:
    """A paid online order of one line, ``amount`` NOK, no shipping or tax (earns ``amount``)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    price = f"{amount}.00"
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "currency": "NOK",
        "financial_status": "paid",
        "subtotal_price": price,
        "subtotal_price_set": {"shop_money": {"amount": price, "currency_code": "NOK"}},
        "total_price": price,
        "line_items": [{"id": order_id * 10, "price": price, "quantity": 1, "gift_card": False}],
        "refunds": [],
        "discount_codes": [],
        "customer": {
            "id": customer_id,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        },
        "created_at": now.isoformat(),
        "processed_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "test": False,
        "source_name": "web",
    }


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
