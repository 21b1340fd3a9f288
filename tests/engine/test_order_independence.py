"""Invariant 4: an order's points are a function of its final facts, whatever the delivery order.

Hypothesis writes an order's life (lines, edits, payment or not, partial and full refunds,
cancellation, test, guest, a customers/create for its customer), turns it into the webhooks
Shopify would send, shuffles them, delivers some twice, and checks the member's balance against
points computed straight from the final facts. Each example gets a shop of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from loyalty.core.money import exponent, shop_money
from tests.support.bodies import Line, at, customer_body, order_body, refund_body
from tests.support.config import EMBEDDED

ORDER, CUSTOMER, BONUS = 4242, 7001, 100


@dataclass(frozen=True)
class Story:
    """One order's life, and the deliveries it causes."""

    currency: str
    rate: Decimal
    guest: bool
    test: bool
    paid: bool
    cancelled: bool
    final_lines: list[Line]
    refunds: list[dict[str, Any]]
    deliveries: list[tuple[str, dict[str, Any]]]
    repeats: int


sometimes = st.sampled_from([False, False, False, True])
seldom = st.sampled_from([False] * 7 + [True])


@st.composite
def lines(draw: st.DrawFn, currency: str, first_id: int, count: int) -> list[Line]:
    unit = Decimal(1).scaleb(-exponent(currency))
    drawn = []
    for n in range(count):
        price = draw(st.integers(10 ** exponent(currency), 3000 * 10 ** exponent(currency)))
        quantity = draw(st.integers(1, 3))
        discount = draw(st.sampled_from([0, 0, price * quantity // 10, price * quantity // 3]))
        drawn.append(
            Line(
                first_id + n,
                str(price * unit),
                quantity,
                gift_card=draw(st.sampled_from([False, False, False, True])),
                discount=str(discount * unit),
            )
        )
    return drawn


@st.composite
def stories(draw: st.DrawFn) -> Story:
    currency = draw(st.sampled_from(["NOK", "JPY", "KWD"]))
    base = draw(lines(currency, 100, draw(st.integers(1, 3))))
    edits = draw(lines(currency, 200, draw(st.integers(0, 2))))
    final = base + edits
    status = draw(st.sampled_from(["paid"] * 6 + ["pending", "authorized", "partially_paid"]))
    paid = status == "paid"
    cancelled, guest, test = (draw(rarely) for rarely in (sometimes, seldom, seldom))
    customer = None if guest else CUSTOMER

    def snapshot(when: int, lines: list[Line], status: str, cancelled: bool = False) -> dict:
        return order_body(
            ORDER,
            lines,
            customer_id=customer,
            financial_status=status,
            cancelled=cancelled,
            test=test,
            updated_at=at(when),
            currency=currency,
        )

    early = "pending" if paid else status
    sent: list[tuple[str, dict]] = [("orders/create", snapshot(0, base, early))]
    for n in range(len(edits)):
        sent.append(("orders/updated", snapshot(1 + n, base + edits[: n + 1], early)))
    now = len(edits) + 1
    refunds = []
    if paid:
        body = snapshot(now, final, "paid")
        sent += [("orders/paid", body)] * draw(st.integers(0, 1)) + [("orders/updated", body)]
        left = {line.id: line.quantity for line in final}
        for n in range(draw(st.integers(0, 3))):
            now += 1
            refunded = []
            for line in draw(st.lists(st.sampled_from(final), min_size=1, unique=True)):
                if left[line.id]:
                    quantity = draw(st.integers(1, left[line.id]))
                    left[line.id] -= quantity
                    refunded.append((line, quantity))
            if refunded:
                embed = draw(st.booleans())
                refund = refund_body(
                    900 + n, ORDER, refunded, currency=currency, embed_line_item=embed
                )
                refunds.append(refund)
                state = "partially_refunded" if any(left.values()) else "refunded"
                sent += [
                    ("refunds/create", refund),
                    ("orders/updated", snapshot(now, final, state)),
                ]
    if cancelled:
        body = snapshot(now + 1, final, sent[-1][1]["financial_status"] if paid else "voided", True)
        sent += [("orders/cancelled", body)] * draw(st.integers(0, 1)) + [("orders/updated", body)]
    if not guest and draw(st.booleans()):
        sent.append(("customers/create", customer_body(CUSTOMER, updated_at=at(0))))
    twice = draw(st.lists(st.sampled_from(sent), max_size=4))
    deliveries = draw(st.permutations(sent + twice))
    if draw(sometimes):  # refunds first: a shuffle alone rarely puts them before every order body
        deliveries.sort(key=lambda delivery: delivery[0] != "refunds/create")
    return Story(
        currency=currency,
        rate=draw(st.sampled_from([Decimal(1), Decimal("0.5"), Decimal("2.5"), Decimal("0.01")])),
        guest=guest,
        test=test,
        paid=paid,
        cancelled=cancelled,
        final_lines=final,
        refunds=refunds,
        deliveries=deliveries,
        repeats=len(twice),
    )


def net_merchandise(story: Story) -> Fraction:
    """Paid subtotal minus refunded subtotal, gift cards left out, from the final facts."""
    gift_cards = {line.id for line in story.final_lines if line.gift_card}
    paid = sum(Fraction(line.net()) for line in story.final_lines if not line.gift_card)
    refunded = sum(
        Fraction(shop_money(item, "subtotal")[0])
        for refund in story.refunds
        for item in refund["refund_line_items"]
        if item["line_item_id"] not in gift_cards
    )
    return paid - refunded


def expected_points(story: Story) -> int:
    """DESIGN.md's rule, computed here on its own from the final facts."""
    if story.guest or story.test or not story.paid or story.cancelled:
        return 0
    return max(0, math.floor(Fraction(story.rate) * net_merchandise(story)))


def _label(story: Story) -> None:
    """Name the cases this example covers (``--hypothesis-show-statistics`` counts them)."""
    topics = [topic for topic, _ in story.deliveries]
    first = {t: topics.index(t) for t in set(topics)}
    order_first = min(i for t, i in first.items() if t.startswith("orders/"))
    if first.get("refunds/create", len(topics)) < order_first:
        event("a refund before its order")
    if first.get("customers/create", -1) > order_first:
        event("an order before its customer")
    if story.repeats:
        event("some deliveries twice")
    event(f"earns: {'yes' if expected_points(story) else 'no'}")


@pytest.mark.postgres
@pytest.mark.skipif(EMBEDDED, reason="the property runs on PostgreSQL")
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=stories())
def test_final_points_depend_only_on_the_final_facts(rt, new_klubb, story):
    klubb = new_klubb(currency=story.currency, earn_rate=story.rate)
    for topic, body in story.deliveries:
        klubb.deliver(topic, body)
    _label(story)

    points = expected_points(story)
    assert klubb.record(ORDER).points_owed == points
    if story.guest:
        assert klubb.member(CUSTOMER) is None
        assert klubb.entries() == []
    else:
        assert klubb.balance(CUSTOMER) == BONUS + points
        assert klubb.balance(CUSTOMER) == sum(p for _, p in klubb.entries(CUSTOMER))
    assert klubb.drift() == []

    counted = story.paid and not story.cancelled and not story.test
    day = klubb.rollups().get(date(2026, 3, 2))  # the day the bodies place the order
    orders = 0 if day is None else day.member_orders + day.guest_orders
    revenue = 0 if day is None else day.member_revenue + day.guest_revenue
    assert (orders, Fraction(revenue)) == ((1, net_merchandise(story)) if counted else (0, 0))
