"""Spend vouchers through the real entry points: the merchant's ``/api/voucher-rules``,
Shopify's signed webhooks (the fake's sender, then RQ's jobs), the voucher in the fake Shopify
(made, paused, restored), and the member JSON in the admin and through the app proxy."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from loyalty.core.types import utcnow
from tests.support.jobs import drain, run_due_scheduled_jobs
from tests.support.shops import SHOP
from tests.vouchers.story import CUSTOMER, ledger, order, refund, vouchers

RULE = {
    "name": "Spend 1000 this year",
    "threshold": "1000",
    "period": "calendar_year",
    "voucher": {"kind": "discount_code", "amount": "250"},
}
GIFT = {**RULE, "voucher": {"kind": "gift_card", "amount": "250"}}


def now_order(order_id, amount, **kw):
    return order(order_id, amount, utcnow() - timedelta(minutes=5), **kw)


@pytest.mark.embedded
def test_a_code_voucher_is_issued_paused_by_a_refund_and_restored(
    deliver, admin, proxy, fake_shop, app, klubb_of_shop
):
    admin("POST", "/api/voucher-rules", RULE, status=201)
    deliver("orders/paid", now_order(1, "700"))
    assert admin("GET", f"/api/members/{CUSTOMER}")["vouchers"] == []
    progress = admin("GET", f"/api/members/{CUSTOMER}")["voucher_progress"][0]
    assert (progress["spend"], progress["remaining"]) == ("700", "300")

    deliver("orders/paid", now_order(2, "400"))
    (voucher,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    assert voucher | {"id": "x", "code": "x"} == {
        "id": "x",
        "source": "spend",
        "kind": "discount_code",
        "code": "x",
        "amount": "250",
        "currency": "NOK",
        "state": "active",
        "period": str(utcnow().year),
    }
    discount = fake_shop.discount_by_code(voucher["code"])
    assert discount.status(fake_shop._clock.now()) == "ACTIVE"
    assert (discount.amount, discount.usage_limit) == (Decimal("250"), 1)

    deliver("refunds/create", refund(21, 2, "400"))
    (paused,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    assert (paused["state"], paused["reason"]) == ("disabled", "spend_below_threshold")
    assert discount.status(fake_shop._clock.now()) == "EXPIRED"
    with pytest.raises(ValueError):
        fake_shop.use_code(voucher["code"], CUSTOMER)

    deliver("orders/paid", now_order(3, "300"))
    (back,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    assert (back["id"], back["code"], back["state"]) == (voucher["id"], voucher["code"], "active")
    assert [d.title for d in fake_shop.discounts.values() if "voucher" in d.title] == [
        f"250 NOK voucher (Klubb voucher #{voucher['id']})"
    ]
    assert ledger(klubb_of_shop, int(voucher["id"])) == [
        "reached",
        "issued",
        "fell",
        "disabled",
        "reached",
        "enabled",
    ]

    mine = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()
    assert [v["code"] for v in mine["vouchers"]] == [voucher["code"]]
    listed = admin("GET", "/api/vouchers")
    assert listed["liability"] == {"active": "250", "disabled": "0"}
    assert listed["vouchers"][0]["rule"] == RULE["name"]


@pytest.mark.embedded
def test_a_used_code_is_kept_when_refunds_follow(deliver, admin, fake_shop, klubb_of_shop):
    admin("POST", "/api/voucher-rules", RULE, status=201)
    deliver("orders/paid", now_order(1, "1200"))
    (voucher,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    fake_shop.use_code(voucher["code"], CUSTOMER)
    body = now_order(2, "100")
    body["discount_codes"] = [{"code": voucher["code"], "amount": "100", "type": "fixed_amount"}]
    deliver("orders/paid", body)
    deliver("refunds/create", refund(11, 1, "1200"))
    (kept,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    assert kept["state"] == "used"
    assert ledger(klubb_of_shop, int(voucher["id"]))[-2:] == ["used", "kept"]


@pytest.mark.embedded
def test_a_gift_card_is_debited_and_credited_never_deactivated(
    deliver, admin, proxy, fake_shop, klubb_of_shop
):
    admin("POST", "/api/voucher-rules", GIFT, status=201)
    deliver("orders/paid", now_order(1, "1200"))
    (card,) = fake_shop.gift_cards.values()
    assert (card.balance, card.customer_gid) == (250, f"gid://shopify/Customer/{CUSTOMER}")
    first = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()["vouchers"]
    assert first[0]["code"] == card.code  # shown once
    again = proxy("GET", "/proxy/api/member", customer_id=CUSTOMER).get_json()["vouchers"]
    assert "code" not in again[0] and again[0]["last_characters"] == card.code[-4:]
    assert admin("GET", f"/api/members/{CUSTOMER}")["vouchers"][0].get("code") is None

    deliver("refunds/create", refund(11, 1, "500"))
    assert (card.balance, card.deactivated_at) == (0, None)
    assert admin("GET", f"/api/members/{CUSTOMER}")["vouchers"][0]["state"] == "disabled"
    deliver("orders/paid", now_order(2, "400"))
    assert card.balance == 250
    assert [t["amount"]["amount"] for t in card.transactions] == ["-250.0", "250.0"]
    assert len(fake_shop.gift_cards) == 1


@pytest.mark.embedded
def test_a_partly_spent_gift_card_is_kept(deliver, admin, fake_shop, klubb_of_shop):
    admin("POST", "/api/voucher-rules", GIFT, status=201)
    deliver("orders/paid", now_order(1, "1200"))
    (card,) = fake_shop.gift_cards.values()
    card.balance -= 100  # spent at a checkout
    deliver("refunds/create", refund(11, 1, "500"))
    assert card.balance == 150
    (voucher,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    assert voucher["state"] == "used"
    assert ledger(klubb_of_shop, int(voucher["id"]))[-2:] == ["used", "kept"]


def _until_quiet(app, rt, rounds=8):
    """Run the queued jobs and, as RQ's scheduler would once due, their retries."""
    for _ in range(rounds):
        drain(app, raise_failures=False)
        if not run_due_scheduled_jobs(rt):
            return


@pytest.mark.embedded
def test_gift_card_creation_failing_is_retried_and_issued_once(
    deliver, admin, fake_shopify, fake_shop, app, rt, klubb_of_shop
):
    admin("POST", "/api/voucher-rules", GIFT, status=201)
    for _ in range(4):  # more than the client's own retries: the job fails and RQ retries it
        fake_shopify.fail_next_graphql_request(503, matching="giftCardCreate")
    fake_shopify.send_webhook("orders/paid", SHOP, now_order(1, "1200"))
    _until_quiet(app, rt)
    assert len(fake_shop.gift_cards) == 1
    (voucher,) = vouchers(klubb_of_shop)
    assert voucher.state == "active"
    assert ledger(klubb_of_shop, voucher.id).count("issued") == 1


@pytest.mark.embedded
def test_a_gift_card_made_whose_answer_was_lost_is_found_not_made_again(
    deliver, admin, fake_shopify, fake_shop, app, rt, klubb_of_shop
):
    admin("POST", "/api/voucher-rules", GIFT, status=201)
    # giftCardCreate happens in Shopify each time, but no answer reaches Klubb.
    for _ in range(4):
        fake_shopify.lose_next_graphql_answer(502, matching="giftCardCreate")
    fake_shopify.send_webhook("orders/paid", SHOP, now_order(1, "1200"))
    _until_quiet(app, rt)
    (voucher,) = vouchers(klubb_of_shop)
    assert voucher.state == "active"
    (card,) = fake_shop.gift_cards.values()
    assert (voucher.shopify_id, voucher.last_characters) == (card.gid, card.code[-4:])


@pytest.mark.embedded
def test_vouchers_are_the_members_data_exported_and_erased_with_them(
    deliver, admin, proxy, fake_shop, klubb_of_shop
):
    admin("POST", "/api/voucher-rules", RULE, status=201)
    deliver("orders/paid", now_order(1, "1200"))
    (voucher,) = admin("GET", f"/api/members/{CUSTOMER}")["vouchers"]
    export = json.loads(proxy("GET", "/proxy/api/me/export.json", customer_id=CUSTOMER).data)
    (exported,) = export["vouchers"]
    assert (exported["code"], exported["amount"], exported["state"]) == (
        voucher["code"],
        "250",
        "active",
    )
    assert [e["kind"] for e in exported["ledger"]] == ["reached", "issued"]

    deliver(
        "customers/redact",
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "customer": {"id": CUSTOMER, "email": "kari@example.com", "phone": None},
            "orders_to_redact": [1],
        },
    )
    (erased,) = vouchers(klubb_of_shop)
    assert (erased.code, erased.last_characters, erased.amount) == (None, None, 250)
