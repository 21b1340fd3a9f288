"""Recorded events are processed by a worker exactly once; stranded ones are swept back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from jobs.sweeper import sweep_outbox
from loyalty.core.models import EventStatus, Shop, WebhookEvent
from tests.support.jobs import drain

SHOP_UPDATE = {"id": 548380009, "name": "Renamed", "currency": "EUR", "primary_locale": "nb-NO"}


def event_rows(rt):
    with rt.sessions() as s:
        return list(s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def shop_row(rt):
    with rt.sessions() as s:
        return s.scalars(select(Shop)).one()


@pytest.mark.embedded
def test_a_worker_applies_the_event_and_marks_it_processed(app, rt, shop, post_webhook):
    post_webhook("shop/update", SHOP_UPDATE)
    assert drain(app) == 1
    [event] = event_rows(rt)
    assert event.status == EventStatus.PROCESSED and event.processed_at and event.attempts == 1
    row = shop_row(rt)
    assert (row.name, row.currency, row.locale, row.shopify_shop_id) == (
        "Renamed",
        "EUR",
        "nb",
        548380009,
    )


def test_a_job_run_twice_does_nothing_the_second_time(app, rt, shop, post_webhook):
    from webhooks.process import process_event

    post_webhook("shop/update", SHOP_UPDATE)
    drain(app)
    [event] = event_rows(rt)
    with app.app_context():
        assert process_event(event.id) == "already finished"
    assert event_rows(rt)[0].attempts == 1


def test_redis_down_at_intake_then_the_sweeper_enqueues_and_it_is_applied_once(
    app, rt, shop, post_webhook, monkeypatch, dead_redis
):
    live = rt.queue("webhooks")
    monkeypatch.setitem(rt.queues, "webhooks", Queue("webhooks", connection=dead_redis))
    assert post_webhook("shop/update", SHOP_UPDATE).status_code == 200
    assert drain(app) == 0  # nothing reached the queue
    monkeypatch.setitem(rt.queues, "webhooks", live)

    with app.app_context():
        assert sweep_outbox(older_than=timedelta(minutes=1)) == 0  # not stranded long enough
        assert sweep_outbox(older_than=timedelta(0)) == 1
        sweep_outbox(older_than=timedelta(0))  # a second sweep while queued adds nothing
    assert drain(app) == 1
    assert [e.status for e in event_rows(rt)] == [EventStatus.PROCESSED]
    assert shop_row(rt).currency == "EUR"
    with app.app_context():
        sweep_outbox(older_than=timedelta(0))
    assert drain(app) == 0


def test_a_job_lost_with_its_worker_is_swept_back_and_processed(app, rt, shop, post_webhook):
    """A worker killed mid-job leaves the row ``enqueued`` and the job gone: the row wins."""
    post_webhook("shop/update", SHOP_UPDATE)
    rt.queue("webhooks").empty()  # the job vanished (worker SIGKILLed, Redis lost it)
    with app.app_context():
        assert sweep_outbox(older_than=timedelta(0)) == 1
    assert drain(app) == 1
    assert [e.status for e in event_rows(rt)] == [EventStatus.PROCESSED]


def test_app_uninstalled_drops_tokens_but_keeps_the_shop(app, rt, shop, post_webhook):
    post_webhook("app/uninstalled", {"id": 548380009, "domain": shop.domain})
    drain(app)
    row = shop_row(rt)
    assert row.uninstalled_at is not None and row.access_token_encrypted is None
    assert not row.is_installed


def test_a_late_app_uninstalled_from_before_a_reinstall_is_not_applied(app, rt, shop, post_webhook):
    post_webhook(
        "app/uninstalled",
        {"id": 548380009},
        headers={"X-Shopify-Triggered-At": "2020-01-01T00:00:00Z"},
    )
    drain(app)
    assert shop_row(rt).is_installed
