"""A member's consent and profile changes reach Shopify even when Redis is down at the change.

The change and its "push pending" marker are committed together; the sweeper (a periodic job)
enqueues what is still pending after a minute; a push acts once however many copies run.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from rq import Queue
from sqlalchemy import select, update

from loyalty.core.models import ConsentEvent, Member
from loyalty.core.types import utcnow
from tests.selfservice.test_shopify_sync import GID, NS, mutations
from tests.support.jobs import drain
from tests.support.members import CID, member_of

SWEEP = "jobs.schedule.sweep_pending_pushes"


@pytest.fixture
def shopify_queue_down(rt, monkeypatch, dead_redis):
    """The shopify queue's Redis does not answer (as in an outage); ``.restore()`` ends it."""
    live = rt.queue("shopify")
    monkeypatch.setitem(rt.queues, "shopify", Queue("shopify", connection=dead_redis))
    return SimpleNamespace(restore=lambda: monkeypatch.setitem(rt.queues, "shopify", live))


def age_pending_pushes(rt, by=timedelta(minutes=2)):
    """Date every pending marker ``by`` ago, as if the change were that old."""
    then = utcnow() - by
    with rt.sessions.begin() as s:
        for column in (ConsentEvent.push_pending_since, Member.fields_push_pending_since):
            s.execute(update(column.class_).where(column.is_not(None)).values({column: then}))


def run_sweeper(app, rt):
    """The scheduled sweeper job, then whatever it enqueued, on the real worker."""
    rt.queue("shopify").enqueue(SWEEP)
    return drain(app, ["shopify"])


def pending_consents(rt):
    with rt.sessions() as s:
        return list(
            s.scalars(select(ConsentEvent.id).where(ConsentEvent.push_pending_since.is_not(None)))
        )


@pytest.mark.embedded
def test_a_consent_change_while_redis_is_down_is_pushed_once_by_the_sweeper(
    app, me, rt, ingeborg, fake_shop, fake_shopify, shopify_queue_down
):
    response = me("PUT", "/consents", json={"email": False})
    assert response.status_code == 200
    assert response.get_json()["changed"] == ["email"]
    assert member_of(rt, ingeborg.member_id).email_consent is False
    assert len(pending_consents(rt)) == 1  # the change and its pending push, together
    shopify_queue_down.restore()
    assert rt.queue("shopify").count == 0  # the push was not enqueued

    assert run_sweeper(app, rt) == 1  # too young: the widget's own job may still be on its way
    age_pending_pushes(rt)
    assert run_sweeper(app, rt) == 2  # the sweeper, and the push it enqueued

    [push] = mutations(fake_shopify, "customerEmailMarketingConsentUpdate")
    assert push["input"]["customerId"] == GID
    assert push["input"]["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    assert fake_shop.customer(CID).email_consent.state == "UNSUBSCRIBED"
    assert pending_consents(rt) == []

    assert run_sweeper(app, rt) == 1  # nothing left: no second push
    assert len(mutations(fake_shopify, "customerEmailMarketingConsentUpdate")) == 1


@pytest.mark.embedded
def test_a_profile_change_while_redis_is_down_reaches_the_metafields_once(
    app, me, rt, ingeborg, fake_shop, fake_shopify, shopify_queue_down
):
    response = me("PATCH", json={"preferred_name": "Inge"})
    assert response.status_code == 200
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is not None
    shopify_queue_down.restore()
    age_pending_pushes(rt)

    assert run_sweeper(app, rt) == 2
    found = fake_shop.metafield(GID, NS, "preferred_name")
    assert (found.type, found.value) == ("single_line_text_field", "Inge")
    assert len(mutations(fake_shopify, "metafieldsSet")) == 1
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is None
    run_sweeper(app, rt)
    assert len(mutations(fake_shopify, "metafieldsSet")) == 1


@pytest.mark.embedded
def test_a_restriction_while_redis_is_down_takes_the_member_tag_off_by_the_sweeper(
    app, me, rt, ingeborg, fake_shop, fake_shopify, shopify_queue_down
):
    """Art. 18 from the widget: the tag that puts the member in marketing segments comes off
    even when the push could not be queued at the change; lifting puts it back the same way."""
    fake_shop.customer(CID).tags = ["klubb-member", "vip"]
    assert me("POST", "/restriction", json={}).get_json() == {"status": "restricted"}
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is not None
    shopify_queue_down.restore()
    assert rt.queue("shopify").count == 0  # the push was not enqueued
    age_pending_pushes(rt)

    assert run_sweeper(app, rt) == 2  # the sweeper, and the push it enqueued
    assert fake_shop.tags_of(GID) == ["vip"]
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is None

    assert me("DELETE", "/restriction", json={}).get_json() == {"status": "active"}
    drain(app, ["shopify"])  # Redis is back: the widget's own job
    assert sorted(fake_shop.tags_of(GID)) == ["klubb-member", "vip"]


def test_the_widgets_job_and_the_sweepers_copy_push_once(
    app, me, rt, ingeborg, fake_shop, fake_shopify
):
    """Redis up, but the widget's job still waits when the sweeper runs: two jobs, one push."""
    me("PUT", "/consents", json={"sms": False})
    me("PATCH", json={"language": "en"})
    age_pending_pushes(rt)
    rt.queue("shopify").enqueue(SWEEP)
    drain(app, ["shopify"])
    assert len(mutations(fake_shopify, "customerSmsMarketingConsentUpdate")) == 1
    assert len(mutations(fake_shopify, "metafieldsSet")) == 1
    assert fake_shop.customer(CID).sms_consent.state == "UNSUBSCRIBED"


def test_a_change_made_while_its_push_runs_is_pushed_after_it(
    app, me, rt, ingeborg, fake_shop, monkeypatch
):
    """The push clears only the marker it read: a change committed meanwhile keeps its own."""
    from loyalty.shopify import member_sync

    write = member_sync.write_fields

    def write_while_the_member_changes_again(*args):
        outcome = write(*args)
        with rt.sessions.begin() as s:  # the widget's transaction, landing mid-push
            s.execute(
                update(Member)
                .where(Member.id == ingeborg.member_id)
                .values(preferred_name="Inga", fields_push_pending_since=utcnow())
            )
        monkeypatch.setattr(member_sync, "write_fields", write)
        return outcome

    monkeypatch.setattr(member_sync, "write_fields", write_while_the_member_changes_again)
    me("PATCH", json={"preferred_name": "Inge"})
    drain(app, ["shopify"])
    assert fake_shop.metafield(GID, NS, "preferred_name").value == "Inge"
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is not None

    age_pending_pushes(rt)
    run_sweeper(app, rt)
    assert fake_shop.metafield(GID, NS, "preferred_name").value == "Inga"
    assert member_of(rt, ingeborg.member_id).fields_push_pending_since is None


def test_the_push_sweeper_is_a_periodic_job_every_minute(rt):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    job = jobs["jobs.schedule.sweep_pending_pushes"]
    assert (job.queue_name, job.interval) == ("shopify", 60)
