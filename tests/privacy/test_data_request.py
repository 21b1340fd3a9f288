"""customers/data_request: the merchant gets everything Klubb holds about the customer."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from loyalty.core.models import EventStatus, OrderRecord, PrivacyRequestKind, WebhookEvent
from tests.support.jobs import drain
from tests.support.people import (
    GUEST_ORDER,
    INGEBORG,
    SOLVEIG,
    data_request_payload,
    seed_customer,
)
from tests.support.shops import SHOP
from tests.support.tables import privacy_requests

KIND = PrivacyRequestKind.DATA_REQUEST


def the_export(rt) -> dict:
    [request] = privacy_requests(rt.sessions, KIND)
    return json.loads(request.export_json)


def test_the_export_holds_the_members_profile_consents_ledger_orders_and_codes(
    app, rt, shop_id, ingeborg, post_webhook
):
    with rt.sessions.begin() as s:
        s.add(OrderRecord(shop_id=shop_id, order_id=GUEST_ORDER, currency="NOK"))
    response = post_webhook("customers/data_request", data_request_payload(INGEBORG))
    assert response.status_code == 200
    drain(app)

    [request] = privacy_requests(rt.sessions, KIND)
    assert request.shop_id == shop_id and request.member_id == ingeborg.member_id
    assert request.shopify_request_id == "9999"
    assert request.completed_at is not None
    assert request.due_at - request.received_at == timedelta(days=30)
    export = json.loads(request.export_json)
    assert export["found"] is True and export["customer_id"] == str(INGEBORG.customer_id)
    member = export["member"]
    assert (member["first_name"], member["last_name"], member["email"], member["phone"]) == (
        INGEBORG.first_name,
        INGEBORG.last_name,
        INGEBORG.email,
        INGEBORG.phone,
    )
    assert (member["birthday"], member["points_balance"], member["status"]) == (
        "1988-05-17",
        270,
        "active",
    )
    assert [(c["channel"], c["granted"]) for c in export["consent_history"]] == [
        ("email", True),
        ("sms", True),
    ]
    assert [(e["kind"], e["points"]) for e in export["ledger"]] == [
        ("bonus", 100),
        ("earn", 120),
        ("adjust", 50),
    ]
    assert sum(e["points"] for e in export["ledger"]) == member["points_balance"]
    rows = list(csv.DictReader(io.StringIO(export["ledger_csv"])))
    assert [(r["kind"], r["points"], r["order_id"]) for r in rows] == [
        ("bonus", "100", ""),
        ("earn", "120", str(INGEBORG.order_ids[0])),
        ("adjust", "50", ""),
    ]
    assert sorted(o["order_id"] for o in export["orders"]) == sorted(
        str(i) for i in (*INGEBORG.order_ids, GUEST_ORDER)
    )
    assert {o["total"] for o in export["orders"] if o["order_id"] != str(GUEST_ORDER)} == {
        "1250.0000"
    }
    assert [r["order_id"] for r in export["refunds"]] == [str(INGEBORG.order_ids[0])]
    assert sorted((r["code"], r["state"]) for r in export["redemptions"]) == [
        (f"KLUBB-{INGEBORG.customer_id}A", "issued"),
        (f"KLUBB-{INGEBORG.customer_id}B", "used"),
    ]
    assert [a["action"] for a in export["audit_log"]] == ["member.updated"]


def test_the_export_holds_nobody_elses_data(app, rt, shop_id, ingeborg, post_webhook):
    seed_customer(rt.sessions, shop_id, SOLVEIG)
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    drain(app)
    text = privacy_requests(rt.sessions, KIND)[0].export_json
    assert not [needle for needle in SOLVEIG.personal_data if needle in text]
    assert str(SOLVEIG.order_ids[0]) not in text


@pytest.mark.embedded
def test_a_customer_never_seen_gets_a_completed_request_saying_so(app, rt, shop_id, post_webhook):
    post_webhook("customers/data_request", data_request_payload(SOLVEIG, request_id=77))
    drain(app)
    [request] = privacy_requests(rt.sessions, KIND)
    assert request.completed_at is not None and request.member_id is None
    export = json.loads(request.export_json)
    assert export["found"] is False and "no data" in export["note"]
    assert export["member"] is None and export["ledger"] == [] and export["orders"] == []


@pytest.mark.embedded
def test_the_request_body_with_email_and_phone_is_erased_once_processed(
    app, rt, shop_id, ingeborg, post_webhook
):
    post_webhook("customers/data_request", data_request_payload(INGEBORG), event_id="dr-1")
    drain(app)
    with rt.sessions() as s:
        event = s.scalars(select(WebhookEvent).where(WebhookEvent.event_id == "dr-1")).one()
    assert event.status == EventStatus.PROCESSED and event.body is None


def test_a_duplicate_delivery_and_a_redelivery_with_a_new_event_id_keep_one_request(
    app, rt, shop_id, ingeborg, post_webhook
):
    payload = data_request_payload(INGEBORG)
    post_webhook("customers/data_request", payload, event_id="dr-same")
    post_webhook("customers/data_request", payload, event_id="dr-same")
    drain(app)
    first = privacy_requests(rt.sessions, KIND)
    post_webhook("customers/data_request", payload, event_id="dr-again")
    drain(app)
    again = privacy_requests(rt.sessions, KIND)
    assert len(again) == 1
    assert (again[0].id, again[0].completed_at, again[0].export_json) == (
        first[0].id,
        first[0].completed_at,
        first[0].export_json,
    )


def test_a_new_request_id_for_the_same_customer_is_a_new_request(
    app, rt, shop_id, ingeborg, post_webhook
):
    post_webhook("customers/data_request", data_request_payload(INGEBORG, request_id=1))
    post_webhook("customers/data_request", data_request_payload(INGEBORG, request_id=2))
    drain(app)
    requests = privacy_requests(rt.sessions, KIND)
    assert sorted(r.shopify_request_id for r in requests) == ["1", "2"]
    assert all(r.completed_at for r in requests)


def test_an_uninstalled_shop_still_answers_data_requests(app, rt, shop_id, ingeborg, post_webhook):
    post_webhook("app/uninstalled", {"id": 954889, "domain": SHOP})
    drain(app)
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    drain(app)
    assert the_export(rt)["member"]["email"] == INGEBORG.email
