"""Paid orders posted through ``POST /webhooks``, and what they should leave behind."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.core.models import WebhookEvent
from tests.support.bodies import Line, order_body

CUSTOMERS = [820982911946154600 + n for n in range(3)]


def post_orders(post_webhook, count: int, first_id: int = 5000) -> dict[int, int]:
    """``count`` paid orders over the customers; what each customer should hold after."""
    expected = {c: 100 for c in CUSTOMERS}  # the signup bonus of a first order
    for n in range(count):
        customer = CUSTOMERS[n % len(CUSTOMERS)]
        amount = 100 + n
        body = order_body(first_id + n, [Line(first_id + n, f"{amount}.00")], customer_id=customer)
        response = post_webhook("orders/paid", body, event_id=f"evt-batch-{first_id + n}")
        assert response.get_json() == {"status": "accepted"}
        expected[customer] += amount
    return expected


def statuses(rt) -> set[str]:
    with rt.sessions() as s:
        return set(s.scalars(select(WebhookEvent.status)))
