"""The welcome code's state through the real entry points: the welcome job records it issued,
an order carrying it (orders/* webhooks, in any order, twice) marks it used, its end date makes
it expired; ``welcome_code`` in ``GET /api/members/{id}`` and ``GET /proxy/api/member``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from loyalty.core.models import Member, ProgramSettings, WelcomeCode
from loyalty.core.types import utcnow
from loyalty.points.welcome_state import welcome_code
from loyalty.privacy.compliance import customer_hash_key
from tests.support.bodies import Line, at, customer_body, order_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP
from tests.worker.helpers import CUSTOMER


def the_code(config, shop_id: int, customer_id: int = CUSTOMER) -> str:
    return welcome_code(customer_hash_key(config), shop_id, customer_id)


def row(rt, customer_id: int = CUSTOMER) -> WelcomeCode | None:
    with rt.sessions() as s:
        return s.scalar(
            select(WelcomeCode)
            .join(Member, Member.id == WelcomeCode.member_id)
            .where(Member.customer_id == customer_id)
        )


def admin_welcome(client, customer_id: int = CUSTOMER):
    answer = client.get(f"/api/members/{customer_id}", headers=bearer(SHOP))
    assert answer.status_code == 200
    return answer.get_json()["welcome_code"]


def shopper_welcome(proxy, customer_id: int | None = CUSTOMER):
    answer = proxy("GET", "/proxy/api/member", customer_id=customer_id)
    assert answer.status_code == 200
    return answer.get_json()["welcome_code"]


def order_with(order_id: int, codes: list[str], *, via_applications: bool = False, **kw):
    """An orders/* body of the customer's that used these discount codes."""
    body = order_body(order_id, [Line(order_id, "500.00")], customer_id=CUSTOMER, **kw)
    if via_applications:
        body["discount_applications"] = [
            {"type": "discount_code", "code": c, "value": "10.0", "value_type": "percentage"}
            for c in codes
        ]
        body["discount_codes"] = []
    else:
        body["discount_codes"] = [
            {"code": c, "amount": "50.00", "type": "percentage"} for c in codes
        ]
    return body


def settings(rt, shop_id: int, **values) -> None:
    with rt.sessions.begin() as s:
        s.execute(
            update(ProgramSettings).where(ProgramSettings.shop_id == shop_id).values(**values)
        )


def comparable(found: WelcomeCode | None) -> tuple:
    assert found is not None
    return (found.code, found.percentage, found.used_at, found.order_id, found.ends_at)


@pytest.mark.embedded
def test_the_welcome_job_records_the_code_it_made_as_issued(
    deliver, fake_shop, rt, config, shop_id, client, proxy
):
    deliver("customers/create", customer_body(CUSTOMER))

    code = the_code(config, shop_id)
    discount = fake_shop.discount_by_code(code)
    recorded = row(rt)
    assert recorded is not None and recorded.code == code
    assert (recorded.percentage, recorded.discount_id) == (10, discount.gid)
    assert recorded.issued_at is not None and recorded.ends_at is None and discount.ends_at is None
    expected = {
        "code": code,
        "percentage": 10,
        "state": "issued",
        "issued_at": recorded.issued_at.isoformat(),
        "ends_at": None,
        "used_at": None,
        "order_id": None,
    }
    assert admin_welcome(client) == expected
    assert shopper_welcome(proxy) == expected
    assert shopper_welcome(proxy, customer_id=None) is None  # a guest has none


@pytest.mark.embedded
def test_an_order_carrying_the_code_marks_it_used_and_a_duplicate_changes_nothing(
    deliver, fake_shop, rt, config, shop_id, client, proxy
):
    deliver("customers/create", customer_body(CUSTOMER))
    code = the_code(config, shop_id)
    body = order_with(6301, [code.lower()])  # codes compare case-insensitively, as Shopify's

    deliver("orders/paid", body, event_id="evt-6301")
    used = row(rt)
    assert used.used_at is not None and used.order_id == 6301
    welcome = admin_welcome(client)
    assert (welcome["state"], welcome["order_id"]) == ("used", "6301")
    assert shopper_welcome(proxy)["state"] == "used"

    deliver("orders/paid", body, event_id="evt-6301")  # the same event again
    deliver("orders/updated", {**body, "updated_at": at(5)})  # and the order's later update
    assert comparable(row(rt)) == comparable(used)


@pytest.mark.embedded
def test_the_order_may_come_before_the_welcome_job_records_the_code(
    deliver, fake_shop, rt, config, shop_id, app
):
    """The job made the code and died before recording it; the order that used it comes first:
    the end is the same as in the usual order."""
    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, ["webhooks"])  # the customer is a member; the welcome job still waits
    code = the_code(config, shop_id)
    deliver("orders/paid", order_with(6302, [code]), drain_jobs=False)
    drain(app, ["webhooks"])
    early = row(rt)
    assert early.used_at is not None and early.issued_at is None
    assert early.percentage == 10  # the shop's, until the job records the code's own

    drain(app)  # the welcome job runs after all
    late = row(rt)
    assert late.issued_at is not None and late.discount_id is not None
    assert comparable(late) == comparable(early)
    assert late.used_at == early.used_at and late.order_id == 6302


def test_two_orders_with_the_code_keep_the_earliest_whatever_their_order(
    deliver, fake_shop, rt, config, shop_id
):
    deliver("customers/create", customer_body(CUSTOMER))
    code = the_code(config, shop_id)
    later = order_with(6304, [code])
    earlier = order_with(6303, [code])
    earlier["processed_at"] = earlier["created_at"] = at(-60)
    deliver("orders/paid", later)
    deliver("orders/paid", earlier)
    deliver("orders/paid", later)
    assert row(rt).order_id == 6303


@pytest.mark.embedded
def test_a_code_only_in_discount_applications_counts(deliver, fake_shop, rt, config, shop_id):
    deliver("customers/create", customer_body(CUSTOMER))
    deliver("orders/paid", order_with(6305, [the_code(config, shop_id)], via_applications=True))
    assert row(rt).order_id == 6305


@pytest.mark.parametrize(
    ("topic", "state"),
    [
        ("orders/cancelled", {"cancelled": True}),
        ("orders/updated", {"financial_status": "pending"}),
    ],
)
def test_a_cancelled_or_unpaid_order_still_used_the_code(
    deliver, fake_shop, rt, config, shop_id, client, topic, state
):
    """Shopify counts the use when the order is placed and never gives it back."""
    deliver("customers/create", customer_body(CUSTOMER))
    deliver(topic, order_with(6306, [the_code(config, shop_id)], **state))
    assert admin_welcome(client)["state"] == "used"


def test_an_order_with_another_code_or_someone_elses_marks_nothing(
    deliver, fake_shop, rt, config, shop_id
):
    deliver("customers/create", customer_body(CUSTOMER))
    others = ["KLUBB-ABC", "WELCOME-000000000000", the_code(config, shop_id, 820982911946154501)]
    deliver("orders/paid", order_with(6307, others))
    assert row(rt).used_at is None


def test_a_welcome_code_with_an_end_date_carries_it_in_shopify_and_expires_unused(
    deliver, fake_shop, rt, config, shop_id, client, proxy
):
    settings(rt, shop_id, welcome_discount_days=30)
    deliver("customers/create", customer_body(CUSTOMER))
    recorded = row(rt)
    discount = fake_shop.discount_by_code(recorded.code)
    assert recorded.ends_at == recorded.issued_at + timedelta(days=30)
    assert discount.ends_at == pytest.approx(recorded.ends_at.timestamp(), abs=0.001)
    assert discount.ends_at - discount.starts_at == pytest.approx(30 * 86400, abs=0.001)
    assert admin_welcome(client)["ends_at"] == recorded.ends_at.isoformat()

    with rt.sessions.begin() as s:  # thirty days later, as far as the code's end goes
        s.execute(update(WelcomeCode).values(ends_at=utcnow() - timedelta(seconds=1)))
    assert admin_welcome(client)["state"] == "expired"
    assert shopper_welcome(proxy)["state"] == "expired"


def test_a_retried_job_records_the_code_it_finds_with_what_shopify_says(
    deliver, fake_shop, rt, config, shop_id, app
):
    """The code exists in Shopify and was used there (a lost record): recorded used."""
    deliver("customers/create", customer_body(CUSTOMER))
    code = the_code(config, shop_id)
    fake_shop.use_code(code, CUSTOMER)
    with rt.sessions.begin() as s:
        s.execute(update(WelcomeCode).values(used_at=None, issued_at=None))
    from jobs.engine import issue_welcome_code

    assert issue_welcome_code(row(rt).member_id) == "exists"
    found = row(rt)
    assert found.used_at is not None and found.issued_at is not None
    assert found.percentage == 10
