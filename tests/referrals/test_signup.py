"""A friend signs up through a member's link: the code and link, the friend's customer and
one-use code in the fake Shopify, and every guard's refusal (issue 17, bad input)."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.core.models import Referral
from tests.referrals.helpers import (
    REFERRER,
    REFERRER_PHONE,
    referral_code,
    referrals,
    sign_up,
    summary,
)
from tests.support.http import bearer
from tests.support.shops import SHOP, SHOP_B


def _error(answer) -> dict:
    return answer.get_json()["error"]


def test_member_has_a_code_and_a_link_on_the_shop(fake, proxy, client):
    member = summary(proxy, REFERRER)
    referral = member["referral"]
    assert referral["url"] == f"https://{SHOP}/?ref={referral['code']}"
    assert len(referral["code"]) == 8
    assert member["referrals"] == []
    assert member["program"]["referral_offer"]["discount_percent"] == 15
    # The same code every time, and in the admin's member JSON.
    assert referral_code(proxy) == referral["code"]
    admin = client.get(f"/api/members/{REFERRER}", headers=bearer(SHOP)).get_json()
    assert admin["referral"] == referral


def test_guest_sees_the_offer_but_has_no_link(fake, proxy):
    guest = summary(proxy, None)
    assert guest["referral"] is None
    assert guest["program"]["referral_offer"] == {
        "discount_percent": 15,
        "code_days": 30,
        "points": 500,
        "wait_days": 14,
    }


def test_friend_gets_a_one_use_code_for_a_new_customer(fake, proxy, rt):
    code = referral_code(proxy)
    answer = sign_up(proxy, code, "  Ola.Nordmann@Example.com ")
    assert answer.status_code == 200, answer.get_json()
    made = answer.get_json()
    assert made["code"].startswith("FRIEND-") and made["percentage"] == 15
    friend = next(c for c in fake.customers.values() if c.email == "Ola.Nordmann@Example.com")
    assert "klubb-referral" in friend.tags
    discount = next(d for d in fake.discounts.values() if d.codes[0].code == made["code"])
    assert discount.customer_ids == [friend.gid]
    assert discount.usage_limit == 1 and discount.percentage == 0.15
    assert discount.title.endswith(f"(Klubb referral #{referrals(rt)[0].id})")
    (row,) = referrals(rt)
    assert row.friend_email == "ola.nordmann@example.com"
    assert row.friend_customer_id == friend.id and row.state == "issued"
    mine = summary(proxy, REFERRER)["referrals"]
    assert [(r["friend_email"], r["state"]) for r in mine] == [("o•••@example.com", "signed_up")]


def test_the_same_email_through_the_same_link_gets_the_same_code(fake, proxy, rt):
    code = referral_code(proxy)
    first = sign_up(proxy, code, "kari@example.com").get_json()
    again = sign_up(proxy, code, "KARI@example.com")
    assert again.status_code == 200
    assert again.get_json()["code"] == first["code"]
    assert len(referrals(rt)) == 1
    assert sum(1 for d in fake.discounts.values() if "referral" in d.title) == 1


def test_an_existing_customer_without_orders_is_the_friend(fake, proxy, rt):
    fake.add_customer(2001, "Per", "Venn", "per@example.com")
    assert sign_up(proxy, referral_code(proxy), "per@example.com").status_code == 200
    assert referrals(rt)[0].friend_customer_id == 2001
    assert sum(1 for c in fake.customers.values() if c.email == "per@example.com") == 1


def test_a_code_of_another_shop_is_not_valid_here(fake, referral_shop, proxy, post_webhook, app):
    from tests.support.bodies import customer_body
    from tests.support.jobs import drain

    referral_shop(SHOP_B)
    body = customer_body(105, email="c105@example.com")
    assert post_webhook("customers/create", body, shop=SHOP_B).status_code == 200
    drain(app)
    other = referral_code(proxy, 105, shop=SHOP_B)
    answer = sign_up(proxy, other, "venn@example.com")
    assert answer.status_code == 422
    assert _error(answer)["code"] == "unknown_referral_code"
    assert "code" in _error(answer)["fields"]
    # Nor is a code nobody has, nor one of the wrong shape.
    assert _error(sign_up(proxy, "ZZZZZZZZ", "venn@example.com"))["code"] == "unknown_referral_code"
    assert _error(sign_up(proxy, "no", "venn@example.com"))["code"] == "validation_failed"


def test_the_referrer_cannot_use_their_own_link(fake, proxy, rt):
    code = referral_code(proxy)
    answer = sign_up(proxy, code, "someone@example.com", customer_id=REFERRER)
    assert answer.status_code == 422
    assert _error(answer)["code"] == "own_referral_link"
    assert referrals(rt) == []


def test_no_self_referral_by_email_or_phone(fake, proxy, rt):
    code = referral_code(proxy)
    for email in ("c101@example.com", " C101+friend@EXAMPLE.com"):
        answer = sign_up(proxy, code, email)
        assert answer.status_code == 422, email
        assert _error(answer)["code"] == "self_referral"
    # Another account of the referrer's, known by the same phone written otherwise.
    fake.add_customer(2002, "Alt", "Konto", "alt@example.com")
    fake.customer(2002).phone = "004791234101"
    answer = sign_up(proxy, code, "alt@example.com")
    assert _error(answer)["code"] == "self_referral"
    assert REFERRER_PHONE.endswith("91234101")
    assert referrals(rt) == []


def test_a_customer_who_has_ordered_gets_no_code(fake, proxy, rt):
    fake.add_customer(2003, "Gammel", "Kunde", "kunde@example.com", number_of_orders=2)
    answer = sign_up(proxy, referral_code(proxy), "kunde@example.com")
    assert answer.status_code == 422
    error = _error(answer)
    assert error["code"] == "not_a_new_customer"
    assert "first order" in error["fields"]["email"]
    assert referrals(rt) == []
    assert not any("referral" in d.title for d in fake.discounts.values())


def test_a_friends_email_is_referred_once(fake, proxy, rt, post_webhook, app):
    from tests.support.bodies import customer_body
    from tests.support.jobs import drain

    assert post_webhook("customers/create", customer_body(102)).status_code == 200
    drain(app)
    assert sign_up(proxy, referral_code(proxy), "venn@example.com").status_code == 200
    answer = sign_up(proxy, referral_code(proxy, 102), "venn@example.com")
    assert answer.status_code == 422
    assert _error(answer)["code"] == "email_already_referred"
    assert len(referrals(rt)) == 1


def test_fifty_sign_ups_in_a_minute_with_one_code_are_rate_limited(fake, proxy, rt):
    code = referral_code(proxy)
    answers = [sign_up(proxy, code, f"venn{n}@example.com") for n in range(50)]
    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert len(referrals(rt)) == 10


def test_one_email_is_limited_whatever_the_code(fake, proxy):
    answers = [sign_up(proxy, "ZZZZZZZZ", "same@example.com") for _ in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 429, 429]


def test_consent_and_fields_are_checked(fake, proxy):
    answer = sign_up(proxy, referral_code(proxy), "not-an-email", consent=False)
    assert answer.status_code == 422
    assert set(_error(answer)["fields"]) == {"email", "consent"}


def test_referrals_off_means_no_link_and_no_sign_up(referral_shop, proxy, post_webhook, app, rt):
    from tests.support.bodies import customer_body
    from tests.support.jobs import drain

    referral_shop(referral_enabled=False)
    assert post_webhook("customers/create", customer_body(REFERRER)).status_code == 200
    drain(app)
    member = summary(proxy, REFERRER)
    assert member["referral"] is None and member["program"]["referral_offer"] is None
    with rt.sessions() as s:
        assert s.scalars(select(Referral)).all() == []
