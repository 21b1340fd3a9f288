"""Referral rows are personal data (the friend's email): in the exports, gone with erasure."""

from __future__ import annotations

import json

from sqlalchemy import select

from loyalty.core.models import PrivacyRequest, ReferralCode
from tests.referrals.helpers import REFERRER, referral_code, referrals, sign_up
from tests.support.jobs import drain
from tests.support.shops import SHOP
from tests.support.tables import cells_containing

EMAIL = "venn.person@example.com"


def _request(customer_id: int, email: str | None) -> dict:
    return {"id": customer_id, "email": email, "phone": None}


def _friend(proxy, rt) -> int:
    assert sign_up(proxy, referral_code(proxy), EMAIL).status_code == 200
    return int(referrals(rt)[0].friend_customer_id)


def test_both_exports_hold_the_referral(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    mine = proxy("GET", "/proxy/api/me/export.json", customer_id=REFERRER).get_json()
    assert mine["referral_code"] == referral_code(proxy)
    assert [r["friend_email"] for r in mine["referrals_made"]] == ["v•••@example.com"]
    body = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "orders_requested": [],
        "customer": _request(friend, EMAIL),
        "data_request": {"id": 4242},
    }
    assert post_webhook("customers/data_request", body).status_code == 200
    drain(app)
    with rt.sessions() as s:
        request = s.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id.desc())).first()
        export = json.loads(request.export_json)
    assert export["referred_by"]["friend_email"] == EMAIL
    assert export["referred_by"]["consented_at"]
    assert export["referrals_made"] == []


def test_erasing_the_friend_blanks_their_email(fake, proxy, rt, app, post_webhook):
    friend = _friend(proxy, rt)
    body = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": _request(friend, EMAIL),
        "orders_to_redact": [],
    }
    assert post_webhook("customers/redact", body).status_code == 200
    drain(app)
    assert cells_containing(rt.sessions, (EMAIL,)) == []
    (row,) = referrals(rt)
    assert row.friend_email is None and row.friend_customer_id is None
    assert row.points == 500  # the terms and states stay, anonymous


def test_erasing_the_referrer_removes_their_code_and_their_friends_emails(
    fake, proxy, rt, app, post_webhook
):
    _friend(proxy, rt)
    body = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": _request(REFERRER, "c101@example.com"),
        "orders_to_redact": [],
    }
    assert post_webhook("customers/redact", body).status_code == 200
    drain(app)
    assert cells_containing(rt.sessions, (EMAIL,)) == []
    with rt.sessions() as s:
        assert s.scalars(select(ReferralCode)).all() == []
    assert len(referrals(rt)) == 1
