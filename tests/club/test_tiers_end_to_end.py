"""VIP tiers through the real entry points: the merchant's ``/api/tiers``, Shopify's signed
webhooks (the fake's sender, then RQ's jobs), the member JSON in the admin and through the app
proxy (``/proxy/api/member``, ``/proxy/api/me``, the export), and the scheduled jobs."""

from __future__ import annotations

import json

import pytest

from jobs.queueing import enqueue
from loyalty.core.types import utcnow
from tests.support.bodies import Line, customer_body, order_body, refund_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP

CUSTOMER = 820982911946154500
LADDER = (
    {"name": "Bronze", "basis": "points", "threshold": 0},
    {
        "name": "Silver",
        "basis": "points",
        "threshold": 1000,
        "earn_multiplier": "1.25",
        "perks": {"en": "Free shipping", "nb": "Gratis frakt"},
    },
    {
        "name": "Gold",
        "basis": "points",
        "threshold": 2500,
        "earn_multiplier": "1.5",
        "entry_bonus": 200,
        "perks": "Early access",
    },
)


@pytest.fixture
def admin(client):
    """``admin(method, path, body=None)``: the embedded admin's call, JSON back."""

    def call(method, path, body=None, status=200):
        response = client.open(path, method=method, json=body, headers=bearer(SHOP))
        assert response.status_code == status, response.get_json()
        return response.get_json()

    return call


def paid(order_id, amount):
    """A paid order placed now (after the ladder was made, before it is processed)."""
    body = order_body(order_id, [Line(order_id * 10, amount)], customer_id=CUSTOMER)
    body["created_at"] = body["processed_at"] = body["updated_at"] = utcnow().isoformat()
    body["name"] = f"#{order_id}"
    return body


def ladder(admin, app):
    ids = [admin("POST", "/api/tiers", tier, status=201)["id"] for tier in LADDER]
    drain(app)  # the recompute jobs the changes queued
    return ids


@pytest.mark.embedded
def test_a_shopper_climbs_the_ladder_and_sees_it_everywhere(deliver, admin, proxy, app):
    bronze, silver, gold = ladder(admin, app)
    deliver("customers/create", customer_body(CUSTOMER))
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert member["tier"] == {"id": bronze, "name": "Bronze"}
    assert member["next_tier"] == {
        "id": silver,
        "name": "Silver",
        "remaining": 900,
        "basis": "points",
        "threshold": 1000,
        "progress": 100,
    }

    deliver("orders/paid", paid(5001, "1000.00"))  # Bronze: 1000; then Silver
    deliver("orders/paid", paid(5002, "1200.00"))  # Silver: 1500; then Gold, +200
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert member["points_balance"] == 100 + 1000 + 1500 + 200
    assert (member["tier"], member["next_tier"]) == ({"id": gold, "name": "Gold"}, None)
    labels = [e["reason_label"] for e in member["ledger"]]
    assert labels[:3] == ["Bonus for reaching Gold", "Order #5002 · Silver ×1.25", "Order #5001"]  # noqa: RUF001
    assert [(h["from"], h["to"], h["cause"]) for h in member["tier_history"]] == [
        ("Silver", "Gold", "order"),
        ("Bronze", "Silver", "order"),
        (None, "Bronze", "joined"),
    ]

    summary = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert (summary["tier"], summary["next_tier"]) == ({"id": gold, "name": "Gold"}, None)
    assert [
        (t["name"], t["threshold"], t["earn_multiplier"], t["perks"]) for t in summary["tiers"]
    ] == [
        ("Bronze", 0, "1", None),
        ("Silver", 1000, "1.25", {"en": "Free shipping", "nb": "Gratis frakt"}),
        ("Gold", 2500, "1.5", "Early access"),
    ]
    guest = proxy("GET", "/proxy/api/member").get_json()
    assert (guest["tier"], guest["next_tier"], len(guest["tiers"])) == (None, None, 3)
    mine = proxy("GET", "/proxy/api/me", customer_id=CUSTOMER, extra={"locale": ["nb"]})
    me = mine.get_json()
    assert me["tier"] == {"id": gold, "name": "Gold"}
    assert me["recent_ledger"][1]["reason_label"] == "Ordre #5002 · Silver ×1,25"  # noqa: RUF001
    export = json.loads(proxy("GET", "/proxy/api/me/export.json", customer_id=CUSTOMER).data)
    assert export["tier"] == {"id": gold, "name": "Gold"}
    assert [c["to"] for c in export["tier_changes"]] == ["Gold", "Silver", "Bronze"]

    # Order 5002 is returned: back to Silver at once, the Gold bonus taken back.
    deliver("refunds/create", refund_body(9002, 5002, [(Line(50020, "1200.00"), 1)]))
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert member["tier"]["name"] == "Silver"
    assert member["points_balance"] == 100 + 1000
    assert member["next_tier"]["remaining"] == 1400
    counted = admin("GET", "/api/tiers")
    assert [(t["name"], t["members"]) for t in counted["tiers"]] == [
        ("Bronze", 0),
        ("Silver", 1),
        ("Gold", 0),
    ]
    listed = admin("GET", f"/api/members?tier={silver}")["members"]
    assert [(m["customer_id"], m["tier"]) for m in listed] == [
        (str(CUSTOMER), {"id": silver, "name": "Silver"})
    ]
    assert admin("GET", f"/api/members?tier={gold}")["members"] == []
    assert admin("GET", "/api/members?tier=none")["members"] == []
    assert "tier" in admin("GET", "/api/members?tier=gold", status=422)["error"]["fields"]


@pytest.mark.embedded
def test_members_who_joined_before_the_ladder_get_their_tiers_from_its_job(deliver, admin, app):
    deliver("customers/create", customer_body(CUSTOMER))
    deliver("orders/paid", paid(5001, "2600.00"))
    assert admin("GET", f"/api/members/{CUSTOMER}")["tier"] is None
    ladder(admin, app)  # created after the order: no multiplier for it, but the tier now
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert member["tier"]["name"] == "Gold"
    assert member["points_balance"] == 100 + 2600 + 200  # the order: no tier then


@pytest.mark.embedded
def test_deleting_the_tier_members_are_in_through_the_api(deliver, admin, app):
    bronze, silver, gold = ladder(admin, app)
    deliver("orders/paid", paid(5001, "1000.00"))
    assert admin("GET", f"/api/members/{CUSTOMER}")["tier"]["name"] == "Silver"
    moved = admin("DELETE", f"/api/tiers/{silver}")
    assert moved == {
        "deleted": silver,
        "members_moved": 1,
        "moved_to": {"id": bronze, "name": "Bronze"},
    }
    drain(app)
    member = admin("GET", f"/api/members/{CUSTOMER}")
    assert member["tier"]["name"] == "Bronze"
    assert member["tier_history"][0] == {
        **member["tier_history"][0],
        "from": "Silver",
        "to": "Bronze",
        "cause": "tier_deleted",
    }
    assert member["points_balance"] == 1100  # points stay
    assert [t["name"] for t in admin("GET", "/api/tiers")["tiers"]] == ["Bronze", "Gold"]
    assert gold


@pytest.mark.embedded
def test_adjustments_count_once_the_setting_says_so(deliver, admin, client):
    admin("POST", "/api/tiers", LADDER[1], status=201)
    deliver("customers/create", customer_body(CUSTOMER))
    headers = {**bearer(SHOP), "Idempotency-Key": "a-1"}
    url = f"/api/members/{CUSTOMER}/adjustments"
    client.post(url, json={"points": 950, "reason": "Goodwill"}, headers=headers)
    assert admin("GET", f"/api/members/{CUSTOMER}")["tier"] is None
    assert admin("PUT", "/api/settings", {"tier_counts_adjustments": True})[
        "tier_counts_adjustments"
    ]
    headers["Idempotency-Key"] = "a-2"
    client.post(url, json={"points": 1, "reason": "Goodwill"}, headers=headers)
    assert admin("GET", f"/api/members/{CUSTOMER}")["tier"]["name"] == "Silver"


@pytest.mark.embedded
def test_the_nightly_job_rolls_the_period_over_and_pays_recurring_rewards(deliver, admin, app, rt):
    reward = {"points": 25, "every": "month"}
    admin("POST", "/api/tiers", {**LADDER[0], "recurring_reward": reward}, status=201)
    deliver("customers/create", customer_body(CUSTOMER))
    for _ in range(2):  # twice in one month: paid once
        enqueue(rt, "webhooks", "jobs.tiers.recompute_all_tiers", True)
        drain(app)
    member = admin("GET", f"/api/members/{CUSTOMER}")
    rewards = [e for e in member["ledger"] if e["reason_code"] == "tier_reward"]
    assert [(e["points"], e["reason_label"][:14]) for e in rewards] == [(25, "Bronze reward ")]
