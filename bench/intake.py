"""Intake benchmark: signed ``orders/paid`` posts to ``POST /webhooks`` under gunicorn.

    .venv/bin/python bench/intake.py [--seconds 10] [--connections 16]

Both servers run under the same gunicorn settings in the same run: the app (verify, record,
dedupe, enqueue) and a bare Flask endpoint (bench/bare_app.py). Each is driven to saturation
with wrk (a fresh X-Shopify-Event-Id per request, so every post is a new event); the ratio of
the two rates is the result (target >= 0.35). Then the app is driven at half its saturating
rate (wrk connections paced with a delay) and its latency percentiles reported (target p99 <
50 ms). Memory per gunicorn worker is reported after the run. No worker runs: the jobs stay
queued, and the run checks that every recorded event waits for one. The app's default
``WEBHOOK_BATCH_SIZE`` (50) has the intake append the event id to a Redis list and queue a drain
job per batch (webhooks/batch.py), gathering the ids of deliveries that arrive within
``WEBHOOK_ENQUEUE_WINDOW_MS`` (20) of an enqueue into one call (webhooks/enqueue_window.py);
``--window 0`` enqueues each delivery before its answer, ``--batch 1`` queues an RQ job per
event.
"""

from __future__ import annotations

import argparse
import statistics

import psycopg
import redis

from bench.common import app_env, fresh_database, prepare_app_database
from bench.load import wrk
from bench.processes import gunicorn, rss_mib
from bench.webhook_bodies import dumps, order_body
from jobs.batch_list import batch_key

DATABASE = "klubb_bench_intake"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--batch",
        type=int,
        default=None,
        help="WEBHOOK_BATCH_SIZE (default: the app's, 50; 1: a job per event)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=None,
        help="WEBHOOK_ENQUEUE_WINDOW_MS (default: the app's, 20; 0: each delivery at once)",
    )
    args = parser.parse_args()

    db_url = fresh_database(DATABASE)
    prepare_app_database(db_url)
    settings = {} if args.batch is None else {"WEBHOOK_BATCH_SIZE": str(args.batch)}
    if args.window is not None:
        settings["WEBHOOK_ENQUEUE_WINDOW_MS"] = str(args.window)
    env = app_env(db_url, **settings)
    body = dumps(order_body(820982911946154508, 115310627314723954, 499))

    with gunicorn("bench.bare_app:app", env) as bare:
        wrk(bare.url, body, "orders/paid", seconds=2, connections=4)  # warm-up
        baseline = wrk(
            bare.url, body, "orders/paid", seconds=args.seconds, connections=args.connections
        )

    with gunicorn("app:create_app()", env) as server:
        wrk(server.url, body, "orders/paid", seconds=2, connections=4)  # warm-up
        saturated = wrk(
            server.url, body, "orders/paid", seconds=args.seconds, connections=args.connections
        )
        half = saturated.requests_per_s / 2
        paced_connections = 8
        # Each connection waits delay_ms between requests: rate ~ connections * 1000 / delay.
        delay_ms = paced_connections * 1000 / half
        paced = wrk(
            server.url,
            body,
            "orders/paid",
            seconds=args.seconds,
            connections=paced_connections,
            delay_ms=delay_ms,
        )
        memory = [rss_mib(pid) for pid in server.worker_pids()]

    with psycopg.connect(db_url.replace("+psycopg", ""), autocommit=True) as conn:
        recorded = conn.execute("SELECT count(*) FROM webhook_events").fetchone()[0]
        not_queued = conn.execute(
            "SELECT count(*) FROM webhook_events WHERE status <> 'enqueued'"
        ).fetchone()[0]
    # Every recorded event must be waiting for a worker: in the batch list, or (--batch 1) as
    # an RQ job. gunicorn has stopped, so any enqueue window has closed.
    waiting = redis.Redis.from_url(env["REDIS_URL"])
    queued = waiting.llen("rq:queue:webhooks" if args.batch == 1 else batch_key("webhooks"))

    ratio = saturated.requests_per_s / baseline.requests_per_s
    print(
        f"bare Flask endpoint:  {baseline.requests_per_s:8.0f} req/s  (non-2xx {baseline.non_2xx})"
    )
    print(
        f"POST /webhooks:       {saturated.requests_per_s:8.0f} req/s  (non-2xx {saturated.non_2xx})"
    )
    print(f"ratio intake / bare:  {ratio:8.2f}   (target >= 0.35)")
    print(
        f"at half saturation:   {paced.requests_per_s:8.0f} req/s  "
        f"p50 {paced.latency_ms.get('50', 0):.1f} ms  p90 {paced.latency_ms.get('90', 0):.1f} ms  "
        f"p99 {paced.latency_ms.get('99', 0):.1f} ms  (target p99 < 50 ms; non-2xx {paced.non_2xx})"
    )
    print(
        f"events recorded:      {recorded}; waiting for a worker: {queued}"
        f" ({'every one' if queued == recorded and not not_queued else 'NOT every one'})"
    )
    print(
        f"gunicorn worker RSS:  median {statistics.median(memory):.0f} MiB, "
        f"max {max(memory):.0f} MiB over {len(memory)} workers"
    )


if __name__ == "__main__":
    main()
