"""/api/segments: saved filters over members, their live count and members, through HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from loyalty.club.tier_catalogue import create_tier
from loyalty.club.tier_rewards import recompute_members
from loyalty.core.types import utcnow
from tests.campaigns.seed import add_member, add_order
from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

NOW = utcnow()


def save(client, body, shop=SHOP_A):
    return client.post("/api/segments", json=body, headers=bearer(shop))


def members_of(client, segment_id, shop=SHOP_A, **params):
    answer = client.get(
        f"/api/segments/{segment_id}/members", query_string=params, headers=bearer(shop)
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def matched(client, filter_):
    """The customer ids a new segment with ``filter_`` holds, and its live count."""
    saved = save(client, {"name": "Test", "filter": filter_})
    assert saved.status_code == 201, saved.get_json()
    segment_id = saved.get_json()["id"]
    ids = {m["customer_id"] for m in members_of(client, segment_id, limit=200)["members"]}
    count = members_of(client, segment_id, count="1")["count"]
    assert count == len(ids)
    return ids


@pytest.fixture
def club(rt, shop_a, shop_b):
    """Shop A's members, each standing out on one condition (customer ids 1-11); shop B's one."""
    a = shop_a
    add_member(rt, a, 1, points_balance=50, language="nb", sms_consent=True, phone="91234567")
    rich = add_member(rt, a, 2, points_balance=5000, email_consent=True, email="a@example.com")
    add_order(rt, a, rich, "12000.00", NOW - timedelta(days=400))
    add_order(rt, a, rich, "500.00", NOW - timedelta(days=400), refunded_subtotal=200)
    pos = add_member(rt, a, 3, points_balance=300)
    add_order(rt, a, pos, "300.00", NOW - timedelta(days=5), source="pos")
    add_order(rt, a, pos, "100.00", NOW - timedelta(days=10), source="pos")
    web = add_member(rt, a, 4, points_balance=300)
    add_order(rt, a, web, "200.00", NOW - timedelta(days=20))
    add_order(rt, a, web, "9999.00", NOW - timedelta(days=1), cancelled=True)
    add_order(rt, a, web, "9999.00", NOW - timedelta(days=1), test=True)
    add_order(rt, a, web, "9999.00", NOW - timedelta(days=1), paid=False)
    add_member(rt, a, 5, birthday=date(1990, 3, 14))
    add_member(rt, a, 6, joined_at=datetime(2025, 6, 1, tzinfo=UTC), language="en")
    add_member(rt, a, 7, status="restricted", points_balance=5000)
    add_member(rt, a, 8, status="anonymised", first_name=None)
    add_member(rt, b := shop_b, 9, points_balance=5000)
    return {"a": a, "b": b}


@pytest.mark.embedded
def test_an_empty_filter_is_every_active_member_of_the_shop(client, club):
    assert matched(client, {}) == {"1", "2", "3", "4", "5", "6"}


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"points_balance": {"min": 300}}, {"2", "3", "4"}),
        ({"points_balance": {"min": 1, "max": 300}}, {"1", "3", "4"}),
        ({"lifetime_spend": {"min": "12000"}}, {"2"}),  # 12000 + 500 - 200
        ({"lifetime_spend": {"min": "12300.00", "max": "12300"}}, {"2"}),
        ({"lifetime_spend": {"max": "250"}}, {"1", "4", "5", "6"}),  # no orders: spent 0
        ({"orders_in_last_days": {"days": 30}}, {"3", "4"}),
        ({"orders_in_last_days": {"days": 30, "min": 2}}, {"3"}),
        ({"last_order_before": (NOW - timedelta(days=100)).isoformat()}, {"2"}),
        ({"last_order_after": (NOW - timedelta(days=7)).isoformat()}, {"3"}),
        ({"buyer": "pos"}, {"3"}),
        ({"buyer": "online"}, {"2", "4"}),
        ({"birthday_month": 3}, {"5"}),
        ({"language": "nb"}, {"1", "2", "3", "4", "5"}),  # the shop's (nb) when none of their own
        ({"language": "en"}, {"6"}),
        ({"sms_consent": True}, {"1"}),
        ({"email_consent": True}, {"2"}),
        ({"email_consent": False, "points_balance": {"min": 300}}, {"3", "4"}),
        ({"joined_before": "2025-12-31T00:00:00+00:00"}, {"6"}),
        ({"joined_after": "2025-12-31T00:00:00+00:00"}, {"1", "2", "3", "4", "5"}),
    ],
)
def test_each_condition_selects_its_members(client, club, filter_, expected):
    assert matched(client, filter_) == expected


@pytest.mark.embedded
def test_a_segment_is_saved_listed_changed_and_deleted(client, club):
    body = {"name": " Storkunder ", "filter": {"lifetime_spend": {"min": "1000.50"}}}
    created = save(client, body)
    assert created.status_code == 201
    segment = created.get_json()
    assert (segment["name"], segment["filter"]) == (
        "Storkunder",
        {"lifetime_spend": {"min": "1000.5"}},
    )
    listed = client.get("/api/segments", headers=bearer(SHOP_A)).get_json()["segments"]
    assert [s["id"] for s in listed] == [segment["id"]]
    url = f"/api/segments/{segment['id']}"
    changed = client.put(url, json={"filter": {"buyer": "pos"}}, headers=bearer(SHOP_A))
    assert changed.status_code == 200
    assert (changed.get_json()["name"], changed.get_json()["filter"]) == (
        "Storkunder",
        {"buyer": "pos"},
    )
    deleted = client.delete(url, headers=bearer(SHOP_A))
    assert (deleted.status_code, deleted.get_json()["id"]) == (200, segment["id"])
    assert client.get("/api/segments", headers=bearer(SHOP_A)).get_json() == {"segments": []}
    assert client.delete(url, headers=bearer(SHOP_A)).status_code == 404


@pytest.mark.embedded
def test_another_shops_segment_is_not_found(client, club):
    segment_id = save(client, {"name": "A", "filter": {}}).get_json()["id"]
    for method, path in (
        ("get", f"/api/segments/{segment_id}/members"),
        ("put", f"/api/segments/{segment_id}"),
        ("delete", f"/api/segments/{segment_id}"),
    ):
        answer = getattr(client, method)(path, json={"name": "B"}, headers=bearer(SHOP_B))
        assert answer.status_code == 404, (method, path)
    assert client.get("/api/segments", headers=bearer(SHOP_B)).get_json() == {"segments": []}


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "x", "filter": {"favourite_colour": "red"}}, {"filter.favourite_colour"}),
        (
            {"name": "x", "filter": {"points_balance": {"min": 10, "max": 5}}},
            {"filter.points_balance"},
        ),
        ({"name": "x", "filter": {"points_balance": {"min": "ten"}}}, {"filter.points_balance"}),
        ({"name": "x", "filter": {"points_balance": {"min": True}}}, {"filter.points_balance"}),
        ({"name": "x", "filter": {"lifetime_spend": {"min": 100}}}, {"filter.lifetime_spend"}),
        (
            {"name": "x", "filter": {"lifetime_spend": {"min": "200", "max": "100"}}},
            {"filter.lifetime_spend"},
        ),
        ({"name": "x", "filter": {"lifetime_spend": {"min": "-1"}}}, {"filter.lifetime_spend"}),
        (
            {"name": "x", "filter": {"orders_in_last_days": {"min": 2}}},
            {"filter.orders_in_last_days"},
        ),
        (
            {"name": "x", "filter": {"orders_in_last_days": {"days": 0}}},
            {"filter.orders_in_last_days"},
        ),
        ({"name": "x", "filter": {"last_order_before": "yesterday"}}, {"filter.last_order_before"}),
        ({"name": "x", "filter": {"buyer": "phone"}}, {"filter.buyer"}),
        ({"name": "x", "filter": {"birthday_month": 13}}, {"filter.birthday_month"}),
        ({"name": "x", "filter": {"language": "sv"}}, {"filter.language"}),
        ({"name": "x", "filter": {"sms_consent": "yes"}}, {"filter.sms_consent"}),
        ({"name": "x", "filter": {"tier": 5}}, {"filter.tier"}),
        ({"name": "x", "filter": {"tier": "5"}}, {"filter.tier"}),  # no such tier
        (
            {
                "name": "x",
                "filter": {
                    "joined_after": "2026-02-01T00:00:00Z",
                    "joined_before": "2026-01-01T00:00:00Z",
                },
            },
            {"filter.joined_after"},
        ),
        ({"name": " ", "filter": []}, {"name", "filter"}),
        ({"filter": {}, "colour": 1}, {"name", "colour"}),
    ],
)
def test_a_bad_segment_is_refused_field_by_field(client, club, body, fields):
    answer = save(client, body)
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == fields
    assert client.get("/api/segments", headers=bearer(SHOP_A)).get_json() == {"segments": []}


@pytest.mark.embedded
def test_a_tier_filter_holds_the_members_in_that_tier_and_refuses_another_shops(client, rt, club):
    """VIP tiers (loyalty.club): the segment holds who is in the tier now, as the members list."""
    member = create_tier(
        rt.sessions, club["a"], {"name": "Medlem", "basis": "points", "threshold": 0}
    )
    gold = create_tier(
        rt.sessions, club["a"], {"name": "Gull", "basis": "points", "threshold": 900}
    )
    theirs = create_tier(
        rt.sessions, club["b"], {"name": "Guld", "basis": "points", "threshold": 0}
    )
    for shop_id in (club["a"], club["b"]):
        recompute_members(rt.sessions, shop_id, cause="ladder_changed")
    assert matched(client, {"tier": str(member["id"])}) == {"1", "2", "3", "4", "5", "6"}
    assert matched(client, {"tier": str(gold["id"])}) == set()
    answer = save(client, {"name": "x", "filter": {"tier": str(theirs["id"])}})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"filter.tier"}


@pytest.mark.embedded
def test_members_come_in_pages(client, rt, shop_a):
    for customer_id in range(1, 6):
        add_member(rt, shop_a, customer_id)
    segment_id = save(client, {"name": "All", "filter": {}}).get_json()["id"]
    first = members_of(client, segment_id, limit=2)
    second = members_of(client, segment_id, limit=2, after=first["next"])
    third = members_of(client, segment_id, limit=2, after=second["next"])
    pages = [first, second, third]
    assert [[m["customer_id"] for m in p["members"]] for p in pages] == [
        ["1", "2"],
        ["3", "4"],
        ["5"],
    ]
    assert third["next"] is None
    assert first["members"][0] == {"customer_id": "1", "first_name": "Medlem1", "last_name": None}
    bad = client.get(
        f"/api/segments/{segment_id}/members?limit=0&after=x&count=2", headers=bearer(SHOP_A)
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"limit", "after", "count"}
