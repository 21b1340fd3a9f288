"""Signed webhooks whose bodies hold odd values are finished by the worker, never failed forever
(issue #15, items 5, 7 and 8).

An id that is no id (``"²"``, beyond BIGINT) reads as absent, the way a missing one does
(``loyalty.core.ids``); only a body without its own id cannot be processed, and it is recorded
as rejected once instead of failing on every retry. Text PostgreSQL cannot store (a NUL, a lone
surrogate) is kept with U+FFFD in its place: nobody can send Shopify's data back corrected.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import EventStatus, Member, OrderRecord, Shop, WebhookEvent
from tests.support.bodies import Line, customer_body, order_body, refund_body
from tests.support.jobs import drain

LINE = Line(id=1, price="500.00", quantity=1)
NOT_IDS: list[Any] = [
    "²",
    "\u0661\u0662",
    "0",
    -5,
    True,
    2**63,
    2**70,
    "9223372036854775808",
    {},
    [],
]


def events(rt: Any) -> list[tuple[str, str, str | None]]:
    with rt.sessions() as s:
        rows = s.scalars(select(WebhookEvent).order_by(WebhookEvent.id))
        return [(e.topic, e.status, e.error) for e in rows]


def test_an_order_whose_customer_id_is_no_id_is_a_guests_order(app, rt, shop, post_webhook):
    for n, customer_id in enumerate(NOT_IDS, start=1):
        body = order_body(1000 + n, [LINE])
        body["customer"]["id"] = customer_id
        assert post_webhook("orders/paid", body).status_code == 200

    drain(app)  # raises if a job failed

    assert {status for _, status, _ in events(rt)} == {EventStatus.PROCESSED}
    with rt.sessions() as s:
        orders = s.scalars(select(OrderRecord)).all()
        assert len(orders) == len(NOT_IDS)
        assert all(order.member_id is None for order in orders)
        assert s.scalars(select(Member)).all() == []


@pytest.mark.parametrize(
    ("topic", "body"),
    [
        ("orders/paid", {**order_body(1001, [LINE]), "id": "²"}),
        ("orders/paid", {**order_body(1001, [LINE]), "id": 2**70}),
        ("refunds/create", {**refund_body(2001, 1001, [(LINE, 1)]), "order_id": "²"}),
        ("refunds/create", {**refund_body(2001, 1001, [(LINE, 1)]), "id": 2**63}),
        ("customers/create", customer_body("9223372036854775808")),  # type: ignore[arg-type]
    ],
)
def test_a_body_whose_own_id_is_no_id_is_rejected_once_not_retried(
    app, rt, shop, post_webhook, topic, body
):
    assert post_webhook(topic, body).status_code == 200

    drain(app)  # a failure would raise; a rejected event is not a failure

    [(_, status, error)] = events(rt)
    assert status == EventStatus.REJECTED
    assert error is not None and error.startswith("ValidationError")
    assert rt.queue("webhooks").scheduled_job_registry.get_job_ids() == []  # no retry waits


@pytest.mark.parametrize("text", ["Kari\u0000", "Kari\ud800"])
def test_text_that_cannot_be_stored_is_kept_with_a_replacement_character(
    app, rt, shop, post_webhook, text
):
    body = customer_body(7001, first_name=text, last_name="Nord\u0000mann", note="\u0000")
    assert post_webhook("customers/create", body).status_code == 200
    order = order_body(1001, [LINE], customer_id=7001)
    order["name"] = "#1001\u0000"
    assert post_webhook("orders/paid", order).status_code == 200

    drain(app)

    assert {status for _, status, _ in events(rt)} == {EventStatus.PROCESSED}
    with rt.sessions() as s:
        member = s.scalars(select(Member)).one()
        assert (member.first_name, member.last_name) == ("Kari\ufffd", "Nord\ufffdmann")
        assert s.scalars(select(OrderRecord.order_name)).one() == "#1001\ufffd"


def test_a_shop_update_whose_id_is_no_id_keeps_the_shops_id(app, rt, shop, post_webhook):
    for shop_id in ("²", True, 2**70):
        body = {"id": shop_id, "name": "Renamed\u0000", "currency": "EUR"}
        assert post_webhook("shop/update", body).status_code == 200

    drain(app)

    assert {status for _, status, _ in events(rt)} == {EventStatus.PROCESSED}
    with rt.sessions() as s:
        row = s.scalars(select(Shop)).one()
        assert (row.name, row.currency, row.shopify_shop_id) == ("Renamed\ufffd", "EUR", None)
