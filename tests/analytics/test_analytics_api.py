"""/api/analytics and /api/analytics.csv: authentication, validation, isolation, the document."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from loyalty.analytics.periods import shop_today
from loyalty.points.ledger import add_to_rollup
from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

pytestmark = pytest.mark.embedded

ROUTES = ["/api/analytics", "/api/analytics.csv", "/api/analytics?format=csv"]


@pytest.mark.parametrize("path", ROUTES)
def test_a_missing_token_is_401_with_the_retry_header(client, shop_a, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert response.get_json()["error"]["code"] == "missing_session_token"


@pytest.mark.parametrize("path", ROUTES)
def test_an_expired_token_is_401(client, shop_a, path):
    past = int(time.time()) - 300
    response = client.get(path, headers=bearer(SHOP_A, exp=past, nbf=past - 60, iat=past - 60))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_session_token"


@pytest.mark.parametrize("path", ROUTES)
def test_a_token_of_a_shop_that_has_not_installed_is_401(client, shop_a, path):
    response = client.get(path, headers=bearer("other.myshopify.com"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "shop_not_installed"


def _day(rt, shop_id, offset=0):
    return shop_today(rt.sessions, shop_id) - timedelta(days=offset)


def _add(rt, shop_id, day, **deltas):
    with rt.sessions.begin() as s:
        add_to_rollup(s, shop_id, day, **deltas)


def test_a_shop_sees_only_its_own_figures(client, rt, shop_a, shop_b):
    today = _day(rt, shop_a)
    _add(rt, shop_a, today, member_orders=1, member_revenue=100, points_issued=100)
    _add(rt, shop_b, today, guest_orders=5, guest_revenue=999, points_issued=7000)
    mine = client.get("/api/analytics", headers=bearer(SHOP_A)).get_json()
    theirs = client.get("/api/analytics", headers=bearer(SHOP_B)).get_json()
    assert (mine["all"]["orders"], mine["all"]["revenue"], mine["points"]["issued"]) == (
        1,
        "100.00",
        100,
    )
    assert (theirs["all"]["orders"], theirs["points"]["outstanding"]) == (5, 7000)
    csv_a = client.get("/api/analytics.csv", headers=bearer(SHOP_A)).get_data(as_text=True)
    assert "999" not in csv_a and "7000" not in csv_a


def test_the_default_period_is_the_last_30_days_in_the_shops_time_zone(client, rt, shop_a):
    body = client.get("/api/analytics", headers=bearer(SHOP_A)).get_json()
    today = _day(rt, shop_a)
    assert body["period"] == {
        "from": (today - timedelta(days=29)).isoformat(),
        "to": today.isoformat(),
        "days": 30,
        "time_zone": "Europe/Oslo",
    }
    assert [d["day"] for d in body["days"]][-1] == today.isoformat()
    assert len(body["days"]) == 30
    assert body["currency"] == "NOK"


def test_one_bound_alone_makes_a_30_day_period(client, rt, shop_a):
    today = _day(rt, shop_a)
    start = (today - timedelta(days=100)).isoformat()
    body = client.get(f"/api/analytics?from={start}", headers=bearer(SHOP_A)).get_json()
    assert (body["period"]["from"], body["period"]["days"]) == (start, 30)
    end = (today - timedelta(days=50)).isoformat()
    body = client.get(f"/api/analytics?to={end}", headers=bearer(SHOP_A)).get_json()
    assert (body["period"]["to"], body["period"]["days"]) == (end, 30)


def test_a_period_ending_at_the_calendars_start_is_cut_short_not_a_500(client, shop_a):
    for path in ("/api/analytics", "/api/analytics.csv"):
        response = client.get(f"{path}?to=0001-01-05", headers=bearer(SHOP_A))
        assert response.status_code == 200
    body = client.get("/api/analytics?to=0001-01-05", headers=bearer(SHOP_A)).get_json()
    assert (body["period"]["from"], body["period"]["days"]) == ("0001-01-01", 5)


def test_outstanding_points_carry_over_from_before_the_period(client, rt, shop_a):
    today = _day(rt, shop_a)
    _add(rt, shop_a, today - timedelta(days=40), points_issued=500, points_expired=50)
    _add(rt, shop_a, today, points_issued=10, points_redeemed=200)
    body = client.get("/api/analytics", headers=bearer(SHOP_A)).get_json()
    assert body["points"]["outstanding"] == 500 - 50 + 10 - 200
    assert body["days"][0]["outstanding_points"] == 450
    assert body["points"]["issued"] == 10 and body["points"]["redemption_rate"] == 20.0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("from=2026-2-01", "from"),
        ("to=2026-02-30", "to"),
        ("to=20260201", "to"),
        ("format=xml", "format"),
    ],
)
def test_a_bad_parameter_is_422_naming_it(client, shop_a, query, field):
    for path in ("/api/analytics", "/api/analytics.csv"):
        if field == "format" and path.endswith(".csv"):
            continue
        response = client.get(f"{path}?{query}", headers=bearer(SHOP_A))
        assert response.status_code == 422, (path, query)
        fields = response.get_json()["error"]["fields"]
        assert list(fields) == [field] and fields[field]


def test_each_bad_bound_gets_its_own_message(client, rt, shop_a):
    future = (_day(rt, shop_a) + timedelta(days=2)).isoformat()
    response = client.get(f"/api/analytics?from=nope&to={future}", headers=bearer(SHOP_A))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"from", "to"} and fields["from"] != fields["to"]


def test_a_period_backwards_or_too_long_is_422(client, shop_a):
    backwards = client.get("/api/analytics?from=2026-03-02&to=2026-03-01", headers=bearer(SHOP_A))
    assert backwards.status_code == 422
    assert list(backwards.get_json()["error"]["fields"]) == ["to"]
    start = date(2020, 1, 1)
    too_long = f"from={start}&to={start + timedelta(days=731)}"
    response = client.get(f"/api/analytics?{too_long}", headers=bearer(SHOP_A))
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["from"]
    longest = f"from={start}&to={start + timedelta(days=730)}"
    assert client.get(f"/api/analytics?{longest}", headers=bearer(SHOP_A)).status_code == 200


def test_both_routes_are_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    assert "get" in document["paths"]["/api/analytics"]
    assert "get" in document["paths"]["/api/analytics.csv"]
    assert "Analytics" in document["components"]["schemas"]
    assert "422" in document["paths"]["/api/analytics"]["get"]["responses"]


def test_a_norwegian_admin_gets_the_messages_in_norwegian(client, shop_a):
    headers = {**bearer(SHOP_A), "Accept-Language": "nb"}
    response = client.get("/api/analytics?from=nope&to=2020-01-01", headers=headers)
    fields = response.get_json()["error"]["fields"]
    assert fields == {"from": "Skriv en dato som ÅÅÅÅ-MM-DD, for eksempel 2026-03-01."}
    too_long = client.get("/api/analytics?from=2020-01-01&to=2023-01-01", headers=headers)
    assert too_long.get_json()["error"]["fields"] == {
        "from": "En periode kan være høyst 731 dager lang."
    }
