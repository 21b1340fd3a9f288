"""``WEBHOOK_ENQUEUE_WINDOW_MS``: deliveries close together are enqueued together, none lost.

A web process enqueues a delivery at once when no window is open, then gathers the ids of the
deliveries that follow and enqueues them in one call when the window ends (a timer thread).
Through the real entry points: signed posts to ``POST /webhooks``, the app's worker, balances
read through ``GET /api/members/{id}``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq import Queue

from jobs import batch_list
from jobs.batch_list import batch_key
from jobs.sweeper import sweep_outbox
from loyalty.core.models import EventStatus
from tests.support.jobs import drain
from tests.support.orders import CUSTOMERS, post_orders, statuses
from tests.support.workers import wait_for, worker_env

WINDOW_MS = 1000
"""Long enough that a test's posts all fall in one window, however slow the machine."""


@pytest.fixture
def config(config):
    return config.with_overrides(webhook_batch_size=5, webhook_enqueue_window_ms=WINDOW_MS)


@pytest.fixture
def appends(monkeypatch):
    """The batch appends the intake makes (each is one Redis call), as lists of ids."""
    calls: list[list[int]] = []
    real = batch_list.append

    def counted(queue, event_ids, batch_size):
        calls.append(list(event_ids))
        real(queue, event_ids, batch_size)

    monkeypatch.setattr(batch_list, "append", counted)
    return calls


def waiting(rt) -> int:
    return int(rt.redis.llen(batch_key("webhooks")))


@pytest.mark.embedded
def test_a_flood_shares_one_redis_call_and_every_balance_is_right(
    app, rt, shop, post_webhook, balance, appends
):
    expected = post_orders(post_webhook, 7)
    # The first delivery was enqueued before its answer; the six after it wait for the window.
    assert len(appends) == 1 and waiting(rt) == 1
    wait_for("the window to close", lambda: waiting(rt) == 7)
    assert [len(ids) for ids in appends] == [1, 6]
    # Seven ids over batches of five: the first and the sixth each queued a drain job.
    assert len(rt.queue("webhooks").get_job_ids()) == 2
    drain(app, ["webhooks"])
    assert statuses(rt) == {EventStatus.PROCESSED}
    assert {c: balance(c) for c in CUSTOMERS} == expected


@pytest.mark.embedded
def test_a_quiet_shops_deliveries_are_each_enqueued_before_the_answer(
    rt, shop, post_webhook, config, monkeypatch, appends
):
    monkeypatch.setattr(rt, "config", config.with_overrides(webhook_enqueue_window_ms=5))
    for n in range(3):
        time.sleep(0.05)  # quiet: the last window has long closed
        post_orders(post_webhook, 1, first_id=6000 + n)
        assert waiting(rt) == n + 1  # queued before the answer came back
    assert [len(ids) for ids in appends] == [1, 1, 1]


@pytest.mark.embedded
def test_redis_down_when_the_window_closes_leaves_the_rows_to_the_sweeper(
    app, rt, shop, post_webhook, balance, monkeypatch, dead_redis
):
    live = rt.queue("webhooks")
    monkeypatch.setitem(rt.queues, "webhooks", Queue("webhooks", connection=dead_redis))
    expected = post_orders(post_webhook, 4)
    # Every row is committed; none could be queued, so all go back to ``received``.
    wait_for("the window to close", lambda: statuses(rt) == {EventStatus.RECEIVED})
    monkeypatch.setitem(rt.queues, "webhooks", live)
    assert waiting(rt) == 0
    assert sweep_outbox(older_than=timedelta(0)) == 4
    drain(app, ["webhooks"])
    assert sweep_outbox(older_than=timedelta(0)) == 0
    assert statuses(rt) == {EventStatus.PROCESSED}
    assert {c: balance(c) for c in CUSTOMERS} == expected


def test_compliance_topics_and_a_job_per_event_are_never_held(
    rt, shop, post_webhook, config, monkeypatch, appends
):
    post_orders(post_webhook, 1)
    post_webhook("customers/redact", {"shop_domain": shop.domain, "customer": {"id": 1}})
    assert rt.queue("privacy").get_job_ids()  # queued before the answer, window or not
    monkeypatch.setattr(rt, "config", config.with_overrides(webhook_batch_size=1))
    post_orders(post_webhook, 1, first_id=7000)
    assert len(appends) == 1  # only the first order went through the batch list
    assert any(job.startswith("event-") for job in rt.queue("webhooks").get_job_ids())


def test_a_gunicorn_worker_stopped_by_sigterm_enqueues_what_it_gathered(
    rt, shop, config, redis_url, tmp_path
):
    """A redeploy stops gunicorn with SIGTERM; its worker exits through Python's atexit."""
    import json
    import signal

    import requests

    from loyalty.core.config import DEMO_API_SECRET
    from loyalty.shopify.signatures import webhook_signature
    from tests.support.config import free_port

    env = worker_env(config, redis_url)
    env["WEBHOOK_ENQUEUE_WINDOW_MS"] = "1000"  # the window is still open at SIGTERM
    port = free_port()
    log = tmp_path / "gunicorn.log"
    argv = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}"]
    with log.open("wb") as sink:
        server = subprocess.Popen([*argv, "app:create_app()"], env=env, stdout=sink, stderr=sink)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for("gunicorn", lambda: _answers(requests, f"{url}/healthz"), log)
        for n in range(3):
            body = json.dumps({"id": 1, "email": None}).encode()
            headers = {
                "X-Shopify-Topic": "customers/update",
                "X-Shopify-Hmac-Sha256": webhook_signature(body, DEMO_API_SECRET),
                "X-Shopify-Shop-Domain": shop.domain,
                "X-Shopify-Event-Id": f"evt-exit-{n}",
            }
            response = requests.post(f"{url}/webhooks", data=body, headers=headers, timeout=10)
            assert response.json() == {"status": "accepted"}
        assert waiting(rt) == 1  # the first at once; two wait for the window
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
    assert waiting(rt) == 3
    assert statuses(rt) == {EventStatus.ENQUEUED}


def _answers(requests, url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
