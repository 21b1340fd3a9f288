"""customers/create → worker → the fake Shopify holds one 10 % one-use code for that customer."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from loyalty.core.models import Member, ProgramSettings
from tests.support.bodies import customer_body
from tests.support.jobs import drain
from tests.worker.helpers import CUSTOMER

GID = f"gid://shopify/Customer/{CUSTOMER}"


def welcome_discounts(fake_shop):
    return [d for d in fake_shop.discounts.values() if "Klubb welcome #" in d.title]


def test_a_new_customer_gets_one_customer_scoped_one_use_welcome_code(deliver, fake_shop, rt):
    deliver("customers/create", customer_body(CUSTOMER))
    [discount] = welcome_discounts(fake_shop)
    assert discount.percentage == 0.1
    assert discount.usage_limit == 1 and discount.applies_once_per_customer
    assert discount.customer_ids == [GID]
    [code] = discount.codes
    assert code.code.startswith("WELCOME-")
    with rt.sessions() as s:
        member_id = s.scalar(select(Member.id).where(Member.customer_id == CUSTOMER))
    assert discount.title.endswith(f"(Klubb welcome #{member_id})")


@pytest.mark.embedded
def test_delivered_twice_or_as_two_events_it_is_still_one_code(deliver, fake_shop):
    body = customer_body(CUSTOMER)
    deliver("customers/create", body, event_id="evt-1")
    deliver("customers/create", body, event_id="evt-1")  # the same event again: deduped
    deliver("customers/create", body)  # a second event for the same customer: the job re-runs
    assert len(welcome_discounts(fake_shop)) == 1


def test_a_retried_job_after_shopify_created_the_code_adopts_it(deliver, fake_shop, rt, app):
    deliver("customers/create", customer_body(CUSTOMER))
    with rt.sessions() as s:
        member_id = s.scalar(select(Member.id).where(Member.customer_id == CUSTOMER))
    from jobs.engine import issue_welcome_code

    assert issue_welcome_code(member_id) == "exists"
    assert len(welcome_discounts(fake_shop)) == 1


def test_no_welcome_code_when_the_shop_turned_it_off(deliver, fake_shop, rt, shop_id):
    with rt.sessions.begin() as s:
        s.execute(
            update(ProgramSettings)
            .where(ProgramSettings.shop_id == shop_id)
            .values(welcome_discount_percent=0)
        )
    deliver("customers/create", customer_body(CUSTOMER))
    assert welcome_discounts(fake_shop) == []


def test_shopify_down_leaves_the_job_to_rq_retry_and_no_code(
    deliver, fake_shop, fake_shopify, rt, app
):
    for _ in range(4):  # the client's own retries included
        fake_shopify.fail_next_graphql_request(503)
    deliver("customers/create", customer_body(CUSTOMER), drain_jobs=False)
    drain(app, raise_failures=False)
    assert welcome_discounts(fake_shop) == []
    scheduled = rt.queue("shopify").scheduled_job_registry.get_job_ids()
    assert any(job_id.startswith("welcome-") for job_id in scheduled)
