"""The stamp rules in-process: a stamp per unit of a matching paid line, what earns none,
refunds, rewards once per filling, debt, overlapping cards, collections decided when the order
is recorded, cards that are not running."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loyalty.club.stamp_catalog import collection_deleted, product_deleted
from loyalty.club.stamp_ledger import shown_stamps
from loyalty.core.models import MemberStatus
from tests.stamps.cards import BEANS, CAKE, COFFEE, held, make_card, put_in_collection, set_status
from tests.support.bodies import T0, Line, at, order_body, refund_body

pytestmark = pytest.mark.embedded


def coffee(line_id: int, quantity: int = 1, **kw) -> Line:
    return Line(line_id, "45.00", quantity, product_id=COFFEE, **kw)


def test_one_stamp_per_unit_of_a_matching_paid_line(klubb):
    card = make_card(klubb)
    klubb.order(order_body(1, [coffee(11, 3), Line(12, "60.00", 2, product_id=CAKE)]))
    assert held(klubb, card) == (3, 0)


def test_unpaid_test_cancelled_and_gift_card_lines_earn_none(klubb):
    card = make_card(klubb)
    klubb.order(order_body(1, [coffee(11, 2)], financial_status="pending"))
    klubb.order(order_body(2, [coffee(21, 2)], test=True))
    klubb.order(order_body(3, [coffee(31, 2)], cancelled=True))
    klubb.order(order_body(4, [coffee(41, 2, gift_card=True)]))
    assert held(klubb, card) == (0, 0)


def test_a_cancellation_after_payment_takes_the_stamps_back(klubb):
    card = make_card(klubb)
    klubb.order(order_body(1, [coffee(11, 2)], updated_at=at(1)))
    klubb.order(order_body(1, [coffee(11, 2)], cancelled=True, updated_at=at(2)))
    assert held(klubb, card) == (0, 0)


def test_restricted_members_earn_no_stamps(klubb):
    card = make_card(klubb)
    klubb.join(7001)
    set_status(klubb, 7001, MemberStatus.RESTRICTED)
    klubb.order(order_body(1, [coffee(11, 2)]))
    assert held(klubb, card) == (0, 0)


def test_a_refund_removes_the_stamps_of_its_units_whenever_it_arrives(klubb):
    card = make_card(klubb)
    line = coffee(11, 3)
    klubb.refund(refund_body(91, 1, [(line, 2)]))  # before its order
    klubb.order(order_body(1, [line]))
    assert held(klubb, card) == (1, 0)
    klubb.refund(refund_body(91, 1, [(line, 2)]))  # again: nothing more
    assert held(klubb, card) == (1, 0)


def test_a_full_card_gives_its_reward_once_and_starts_again(klubb):
    card = make_card(klubb, stamps_required=4)
    klubb.order(order_body(1, [coffee(11, 3)]))
    klubb.order(order_body(2, [coffee(21, 2)]))
    klubb.order(order_body(2, [coffee(21, 2)]))  # a duplicate
    assert held(klubb, card) == (5, 1)
    assert shown_stamps(5, 1, 4, True) == 1
    klubb.order(order_body(3, [coffee(31, 4)]))
    assert held(klubb, card) == (9, 2)


def test_a_card_that_is_not_repeatable_gives_one_reward(klubb):
    card = make_card(klubb, stamps_required=2, repeatable=False)
    klubb.order(order_body(1, [coffee(11, 5)]))
    assert held(klubb, card) == (5, 1)
    assert shown_stamps(5, 1, 2, False) == 2


def test_a_refund_after_the_reward_leaves_it_and_puts_the_card_in_debt(klubb):
    card = make_card(klubb, stamps_required=3)
    line = coffee(11, 3)
    klubb.order(order_body(1, [line]))
    assert held(klubb, card) == (3, 1)
    klubb.refund(refund_body(91, 1, [(line, 2)]))
    assert held(klubb, card) == (1, 1)
    assert shown_stamps(1, 1, 3, True) == 0  # never negative to the shopper
    klubb.order(order_body(2, [coffee(21, 2)]))  # pays the debt back
    assert held(klubb, card) == (3, 1)
    assert shown_stamps(3, 1, 3, True) == 0
    klubb.order(order_body(3, [coffee(31, 1)]))
    assert shown_stamps(4, 1, 3, True) == 1


def test_overlapping_cards_each_count(klubb):
    first = make_card(klubb)
    second = make_card(klubb, name="Everything", product_ids=[str(COFFEE), str(CAKE)])
    klubb.order(order_body(1, [coffee(11, 2), Line(12, "60.00", 1, product_id=CAKE)]))
    assert held(klubb, first) == (2, 0)
    assert held(klubb, second) == (3, 0)


def test_pos_orders_count_like_online_ones(klubb):
    card = make_card(klubb)
    klubb.order(order_body(1, [coffee(11, 2)], source_name="pos", location_id=77))
    assert held(klubb, card) == (2, 0)


def test_collections_are_decided_when_the_order_is_recorded(klubb):
    card = make_card(klubb, product_ids=[], collection_ids=["900"])
    put_in_collection(klubb, 900, BEANS)
    line = Line(11, "120.00", 2, product_id=BEANS)
    klubb.order(order_body(1, [line], financial_status="pending", updated_at=at(1)))
    collection_deleted(klubb.sessions, klubb.shop_id, 900)  # later changes change nothing
    klubb.order(order_body(1, [line], updated_at=at(2)))
    assert held(klubb, card) == (2, 0)
    klubb.order(order_body(2, [Line(21, "120.00", 1, product_id=BEANS)]))
    assert held(klubb, card) == (2, 0)  # the card is paused now


def test_a_deleted_product_pauses_its_card(klubb):
    card = make_card(klubb)
    assert product_deleted(klubb.sessions, klubb.shop_id, COFFEE) == [card]
    klubb.order(order_body(1, [coffee(11, 2)]))
    assert held(klubb, card) == (0, 0)


def test_a_card_counts_only_orders_placed_while_it_runs(klubb):
    card = make_card(
        klubb,
        starts_at=(T0 + timedelta(hours=1)).isoformat(),
        ends_at=(T0 + timedelta(hours=2)).isoformat(),
    )
    klubb.order(order_body(1, [coffee(11)]))  # placed at T0: before the start
    late = order_body(2, [coffee(21)])
    late["created_at"] = late["processed_at"] = at(90)
    klubb.order(late)
    after = order_body(3, [coffee(31)])
    after["created_at"] = after["processed_at"] = at(150)
    klubb.order(after)
    assert held(klubb, card) == (1, 0)
