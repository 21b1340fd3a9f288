"""Members who joined before welcome codes were recorded (revision 0016): the periodic job
looks each one's code up in Shopify and records what Shopify holds, or drops the row."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from jobs.engine import check_earlier_welcome_codes
from loyalty.core.models import Member, Shop, WelcomeCode
from loyalty.core.types import utcnow
from tests.support.bodies import customer_body
from tests.support.http import bearer
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER

BACKFILLED = 820982911946154777  # a customer the backfill enrolled: no welcome code was made


def as_before_0016(rt, shop_id: int) -> None:
    """What revision 0016 leaves: each member who is not anonymised has a row without a code."""
    with rt.sessions.begin() as s:
        s.execute(delete(WelcomeCode))
        s.add(Member(shop_id=shop_id, customer_id=BACKFILLED))
        s.flush()
        for member_id in s.scalars(select(Member.id)):
            s.add(WelcomeCode(shop_id=shop_id, member_id=member_id, created_at=utcnow()))


def rows(rt) -> dict[int, WelcomeCode]:
    with rt.sessions() as s:
        found = s.execute(
            select(Member.customer_id, WelcomeCode).join(Member, Member.id == WelcomeCode.member_id)
        ).all()
    return {customer: code for customer, code in found}


@pytest.mark.embedded
def test_a_code_shopify_holds_is_recorded_as_it_is_there_and_members_without_one_lose_the_row(
    deliver, fake_shop, rt, shop_id, client, app
):
    deliver("customers/create", customer_body(CUSTOMER))  # the welcome job made her code
    made = rows(rt)[CUSTOMER]
    as_before_0016(rt, shop_id)
    answer = client.get(f"/api/members/{CUSTOMER}", headers=bearer(SHOP)).get_json()
    assert answer["welcome_code"] is None  # not known until looked up

    assert check_earlier_welcome_codes() == {"found": 1, "absent": 1, "shops_waiting": 0}

    after = rows(rt)
    assert set(after) == {CUSTOMER}
    kari = after[CUSTOMER]
    assert (kari.code, kari.percentage, kari.discount_id) == (made.code, 10, made.discount_id)
    assert kari.issued_at is not None and kari.used_at is None
    answer = client.get(f"/api/members/{CUSTOMER}", headers=bearer(SHOP)).get_json()
    assert answer["welcome_code"]["state"] == "issued"
    assert check_earlier_welcome_codes() == {"found": 0, "absent": 0, "shops_waiting": 0}


def test_a_code_used_in_shopify_is_recorded_used(deliver, fake_shop, rt, shop_id, client, app):
    deliver("customers/create", customer_body(CUSTOMER))
    fake_shop.use_code(rows(rt)[CUSTOMER].code, CUSTOMER)
    as_before_0016(rt, shop_id)

    check_earlier_welcome_codes()

    answer = client.get(f"/api/members/{CUSTOMER}", headers=bearer(SHOP)).get_json()
    assert answer["welcome_code"]["state"] == "used"


def test_nothing_is_created_and_an_uninstalled_shop_waits(
    deliver, fake_shop, fake_shopify, rt, shop_id, app
):
    deliver("customers/create", customer_body(CUSTOMER))
    as_before_0016(rt, shop_id)
    fake_shop.discounts.clear()  # Shopify holds no welcome code for anyone
    with rt.sessions.begin() as s:
        s.get(Shop, shop_id).uninstalled_at = utcnow()
    calls = len(fake_shopify.graphql_requests)

    assert check_earlier_welcome_codes() == {"found": 0, "absent": 0, "shops_waiting": 0}
    assert len(rows(rt)) == 2 and len(fake_shopify.graphql_requests) == calls

    with rt.sessions.begin() as s:
        s.get(Shop, shop_id).uninstalled_at = None
    assert check_earlier_welcome_codes()["absent"] == 2
    assert rows(rt) == {} and fake_shop.discounts == {}
