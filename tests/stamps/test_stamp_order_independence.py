"""Invariant 4 for stamps: each order's stamps on each card are a function of its final facts,
whatever order the webhooks arrive in, and a filling's reward is never recorded twice.

Hypothesis writes one or two cards (overlapping on coffee, any size, repeatable or not) and a
member's few orders (paid or not, refunded in parts, cancelled, test) of coffee and cake, turns
them into the webhooks Shopify would send, shuffles them, delivers some twice (refunds before
their orders too), and checks the stamps against a count straight from the final facts. Rewards
depend on the path (a card may fill before a refund or a cancellation arrives), so they are
bounded: at least the fillings the final stamps make, at most those of every paid unit (before
any refund or cancellation), each filling once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from loyalty.core.models import StampEntry, StampReward
from tests.stamps.cards import CAKE, COFFEE, held, make_card
from tests.support.bodies import Line, at, order_body, refund_body
from tests.support.config import EMBEDDED

CUSTOMER = 7001


@dataclass(frozen=True)
class Order:
    order_id: int
    lines: list[Line]
    counts: bool
    paid: bool  # paid and not a test: it may count before a cancellation or refund arrives
    refunded: dict[int, int]  # line id -> units refunded

    def units(self, products: set[int], *, refunds: bool = True) -> int:
        if not (self.counts if refunds else self.paid):
            return 0
        return sum(
            line.quantity - (self.refunded.get(line.id, 0) if refunds else 0)
            for line in self.lines
            if line.product_id in products and not line.gift_card
        )


@dataclass(frozen=True)
class Story:
    cards: list[dict[str, Any]]
    orders: list[Order]
    deliveries: list[tuple[str, dict[str, Any]]]
    repeats: int


seldom = st.sampled_from([False] * 5 + [True])


@st.composite
def stories(draw: st.DrawFn) -> Story:
    cards = [
        {
            "name": f"Card {n}",
            "product_ids": [str(p) for p in products],
            "stamps_required": draw(st.integers(1, 5)),
            "repeatable": draw(st.booleans()),
        }
        for n, products in enumerate(
            draw(st.sampled_from([[[COFFEE]], [[COFFEE], [COFFEE, CAKE]], [[CAKE]]]))
        )
    ]
    orders, sent = [], []
    for k in range(draw(st.integers(1, 4))):
        order_id, minute = 4000 + k, 60 * k
        lines = [
            Line(
                order_id * 10 + n,
                "40.00",
                draw(st.integers(1, 3)),
                gift_card=draw(seldom),
                product_id=draw(st.sampled_from([COFFEE, CAKE])),
            )
            for n in range(draw(st.integers(1, 2)))
        ]
        paid = draw(st.sampled_from([True] * 5 + [False]))
        cancelled, test = draw(seldom), draw(seldom)

        def snapshot(when: int, status: str, gone: bool = False) -> dict[str, Any]:
            body = order_body(
                order_id,  # noqa: B023 - built and used within this iteration
                lines,  # noqa: B023
                customer_id=CUSTOMER,
                financial_status=status,
                cancelled=gone,
                test=test,  # noqa: B023
                updated_at=at(minute + when),  # noqa: B023
            )
            body["created_at"] = body["processed_at"] = at(minute)  # noqa: B023
            return body

        sent.append(("orders/create", snapshot(0, "paid" if paid else "pending")))
        refunded: dict[int, int] = {}
        if paid:
            sent.append(
                (draw(st.sampled_from(["orders/paid", "orders/updated"])), snapshot(1, "paid"))
            )
            for n in range(draw(st.integers(0, 2))):
                line = draw(st.sampled_from(lines))
                left = line.quantity - refunded.get(line.id, 0)
                if left:
                    quantity = draw(st.integers(1, left))
                    refunded[line.id] = refunded.get(line.id, 0) + quantity
                    sent.append(
                        (
                            "refunds/create",
                            refund_body(order_id * 10 + n, order_id, [(line, quantity)]),
                        )
                    )
        if cancelled:
            sent.append(("orders/cancelled", snapshot(5, "refunded" if paid else "voided", True)))
        counts = paid and not cancelled and not test
        orders.append(Order(order_id, lines, counts, paid and not test, refunded))
    twice = draw(st.lists(st.sampled_from(sent), max_size=4))
    deliveries = draw(st.permutations(sent + twice))
    if draw(st.sampled_from([False, False, True])):
        deliveries.sort(key=lambda delivery: delivery[0] != "refunds/create")
    return Story(cards, orders, deliveries, len(twice))


def _fillings(stamps: int, card: dict[str, Any]) -> int:
    filled = stamps // card["stamps_required"]
    return filled if card["repeatable"] else min(filled, 1)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(EMBEDDED, reason="the property runs on PostgreSQL")
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=stories())
def test_stamps_depend_only_on_the_final_facts(rt, new_klubb, story):
    klubb = new_klubb()
    card_ids = [make_card(klubb, **card) for card in story.cards]
    for topic, body in story.deliveries:
        klubb.deliver(topic, body)
    topics = [topic for topic, _ in story.deliveries]
    if topics[0] == "refunds/create":
        event("a refund first")
    if story.repeats:
        event("some deliveries twice")

    for card_id, card in zip(card_ids, story.cards, strict=True):
        products = {int(p) for p in card["product_ids"]}
        with klubb.sessions() as s:
            per_order = dict(
                s.execute(
                    select(StampEntry.order_id, func.sum(StampEntry.stamps))
                    .where(StampEntry.card_id == card_id)
                    .group_by(StampEntry.order_id)
                ).all()
            )
            fills = sorted(
                s.scalars(select(StampReward.fill).where(StampReward.card_id == card_id))
            )
        expected = {o.order_id: o.units(products) for o in story.orders}
        assert {o: per_order.get(o, 0) for o in expected} == expected
        final = sum(expected.values())
        most = sum(o.units(products, refunds=False) for o in story.orders)
        if final or most:
            stamps, rewards = held(klubb, card_id, CUSTOMER)
            assert stamps == final
            assert _fillings(final, card) <= rewards <= _fillings(most, card)
            assert fills == list(range(1, rewards + 1))  # each filling once
            if rewards:
                event("a reward")
            if rewards > _fillings(final, card):
                event("a card in debt")
