"""The newsletter's points: once per customer when email marketing consent is given, in the
widget or in Shopify (customers/create and /update through the fake's signed sender)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.earning.helpers import join, signed, summary, way
from tests.support.bodies import customer_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP

NEWSLETTER = {"newsletter_points": 100}


@pytest.fixture
def deliver(live_app: str, fake_shopify: Any, app: Any) -> Callable[..., Any]:
    """``deliver(topic, customer_id, state)``: a customer webhook from the fake Shopify, with
    that email marketing state (None: no consent object), then the worker."""

    def send(topic: str, customer_id: int, state: str | None) -> None:
        body = customer_body(customer_id)
        if state is not None:
            body["email_marketing_consent"] = {
                "state": state,
                "opt_in_level": "single_opt_in",
                "consent_updated_at": "2026-03-02T12:00:00+00:00",
            }
        answer = fake_shopify.send_webhook(topic, SHOP, body)
        assert answer.status_code == 200, answer.text
        drain(app)

    return send


def newsletter_points(proxy: Any, customer_id: int) -> list[int]:
    history = proxy("GET", "/proxy/api/me", customer_id=customer_id).get_json()
    return [e["points"] for e in history["recent_ledger"] if e["reason_code"] == "newsletter"]


def consent(proxy: Any, customer_id: int, given: bool) -> Any:
    answer = signed(proxy, "PUT", "/proxy/api/me/consents", customer_id, json={"email": given})
    assert answer.status_code == 200, answer.get_json()
    return answer


@pytest.mark.embedded
def test_consent_in_the_widget_pays_once_even_after_unsubscribing_and_subscribing(
    app, rt, proxy, club
):
    club(**NEWSLETTER)
    join(proxy, 101)
    assert way(summary(proxy, 101), "newsletter") == {
        "kind": "newsletter",
        "points": 100,
        "done": False,
    }
    consent(proxy, 101, True)
    consent(proxy, 101, False)
    consent(proxy, 101, True)
    assert newsletter_points(proxy, 101) == [100]
    mine = summary(proxy, 101)
    assert (mine["points_balance"], way(mine, "newsletter")["done"]) == (200, True)  # type: ignore[index]
    history = proxy("GET", "/proxy/api/me", customer_id=101, extra={"locale": ["nb"]}).get_json()
    assert "Påmelding til nyhetsbrevet" in [e["reason_label"] for e in history["recent_ledger"]]


@pytest.mark.embedded
def test_a_member_who_had_consented_before_it_paid_gets_it_by_confirming(client, rt, proxy, club):
    club()  # the newsletter pays nothing yet
    join(proxy, 101)
    consent(proxy, 101, True)
    assert newsletter_points(proxy, 101) == []
    assert client.put("/api/settings", json=NEWSLETTER, headers=bearer(SHOP)).status_code == 200
    consent(proxy, 101, True)  # no change of consent, but it stands: the points come
    assert newsletter_points(proxy, 101) == [100]


@pytest.mark.embedded
def test_shopify_reporting_the_customer_subscribed_pays_once(app, rt, proxy, club, deliver):
    club(**NEWSLETTER)
    join(proxy, 101)
    deliver("customers/update", 101, "not_subscribed")
    deliver("customers/update", 101, "pending")  # double opt-in not confirmed yet
    deliver("customers/update", 101, None)
    assert newsletter_points(proxy, 101) == []
    deliver("customers/update", 101, "subscribed")
    deliver("customers/update", 101, "unsubscribed")
    deliver("customers/update", 101, "subscribed")
    consent(proxy, 101, True)  # and again in the widget
    assert newsletter_points(proxy, 101) == [100]

    # A customer created subscribed (at checkout, say) joins and gets both bonuses.
    deliver("customers/create", 102, "subscribed")
    assert sorted(
        e["reason_code"]
        for e in proxy("GET", "/proxy/api/me", customer_id=102).get_json()["recent_ledger"]
    ) == ["newsletter", "signup_bonus"]


@pytest.mark.embedded
def test_no_newsletter_points_for_a_restricted_member_a_non_member_or_a_shop_without_them(
    app, rt, proxy, club, deliver
):
    club(**NEWSLETTER, auto_enrol=False)
    join(proxy, 101)
    assert signed(proxy, "POST", "/proxy/api/me/restriction", 101).status_code == 200
    deliver("customers/update", 101, "subscribed")
    deliver("customers/update", 102, "subscribed")  # not a member: the shop does not auto-enrol
    assert newsletter_points(proxy, 101) == []
    assert proxy("GET", "/proxy/api/me", customer_id=102).status_code == 404
