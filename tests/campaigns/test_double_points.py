"""Double points end to end: a campaign's window doubles the points of the orders its audience
places in it (orders/* webhooks, as the points engine settles them), on top of the tier's
multiplier, whatever the order or repetition of the deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loyalty.core.models import LedgerEntry, Member
from loyalty.core.types import utcnow
from tests.campaigns.campaign_api import (
    call,
    campaign,
    new_campaign,
    no_quiet_hours,
    use_fake_twilio,
)
from tests.campaigns.seed import add_member
from tests.support.bodies import Line, order_body, refund_body
from tests.support.jobs import drain
from tests.support.shops import SHOP


def order_at(order_id: int, customer_id: int, amount: str, at):
    body = order_body(order_id, [Line(order_id, amount)], customer_id=customer_id)
    body.update(created_at=at.isoformat(), processed_at=at.isoformat(), updated_at=at.isoformat())
    return body


def points_of(rt, order_id: int) -> int:
    with rt.sessions() as s:
        return int(
            s.scalar(
                select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                    LedgerEntry.order_id == order_id
                )
            )
        )


@pytest.mark.slow
def test_the_audience_earns_double_on_orders_in_the_window_and_nobody_else(
    client, app, live_app, rt, shop, sinks, deliver
):
    use_fake_twilio(client, sinks, SHOP)
    no_quiet_hours(client, SHOP)
    kari = add_member(rt, shop.id, 1, first_name="Kari", sms_consent=True, phone="91234567")
    add_member(rt, shop.id, 2, first_name="Per", sms_consent=False, phone="92222222")
    start = utcnow()
    offer = {
        "kind": "double_points",
        "starts_at": (start + timedelta(minutes=1)).isoformat(),
        "ends_at": (start + timedelta(days=1)).isoformat(),
    }
    created = new_campaign(client, shop=SHOP, offer=offer)
    assert created["offer"]["multiplier"] == "2"
    answer = call(
        client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None}, SHOP
    )
    assert answer.status_code == 200, answer.get_json()
    drain(app, ["campaigns"])
    assert campaign(client, created["id"], SHOP)["state"] == "sent"

    in_window = start + timedelta(hours=2)
    deliver("orders/paid", order_at(9201, 1, "300.00", in_window))  # Kari: in the audience
    deliver("orders/paid", order_at(9202, 2, "300.00", in_window))  # Per: not
    deliver("orders/paid", order_at(9203, 1, "300.00", start + timedelta(days=2)))  # too late
    single = points_of(rt, 9202)
    assert single > 0
    assert points_of(rt, 9201) == 2 * single
    assert points_of(rt, 9203) == single

    # The same order again, and a refund of half: the difference, still doubled.
    deliver("orders/paid", order_at(9201, 1, "300.00", in_window))
    assert points_of(rt, 9201) == 2 * single
    deliver("refunds/create", refund_body(91, 9201, [(Line(9201, "300.00"), 1)]))
    assert points_of(rt, 9201) == 0
    with rt.sessions() as s:
        balance = s.get(Member, kari).points_balance
    assert balance == single  # only the late order's


@pytest.mark.embedded
def test_a_window_before_the_sending_or_of_the_wrong_shape_is_refused(client, rt, shop_a, sinks):
    use_fake_twilio(client, sinks)
    add_member(rt, shop_a, 1, sms_consent=True, phone="91234567")
    now = utcnow()
    bad = [
        ({"starts_at": now.isoformat(), "ends_at": now.isoformat()}, "offer.ends_at"),
        ({"starts_at": "i morgen", "ends_at": now.isoformat()}, "offer.starts_at"),
        (
            {"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=91)).isoformat()},
            "offer.ends_at",
        ),
        (
            {
                "multiplier": "1",
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(days=1)).isoformat(),
            },
            "offer.multiplier",
        ),
    ]
    segment = call(client, "post", "/api/segments", {"name": "Alle", "filter": {}}).get_json()
    for window, field in bad:
        body = {
            "name": "Dobbel",
            "channel": "sms",
            "segment_id": segment["id"],
            "message": {"nb": "Dobbel poeng!", "en": "Double points!"},
            "offer": {"kind": "double_points", **window},
        }
        answer = call(client, "post", "/api/campaigns", body)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], window
    early = {
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    created = new_campaign(client, offer={"kind": "double_points", **early})
    answer = call(client, "post", f"/api/campaigns/{created['id']}/schedule", {"send_at": None})
    assert answer.status_code == 422 and "offer.starts_at" in answer.get_json()["error"]["fields"]
