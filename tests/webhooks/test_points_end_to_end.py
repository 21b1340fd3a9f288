"""The real path: Shopify's sender posts signed webhooks, a worker runs, the admin API shows it.

Shopify (the fake) → ``POST /webhooks`` on the served app → RQ → the points engine → read back
through ``GET /api/members/{id}`` with a session token, as the embedded admin reads it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.models import OrderRecord
from tests.support.bodies import Line, customer_body, order_body, refund_body
from tests.support.shops import SHOP

CUSTOMER = 820982911946154500


@pytest.fixture
def admin_get(client, fake_shopify):
    def get(path):
        token = fake_shopify.session_token(SHOP)
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    return get


def member(admin_get):
    response = admin_get(f"/api/members/{CUSTOMER}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.embedded
def test_a_customer_joins_buys_and_the_admin_sees_the_points(deliver, admin_get):
    deliver("customers/create", customer_body(CUSTOMER))
    assert member(admin_get)["points_balance"] == 100  # signup bonus
    order = order_body(5001, [Line(1, "499.00")], customer_id=CUSTOMER)
    order["name"] = "#1001"
    deliver("orders/paid", order)
    body = member(admin_get)
    assert body["customer_id"] == str(CUSTOMER)
    assert body["points_balance"] == 599 and body["status"] == "active"
    assert [(e["kind"], e["points"], e["order_id"], e["order_name"]) for e in body["ledger"]] == [
        ("earn", 499, "5001", "#1001"),  # the order as the merchant knows it
        ("bonus", 100, None, None),
    ]


def test_refunds_cancellations_guests_and_pos_through_webhooks(deliver, admin_get, rt):
    deliver("customers/create", customer_body(CUSTOMER))
    lines = [Line(1, "300.00"), Line(2, "200.00")]
    deliver("orders/paid", order_body(5002, lines, customer_id=CUSTOMER))
    deliver("refunds/create", refund_body(9001, 5002, [(lines[1], 1)]))
    deliver("orders/paid", order_body(5003, [Line(3, "150.00")], customer_id=CUSTOMER))
    deliver(
        "orders/cancelled",
        order_body(5003, [Line(3, "150.00")], customer_id=CUSTOMER, cancelled=True),
    )
    deliver("orders/paid", order_body(5004, [Line(4, "80.00")], customer_id=None))
    deliver(
        "orders/paid",
        order_body(
            5005, [Line(5, "50.00")], customer_id=CUSTOMER, source_name="pos", location_id=1
        ),
    )
    body = member(admin_get)
    assert body["points_balance"] == 100 + 500 - 200 + 50
    kinds = sorted(e["kind"] for e in body["ledger"])
    assert kinds == ["bonus", "cancel", "earn", "earn", "earn", "refund"]
    with rt.sessions() as s:
        guest = s.scalars(select(OrderRecord).where(OrderRecord.order_id == 5004)).one()
    assert guest.member_id is None and guest.customer_id is None and guest.points_owed == 0


def test_the_same_order_delivered_twice_and_retried_earns_once(deliver, admin_get, fake_shopify):
    deliver("customers/create", customer_body(CUSTOMER))
    paid = order_body(5006, [Line(1, "250.00")], customer_id=CUSTOMER)
    deliver("orders/paid", paid, event_id="evt-paid-5006")
    deliver("orders/paid", paid, event_id="evt-paid-5006")  # a duplicate delivery
    deliver("orders/updated", paid)  # another topic, same facts
    assert member(admin_get)["points_balance"] == 350


def test_an_unknown_member_is_404_and_another_shops_token_cannot_read_it(
    deliver, client, fake_shopify, admin_get
):
    deliver("customers/create", customer_body(CUSTOMER))
    assert admin_get("/api/members/1").status_code == 404
    assert admin_get("/api/members/not-a-number").status_code == 404
    other = fake_shopify.session_token("other-shop.myshopify.com")
    response = client.get(f"/api/members/{CUSTOMER}", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401


def test_staff_adjust_points_with_a_reason_once_per_key(deliver, client, fake_shopify, admin_get):
    deliver("customers/create", customer_body(CUSTOMER))
    headers = {
        "Authorization": f"Bearer {fake_shopify.session_token(SHOP, sub='77')}",
        "Idempotency-Key": "adj-1",
    }
    url = f"/api/members/{CUSTOMER}/adjustments"
    first = client.post(url, json={"points": -40, "reason": "Goodwill correction"}, headers=headers)
    again = client.post(url, json={"points": -40, "reason": "Goodwill correction"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    body = member(admin_get)
    assert body["points_balance"] == 60
    [adjust] = [e for e in body["ledger"] if e["kind"] == "adjust"]
    assert (adjust["points"], adjust["reason"], adjust["actor"]) == (
        -40,
        "Goodwill correction",
        "staff:77",
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"points": 10}, {"reason"}),
        ({"points": 0, "reason": "x"}, {"points"}),
        ({"points": "10", "reason": "x"}, {"points"}),
        ({"points": True, "reason": "x"}, {"points"}),
        ({"points": 10**9, "reason": "x"}, {"points"}),
        ({"points": 5, "reason": "  "}, {"reason"}),
        ({"points": 5, "reason": "x", "member": 1}, {"member"}),
    ],
)
def test_bad_adjustments_get_422_with_a_message_per_field(
    deliver, client, fake_shopify, body, fields
):
    deliver("customers/create", customer_body(CUSTOMER))
    headers = {"Authorization": f"Bearer {fake_shopify.session_token(SHOP)}"}
    response = client.post(f"/api/members/{CUSTOMER}/adjustments", json=body, headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == fields
