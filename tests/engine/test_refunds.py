"""Refunds claw back what the refunded merchandise earned, whenever they arrive."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.bodies import Line, at, order_body, refund_body

pytestmark = pytest.mark.embedded

SHOES = Line(11, "100.00")
SOCKS = Line(12, "25.00", quantity=2)
GIFT = Line(13, "50.00", gift_card=True)


def test_a_partial_refund_takes_back_its_share(klubb):
    klubb.order(order_body(1, [SHOES, SOCKS]))
    klubb.refund(refund_body(501, 1, [(SOCKS, 1)]))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 150), ("refund", -25)]
    assert klubb.record(1).refunded_subtotal == Decimal(25)


def test_a_full_refund_takes_back_everything(klubb):
    klubb.order(order_body(1, [SHOES, SOCKS]))
    klubb.refund(refund_body(501, 1, [(SHOES, 1)]))
    klubb.refund(refund_body(502, 1, [(SOCKS, 2)]))
    assert klubb.balance(7001) == 100
    assert klubb.record(1).points_owed == 0


def test_points_are_floored_on_the_net_not_per_refund(klubb):
    cheap = Line(14, "0.50")
    klubb.order(order_body(1, [SHOES, cheap]))  # 100.50 earns 100
    klubb.refund(refund_body(501, 1, [(cheap, 1)]))  # 100.00 still earns 100
    assert [p for k, p in klubb.entries(7001)] == [100, 100]
    klubb.order(order_body(2, [SHOES]))
    klubb.refund(refund_body(502, 2, [(cheap, 1)]))  # 99.50 earns 99
    assert klubb.entries(7001)[-1] == ("refund", -1)


def test_refunded_gift_cards_take_nothing_back(klubb):
    klubb.order(order_body(1, [SHOES, GIFT]))
    klubb.refund(refund_body(501, 1, [(GIFT, 1)]))
    assert klubb.balance(7001) == 200


def test_a_refund_before_its_order_is_counted_when_the_order_arrives(klubb):
    klubb.refund(refund_body(501, 1, [(SOCKS, 1)]))
    assert klubb.entries() == []
    klubb.order(order_body(1, [SHOES, SOCKS]))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 125)]


@pytest.mark.parametrize("line", [GIFT, SOCKS], ids=["gift card", "merchandise"])
def test_a_refund_line_without_its_line_item_is_decided_by_the_order(klubb, line):
    """Before the order arrives nobody knows whether the line was a gift card."""
    klubb.refund(refund_body(501, 1, [(line, 1)], embed_line_item=False))
    klubb.order(order_body(1, [SHOES, SOCKS, GIFT]))
    expected = 150 if line.gift_card else 125
    assert klubb.balance(7001) == 100 + expected


def test_a_refund_line_without_its_line_item_after_the_order(klubb):
    klubb.order(order_body(1, [SHOES, GIFT]))
    klubb.refund(refund_body(501, 1, [(GIFT, 1), (SHOES, 1)], embed_line_item=False))
    assert klubb.balance(7001) == 100


def test_refunds_beyond_the_subtotal_never_push_an_order_below_zero(klubb):
    klubb.order(order_body(1, [Line(11, "10.00")]))
    klubb.refund(refund_body(501, 1, [(SHOES, 1)]))
    assert klubb.record(1).points_owed == 0
    assert klubb.balance(7001) == 100


def test_a_refund_after_cancellation_changes_nothing_more(klubb):
    klubb.order(order_body(1, [SHOES], updated_at=at(1)))
    klubb.order(order_body(1, [SHOES], cancelled=True, updated_at=at(2)))
    klubb.refund(refund_body(501, 1, [(SHOES, 1)]))
    assert klubb.entries(7001) == [("bonus", 100), ("earn", 100), ("cancel", -100)]


def test_a_balance_may_go_negative_after_spent_points_are_refunded(klubb):
    from loyalty.core.models import LedgerKind
    from loyalty.points import reasons
    from loyalty.points.ledger import post

    klubb.order(order_body(1, [SHOES]))
    member = klubb.member(7001)
    with klubb.sessions.begin() as s:
        post(
            s,
            shop_id=klubb.shop_id,
            member_id=member.id,
            points=-200,
            kind=LedgerKind.REDEEM,
            source_key="redeem:1",
            reason=reasons.reward(1),
        )
    klubb.refund(refund_body(501, 1, [(SHOES, 1)]))
    assert klubb.balance(7001) == -100
    assert klubb.drift() == []


def test_a_refund_with_unreadable_amounts_counts_them_as_zero(klubb):
    klubb.order(order_body(1, [SHOES, SOCKS]))
    body = refund_body(501, 1, [(SOCKS, 1), (SHOES, 1)])
    body["refund_line_items"][1].update(subtotal_set=None, subtotal="??")
    body["refund_line_items"].append("not a line")
    klubb.refund(body)
    assert klubb.balance(7001) == 100 + 125
