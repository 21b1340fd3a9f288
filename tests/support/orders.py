"""Paid orders posted through ``POST /webhooks``, and what they should leave behind.

The earning rule at the default settings (DESIGN.md): a customer's first order enrols them with
the signup bonus (100 points), and each paid order earns a point per whole krone of its paid
subtotal. The orders here have whole amounts, so an order of 123.00 earns 123 points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from loyalty.core.models import WebhookEvent
from tests.support.bodies import Line, order_body
from tests.support.http import bearer
from tests.support.shops import SHOP

CUSTOMERS = [820982911946154600 + n for n in range(3)]
SIGNUP_BONUS = 100


def post_orders(post_webhook, count: int, first_id: int = 5000) -> dict[int, int]:
    """``count`` paid orders over the customers; what each customer should hold after."""
    expected = {c: SIGNUP_BONUS for c in CUSTOMERS}  # the signup bonus of a first order
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


@dataclass
class OrderBurst:
    """Paid orders over :data:`CUSTOMERS` through ``POST /webhooks``, delivered as Shopify
    delivers them: a delivery the intake does not accept (a 503 while the database is away) is
    kept and delivered again by :meth:`redeliver`, as Shopify retries it. :attr:`expected` is
    what each customer must hold by the rule, from the orders accepted so far."""

    post_webhook: Callable[..., Any]
    next_order: int = 5000
    expected: dict[int, int] = field(default_factory=dict)
    refused: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)

    def send(self, count: int) -> list[int]:
        """Deliver ``count`` new orders once each; the intake's answers (HTTP statuses)."""
        answers = []
        for _ in range(count):
            order_id, self.next_order = self.next_order, self.next_order + 1
            customer = CUSTOMERS[order_id % len(CUSTOMERS)]
            amount = 100 + order_id % 97
            body = order_body(order_id, [Line(order_id, f"{amount}.00")], customer_id=customer)
            answers.append(self._deliver(order_id, customer, body))
        return answers

    def redeliver(self) -> list[int]:
        """Deliver again each delivery not accepted yet, once; the intake's answers."""
        waiting, self.refused = self.refused, []
        return [self._deliver(order_id, customer, body) for order_id, customer, body in waiting]

    def _deliver(self, order_id: int, customer: int, body: dict[str, Any]) -> int:
        response = self.post_webhook("orders/paid", body, event_id=f"evt-burst-{order_id}")
        if response.status_code != 200:
            self.refused.append((order_id, customer, body))
            return int(response.status_code)
        amount = int(body["line_items"][0]["price"].split(".")[0])
        self.expected[customer] = self.expected.get(customer, SIGNUP_BONUS) + amount
        return 200

    def balances(self, client: Any) -> dict[int, int | None]:
        """Each customer's balance as the admin's API shows it (None: no such member yet)."""
        found: dict[int, int | None] = {}
        for customer in self.expected:
            response = client.get(f"/api/members/{customer}", headers=bearer(SHOP))
            found[customer] = (
                int(response.get_json()["points_balance"]) if response.status_code == 200 else None
            )
        return found

    def balances_follow_the_rule(self, client: Any) -> bool:
        """Whether every customer holds what the rule says, as the admin's API shows it."""
        return self.balances(client) == self.expected
