"""What a member changes reaches Shopify: consents by the consent mutations, Klubb-owned fields
as the customer's ``$app:loyalty`` metafields. Jobs run on the real worker against the fake
Shopify, which validates every document against Shopify's schema."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from loyalty.core.types import utcnow
from tests.support.jobs import drain
from tests.support.members import CID
from tests.support.people import INGEBORG
from tests.support.shops import SHOP

NS = "$app:loyalty"
GID = f"gid://shopify/Customer/{CID}"


def metafield(fake_shop, key):
    found = fake_shop.metafield(GID, NS, key)
    return None if found is None else (found.type, found.value)


def mutations(fake, name):
    """Variables of the GraphQL requests the fake received whose document names ``name``."""
    return [r["variables"] for r in fake.graphql_requests if name in r["query"]]


@pytest.mark.embedded
def test_a_consent_change_reaches_shopify(app, me, rt, ingeborg, fake_shop, fake_shopify):
    me("PUT", "/consents", json={"email": True, "sms": False})  # email already granted
    me("PUT", "/consents", json={"email": False})
    assert drain(app, ["shopify"]) == 2

    customer = fake_shop.customer(CID)
    assert customer.email_consent.state == "UNSUBSCRIBED"
    assert customer.sms_consent.state == "UNSUBSCRIBED"
    [email] = mutations(fake_shopify, "customerEmailMarketingConsentUpdate")
    assert email["input"]["customerId"] == GID
    consent = email["input"]["emailMarketingConsent"]
    assert consent["marketingState"] == "UNSUBSCRIBED"
    assert consent["marketingOptInLevel"] == "SINGLE_OPT_IN"
    assert consent["consentUpdatedAt"]


def test_granting_consent_subscribes_the_customer_in_shopify(app, me, rt, ingeborg, fake_shop):
    me("PUT", "/consents", json={"email": False, "sms": False})
    drain(app, ["shopify"])
    me("PUT", "/consents", json={"email": True, "sms": True})
    drain(app, ["shopify"])
    customer = fake_shop.customer(CID)
    assert (customer.email_consent.state, customer.sms_consent.state) == (
        "SUBSCRIBED",
        "SUBSCRIBED",
    )


def test_an_older_change_never_overwrites_a_newer_one(app, me, rt, ingeborg, fake_shop):
    """Both jobs queued before either runs: only the newest state is pushed."""
    me("PUT", "/consents", json={"sms": False})
    me("PUT", "/consents", json={"sms": True})
    jobs = rt.queue("shopify").get_jobs()
    drain(app, ["shopify"])
    results = sorted(job.latest_result().return_value for job in jobs)
    assert results == ["pushed", "superseded"]
    assert fake_shop.customer(CID).sms_consent.state == "SUBSCRIBED"


def test_shopify_refusing_sms_consent_without_a_phone_ends_the_job_quietly(
    app, me, rt, ingeborg, fake_shop, caplog
):
    fake_shop.customer(CID).phone = None
    caplog.set_level(logging.INFO)
    me("PUT", "/consents", json={"sms": False})
    [job] = rt.queue("shopify").get_jobs()
    assert drain(app, ["shopify"]) == 1  # no exception: a retry cannot fix it
    assert job.latest_result().return_value == "refused"
    assert "INVALID" in caplog.text
    assert INGEBORG.phone not in caplog.text


@pytest.mark.embedded
def test_corrected_fields_become_customer_metafields(app, me, rt, ingeborg, fake_shop):
    me("PATCH", json={"birthday": "1990-02-28", "preferred_name": "Inge", "language": "en"})
    drain(app, ["shopify"])
    assert metafield(fake_shop, "birthday") == ("date", "1990-02-28")
    assert metafield(fake_shop, "preferred_name") == ("single_line_text_field", "Inge")
    assert metafield(fake_shop, "language") == ("single_line_text_field", "en")

    me("PATCH", json={"preferred_name": None})
    drain(app, ["shopify"])
    assert metafield(fake_shop, "preferred_name") is None
    assert metafield(fake_shop, "birthday") == ("date", "1990-02-28")


def put_balance_and_tag(fake_shop):
    """What the engine's balance sync leaves on a member: the points metafield and the tag."""
    from loyalty.shopify.metafields import BalanceSnapshot, write_balance
    from runtime import shop_access_token, shopify_client

    write_balance(shopify_client(), shop_access_token, BalanceSnapshot(SHOP, CID, 270))
    assert metafield(fake_shop, "points") == ("number_integer", "270")
    assert "klubb-member" in fake_shop.customer(CID).tags


def test_leaving_removes_everything_klubb_put_on_the_customer(
    app, me, rt, ingeborg, fake_shop, fake_shopify
):
    me("PATCH", json={"language": "en"})
    drain(app, ["shopify"])
    assert metafield(fake_shop, "language") is not None
    put_balance_and_tag(fake_shop)

    me("DELETE", json={"confirm": "LEAVE"})
    jobs = rt.queue("shopify").get_jobs()
    [job] = [j for j in jobs if j.func_name == "jobs.shopify_sync.clean_up_departure"]
    assert pending_departures(rt) == [CID]  # the customer id waits on the request until done
    drain(app, ["shopify"])
    assert job.latest_result().return_value == "removed"
    assert pending_departures(rt) == []
    for key in ("birthday", "preferred_name", "language", "points"):
        assert metafield(fake_shop, key) is None
    assert "klubb-member" not in fake_shop.customer(CID).tags
    # Leaving the club is not unsubscribing from the shop: Shopify's consent is untouched.
    assert mutations(fake_shopify, "MarketingConsentUpdate") == []


def pending_departures(rt) -> list[int]:
    from sqlalchemy import select

    from loyalty.core.models import PrivacyRequest

    with rt.sessions() as s:
        return list(
            s.scalars(
                select(PrivacyRequest.shopify_cleanup_customer_id).where(
                    PrivacyRequest.shopify_cleanup_customer_id.is_not(None)
                )
            )
        )


def test_leaving_while_redis_is_down_still_cleans_up_shopify_through_the_sweeper(
    app, me, rt, ingeborg, fake_shop, monkeypatch, dead_redis
):
    """The member has left (200) though no job could be queued; a minute on, the push sweeper
    queues the cleanup, which removes Klubb's data from the customer and then forgets the id."""
    from rq import Queue

    from jobs.shopify_sync import sweep_pending_pushes

    me("PATCH", json={"language": "en"})
    drain(app, ["shopify"])
    put_balance_and_tag(fake_shop)
    live = rt.queue("shopify")
    monkeypatch.setitem(rt.queues, "shopify", Queue("shopify", connection=dead_redis))
    assert me("DELETE", json={"confirm": "LEAVE"}).status_code == 200
    monkeypatch.setitem(rt.queues, "shopify", live)
    assert drain(app, ["shopify"]) == 0
    assert pending_departures(rt) == [CID]

    assert sweep_pending_pushes(rt) == 0  # not pending for a minute yet
    later = utcnow() + timedelta(minutes=2)
    assert sweep_pending_pushes(rt, now=later) == 1
    assert sweep_pending_pushes(rt, now=later) == 0  # queued once
    assert drain(app, ["shopify"]) == 1
    assert metafield(fake_shop, "language") is None
    assert metafield(fake_shop, "points") is None
    assert "klubb-member" not in fake_shop.customer(CID).tags
    assert pending_departures(rt) == []
    assert sweep_pending_pushes(rt, now=later) == 0


def make_ingeborg_inactive(app, me, rt, fake_shop) -> None:
    """Klubb's fields, balance and tag on her in Shopify, and three years without activity."""
    from sqlalchemy import update

    from loyalty.core.models import Member

    me("PATCH", json={"language": "en"})
    drain(app, ["shopify"])
    put_balance_and_tag(fake_shop)
    with rt.sessions.begin() as s:
        s.execute(update(Member).values(last_activity_at=utcnow() - timedelta(days=3 * 365)))


def assert_removed_from_shopify(fake_shop) -> None:
    for key in ("language", "points"):
        assert metafield(fake_shop, key) is None
    assert "klubb-member" not in fake_shop.customer(CID).tags


def test_anonymising_after_inactivity_removes_them_too(app, me, rt, ingeborg, fake_shop):
    make_ingeborg_inactive(app, me, rt, fake_shop)
    rt.queue("privacy").enqueue("jobs.retention.anonymise_inactive_members")
    drain(app, ["privacy"])
    # The same durable cleanup as leaving: the record keeps the id until Shopify is cleaned.
    assert pending_departures(rt) == [CID]
    [job] = rt.queue("shopify").get_jobs()
    drain(app, ["shopify"])
    assert job.latest_result().return_value == "removed"
    assert pending_departures(rt) == []
    assert_removed_from_shopify(fake_shop)


def test_anonymising_while_redis_is_down_still_cleans_up_shopify_through_the_sweeper(
    app, me, rt, ingeborg, fake_shop, monkeypatch, dead_redis
):
    from rq import Queue

    from jobs.shopify_sync import sweep_pending_pushes

    make_ingeborg_inactive(app, me, rt, fake_shop)
    live = rt.queue("shopify")
    monkeypatch.setitem(rt.queues, "shopify", Queue("shopify", connection=dead_redis))
    rt.queue("privacy").enqueue("jobs.retention.anonymise_inactive_members")
    drain(app, ["privacy"])
    monkeypatch.setitem(rt.queues, "shopify", live)
    assert drain(app, ["shopify"]) == 0
    assert pending_departures(rt) == [CID]
    later = utcnow() + timedelta(minutes=2)
    assert sweep_pending_pushes(rt, now=later) == 1
    drain(app, ["shopify"])
    assert pending_departures(rt) == []
    assert_removed_from_shopify(fake_shop)


def test_jobs_carry_ids_only(me, rt, ingeborg):
    me("PATCH", json={"preferred_name": "Inge"})
    me("PUT", "/consents", json={"email": False})
    for job in rt.queue("shopify").get_jobs():
        assert all(isinstance(a, int) for a in job.args) and job.kwargs == {}


def test_a_shop_that_uninstalled_meanwhile_is_skipped(app, me, rt, ingeborg, fake_shop):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from loyalty.core.models import Shop

    me("PUT", "/consents", json={"email": False})
    with rt.sessions.begin() as s:
        s.execute(update(Shop).values(uninstalled_at=datetime.now(UTC)))
    [job] = rt.queue("shopify").get_jobs()
    drain(app, ["shopify"])
    assert job.latest_result().return_value == "shop not installed"
