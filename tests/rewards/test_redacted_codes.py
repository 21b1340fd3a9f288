"""A redacted member's unused reward codes are deleted in Shopify, once, by a job."""

from __future__ import annotations

import json

from sqlalchemy import select

from loyalty.core.models import PrivacyRequest
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER
from tests.support.shops import SHOP


def test_customers_redact_deletes_the_members_unused_codes_in_shopify(
    app, rt, redeem, reward_id, member_id, fake_shop, post_webhook
):
    code = redeem(reward_id).get_json()["code"]
    assert fake_shop.discount_by_code(code) is not None
    payload = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": {"id": CUSTOMER, "email": "kari@example.com", "phone": None},
        "orders_to_redact": [],
    }
    assert post_webhook("customers/redact", payload, shop=SHOP).status_code == 200
    drain(app)
    assert fake_shop.discount_by_code(code) is None
    with rt.sessions() as s:
        record = s.scalars(
            select(PrivacyRequest).where(PrivacyRequest.kind == "customer_redact")
        ).one()
    assert json.loads(record.export_json)["discount_ids"] == []
    # A redelivery finds nothing left to delete and changes nothing.
    assert post_webhook("customers/redact", payload, shop=SHOP).status_code == 200
    drain(app)


def test_leaving_the_club_deletes_the_members_unused_codes_in_shopify(
    app, rt, redeem, reward_id, member_id, fake_shop, proxy
):
    code = redeem(reward_id).get_json()["code"]
    drain(app)
    assert fake_shop.discount_by_code(code) is not None
    left = proxy(
        "DELETE",
        "/proxy/api/me",
        customer_id=CUSTOMER,
        json={"confirm": "LEAVE"},
        headers={"Idempotency-Key": "leave-1"},
    )
    assert left.status_code == 200, left.get_json()

    drain(app)
    assert fake_shop.discount_by_code(code) is None
    with rt.sessions() as s:
        record = s.scalars(
            select(PrivacyRequest).where(PrivacyRequest.kind == "member_leave")
        ).one()
    assert json.loads(record.export_json)["discount_ids"] == []
    assert record.shopify_cleanup_customer_id is None
