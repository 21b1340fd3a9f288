"""Duplicates and retries change nothing; concurrent settlements of one order post once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from loyalty.core.models import LedgerKind, OrderRefund
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.points.orders import SettlementConflict
from tests.support.bodies import Line, at, customer_body, order_body, refund_body
from tests.support.config import EMBEDDED

SHOES = Line(11, "100.00")
SOCKS = Line(12, "25.00", quantity=2)


def _state(klubb):
    rollups = {
        d: (r.member_orders, r.member_revenue, r.points_issued, r.new_members)
        for d, r in klubb.rollups().items()
    }
    return klubb.entries(), klubb.balance(7001), rollups


@pytest.mark.embedded
def test_every_body_delivered_twice_changes_nothing_the_second_time(klubb):
    bodies = [
        (klubb.customer, customer_body(7001)),
        (klubb.order, order_body(1, [SHOES, SOCKS], updated_at=at(1))),
        (klubb.refund, refund_body(501, 1, [(SOCKS, 1)])),
        (klubb.order, order_body(1, [SHOES, SOCKS], cancelled=True, updated_at=at(2))),
    ]
    for apply, body in bodies:
        apply(body)
        before = _state(klubb)
        apply(body)
        assert _state(klubb) == before
    with klubb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OrderRefund)) == 1
    assert klubb.drift() == []


@pytest.mark.embedded
def test_the_unique_source_key_backstops_a_settlement_that_raced(klubb):
    """If another writer took the order's next key, settling refuses and the job retries."""
    member = klubb.join(7001)
    with klubb.sessions.begin() as s:
        post(
            s,
            shop_id=klubb.shop_id,
            member_id=member.id,
            points=1,
            kind=LedgerKind.ADJUST,
            source_key="order:1:0",
            reason=reasons.staff_adjustment("takes the order's key"),
        )
    with pytest.raises(SettlementConflict):
        klubb.order(order_body(1, [SHOES]))
    assert klubb.record(1) is None  # the whole settlement rolled back
    assert klubb.balance(7001) == 101


def _together(*calls: Callable[[], object]) -> list[BaseException]:
    """Run the calls in threads released at the same moment; the errors they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as error:  # reported to the test, which fails on it
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


postgres_only = pytest.mark.skipif(EMBEDDED, reason="concurrent writers need PostgreSQL")


@postgres_only
@pytest.mark.postgres
def test_two_workers_settling_the_same_order_post_once(klubb):
    klubb.join(7001)
    for order_id in range(1, 21):
        klubb.order(order_body(order_id, [SHOES], financial_status="pending"))
        paid = order_body(order_id, [SHOES], updated_at=at(1))
        assert _together(lambda b=paid: klubb.order(b), lambda b=paid: klubb.order(b)) == []
    assert klubb.entries(7001) == [("bonus", 100)] + [("earn", 100)] * 20
    assert klubb.drift() == []


@postgres_only
@pytest.mark.postgres
def test_a_payment_and_a_refund_settling_at_once_end_right(klubb):
    klubb.join(7001)
    for order_id in range(1, 11):
        klubb.order(order_body(order_id, [SHOES, SOCKS], financial_status="pending"))
        paid = order_body(order_id, [SHOES, SOCKS], updated_at=at(1))
        refund = refund_body(500 + order_id, order_id, [(SOCKS, 2)])
        assert _together(lambda b=paid: klubb.order(b), lambda b=refund: klubb.refund(b)) == []
        assert klubb.record(order_id).points_owed == 100
    assert klubb.balance(7001) == 100 + 10 * 100
    assert klubb.drift() == []


@postgres_only
@pytest.mark.postgres
def test_a_new_customers_first_orders_at_once_enrol_them_once(klubb):
    for customer_id in range(7001, 7011):
        first = order_body(customer_id, [SHOES], customer_id=customer_id)
        second = order_body(customer_id + 100_000, [SHOES], customer_id=customer_id)
        calls = (
            lambda b=first: klubb.order(b),
            lambda b=second: klubb.order(b),
            lambda c=customer_id: klubb.customer(customer_body(c)),
        )
        assert _together(*calls) == []
        assert klubb.entries(customer_id) == [("bonus", 100), ("earn", 100), ("earn", 100)]
    assert klubb.drift() == []
