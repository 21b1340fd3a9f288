"""The welcome code, once per member, whichever way they join: customers/create, a first order,
or the widget's join (signed app proxy) — and never for a member who joined before."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from loyalty.core.models import EventStatus, Member, ProgramSettings, WebhookEvent
from loyalty.core.types import utcnow
from tests.support.bodies import Line, customer_body, order_body
from tests.support.jobs import drain
from tests.worker.helpers import CUSTOMER
from webhooks.process import process_event

GID = f"gid://shopify/Customer/{CUSTOMER}"


def welcome_discounts(fake_shop):
    return [d for d in fake_shop.discounts.values() if "Klubb welcome #" in d.title]


def member_id_of(rt, customer_id=CUSTOMER):
    with rt.sessions() as s:
        return s.scalar(select(Member.id).where(Member.customer_id == customer_id))


def settings(rt, shop_id, **values):
    with rt.sessions.begin() as s:
        s.execute(
            update(ProgramSettings).where(ProgramSettings.shop_id == shop_id).values(**values)
        )


def join(proxy, customer_id=CUSTOMER):
    return proxy(
        "POST",
        "/proxy/api/join",
        customer_id=customer_id,
        json={},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


@pytest.mark.embedded
def test_a_first_order_that_enrols_the_customer_gives_one_welcome_code(deliver, fake_shop, rt):
    deliver("orders/paid", order_body(6201, [Line(1, "100.00")], customer_id=CUSTOMER))

    [discount] = welcome_discounts(fake_shop)
    assert discount.customer_ids == [GID] and discount.usage_limit == 1
    assert discount.title.endswith(f"(Klubb welcome #{member_id_of(rt)})")
    # The customer's own webhook comes late, and a second order: still one code.
    deliver("customers/create", customer_body(CUSTOMER))
    deliver("orders/paid", order_body(6202, [Line(2, "50.00")], customer_id=CUSTOMER))
    assert len(welcome_discounts(fake_shop)) == 1


def test_create_and_first_order_together_make_one_code(deliver, fake_shop, app):
    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    deliver("orders/paid", order_body(6203, [Line(1, "100.00")], customer_id=CUSTOMER))
    drain(app)
    assert len(welcome_discounts(fake_shop)) == 1


def test_an_order_redelivered_after_a_crash_still_queues_the_code(deliver, fake_shop, rt, app):
    """The job enrolled the customer, then died before queueing: its re-run queues the code."""
    body = order_body(6204, [Line(1, "100.00")], customer_id=CUSTOMER)
    deliver("orders/paid", body, event_id="evt-order-6204", drain_jobs=False)
    drain(app, ["webhooks"])
    rt.queue("shopify").empty()  # the welcome and balance jobs were lost
    with rt.sessions.begin() as s:  # as if the job died before marking the event processed
        s.execute(update(WebhookEvent).values(status=EventStatus.ENQUEUED, processed_at=None))
        event_id = s.scalar(select(WebhookEvent.id))

    assert process_event(event_id) == "processed"  # what the sweeper's re-enqueue runs
    drain(app)
    assert len(welcome_discounts(fake_shop)) == 1


def test_a_member_who_joined_before_gets_no_code_from_an_order(deliver, fake_shop, rt, shop_id):
    """An older member (say, from the install's backfill) placing an order is not welcomed."""
    with rt.sessions.begin() as s:
        s.add(Member(shop_id=shop_id, customer_id=CUSTOMER, joined_at=utcnow() - timedelta(days=9)))
    deliver("orders/paid", order_body(6205, [Line(1, "100.00")], customer_id=CUSTOMER))
    assert welcome_discounts(fake_shop) == []


@pytest.mark.embedded
def test_joining_in_the_widget_gives_one_welcome_code(proxy, fake_shop, rt, app, shop_id):
    settings(rt, shop_id, auto_enrol=False)
    assert join(proxy).status_code == 200
    assert join(proxy).status_code == 200  # a second join (another key) enrols nobody
    drain(app)

    [discount] = welcome_discounts(fake_shop)
    assert discount.customer_ids == [GID]
    assert discount.title.endswith(f"(Klubb welcome #{member_id_of(rt)})")
    field = fake_shop.metafield(GID, "$app:loyalty", "points")
    assert field is not None and field.value == "100"  # the signup bonus, in Shopify too


def test_joining_after_the_order_enrolled_them_makes_no_second_code(deliver, proxy, fake_shop, app):
    deliver("orders/paid", order_body(6206, [Line(1, "100.00")], customer_id=CUSTOMER))
    assert join(proxy).status_code == 200
    drain(app)
    assert len(welcome_discounts(fake_shop)) == 1


def test_no_code_through_the_widget_when_the_shop_gives_none(proxy, fake_shop, rt, app, shop_id):
    settings(rt, shop_id, auto_enrol=False, welcome_discount_percent=0)
    assert join(proxy).status_code == 200
    drain(app)
    assert welcome_discounts(fake_shop) == []
