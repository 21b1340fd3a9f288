"""End-to-end benchmark: signed orders in, every balance right, on PostgreSQL + Redis.

    .venv/bin/python bench/end_to_end.py [--orders 2000] [--customers 200] [--workers 2]

1. Baseline, in the same run: N no-op jobs (bench/noop.py) through the same number of the
   app's forking RQ workers; the rate at which they drain.
2. N signed ``orders/paid`` webhooks posted to the app under gunicorn while no worker runs
   (the intake's rate is reported too), then the workers start; the rate at which the events
   drain, and a check that every member's balance is exactly the signup bonus plus what their
   orders earn.

Both rates are timed from the first job's start to the last one's end by the jobs' and events'
own timestamps (RQ's started_at/ended_at; the events' processed_at), so worker start-up counts
in neither. The result is orders/s ÷ no-op jobs/s (target >= 0.5). Worker memory is
reported after the run. The app runs with its default ``WEBHOOK_BATCH_SIZE`` (50: up to 50
events per job, webhooks/batch.py) unless ``--batch N`` sets it; ``--batch 1`` is one job per
event.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
import redis
import requests
from rq import Queue
from rq.job import Job
from rq.registry import FinishedJobRegistry

from bench.common import app_env, fresh_database, prepare_app_database
from bench.processes import gunicorn, rss_mib, workers
from bench.webhook_bodies import dumps, order_body, webhook_headers

DATABASE = "klubb_bench_e2e"
SIGNUP_BONUS = 100


def wait_for(total: int, finished: Callable[[], int], timeout: float = 900) -> None:
    """Wait until ``finished()`` reaches ``total``."""
    deadline = time.monotonic() + timeout
    while finished() < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{finished()} of {total} finished in {timeout} s")
        time.sleep(0.05)


def noop_rate(registry: FinishedJobRegistry, total: int) -> float:
    """Jobs/s from the first job's start to the last one's end, from RQ's own timestamps."""
    wait_for(total, registry.get_job_count)
    jobs = [j for j in Job.fetch_many(registry.get_job_ids(), registry.connection) if j]
    first = min(j.started_at for j in jobs if j.started_at)
    last = max(j.ended_at for j in jobs if j.ended_at)
    return len(jobs) / (last - first).total_seconds()


def order_rate(db_url: str, total: int) -> float:
    """Events/s from the first event processed to the last, from the events' own timestamps."""
    conn = psycopg.connect(db_url.replace("+psycopg", ""), autocommit=True)

    def processed() -> int:
        row = conn.execute("SELECT count(*) FROM webhook_events WHERE status = 'processed'")
        return int(row.fetchone()[0])  # type: ignore[index]

    wait_for(total, processed)
    # A batch's first event is processed_at one event's work after its job started, so the
    # span is short by about one event: negligible against thousands.
    first, last = conn.execute(
        "SELECT min(processed_at), max(processed_at) FROM webhook_events"
    ).fetchone()  # type: ignore[misc]
    conn.close()
    return (total - 1) / (last - first).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--batch",
        type=int,
        default=None,
        help="WEBHOOK_BATCH_SIZE (default: the app's, 50; 1: a job per event)",
    )
    args = parser.parse_args()

    db_url = fresh_database(DATABASE)
    prepare_app_database(db_url)
    batch = {} if args.batch is None else {"WEBHOOK_BATCH_SIZE": str(args.batch)}
    env = app_env(db_url, **batch)
    conn = redis.Redis.from_url(env["REDIS_URL"])

    # 1. The baseline: no-op jobs.
    noop_queue = Queue("bench", connection=conn)
    noop_queue.enqueue_many(
        [Queue.prepare_data("bench.noop.noop", result_ttl=3600) for _ in range(args.orders)]
    )
    with workers(args.workers, "bench", env):
        baseline = noop_rate(FinishedJobRegistry("bench", connection=conn), args.orders)

    # 2. Orders: posted signed, then drained by the workers.
    rng = random.Random(2026)
    customers = [7_000_000_000 + n for n in range(args.customers)]
    orders = [
        (9_000_000_000 + n, rng.choice(customers), rng.randint(50, 2000))
        for n in range(args.orders)
    ]
    expected: dict[int, int] = {}
    for _order_id, customer_id, amount in orders:
        expected[customer_id] = expected.get(customer_id, SIGNUP_BONUS) + amount

    with gunicorn("app:create_app()", env) as server:
        session = requests.Session()

        def post(order: tuple[int, int, int]) -> int:
            body = dumps(order_body(*order))
            headers = webhook_headers("orders/paid", f"bench-order-{order[0]}", body)
            return session.post(f"{server.url}/webhooks", data=body, headers=headers).status_code

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post, orders))
        intake_rate = len(orders) / (time.monotonic() - started)
    assert all(status == 200 for status in statuses), set(statuses)

    with workers(args.workers, "webhooks", env) as procs:
        rate = order_rate(db_url, args.orders)
        memory = [rss_mib(proc.pid) for proc in procs]

    with psycopg.connect(db_url.replace("+psycopg", "")) as db:
        balances = dict(db.execute("SELECT customer_id, points_balance FROM members").fetchall())
        processed = db.execute(
            "SELECT count(*) FROM webhook_events WHERE status = 'processed'"
        ).fetchone()[0]
    wrong = {c: (balances.get(c), want) for c, want in expected.items() if balances.get(c) != want}

    print(
        f"orders: {args.orders} for {args.customers} customers, {args.workers} workers, "
        f"WEBHOOK_BATCH_SIZE={args.batch or 'the default (50)'}"
    )
    print(f"no-op jobs (baseline):  {baseline:7.1f} jobs/s")
    print(f"intake (8 posting threads): {intake_rate:7.1f} orders/s")
    print(f"orders processed:       {rate:7.1f} orders/s  ({processed} events processed)")
    print(f"ratio orders / no-op:   {rate / baseline:7.2f}   (target >= 0.5)")
    print(f"balances right:         {len(expected) - len(wrong)} of {len(expected)}")
    print(f"worker RSS (parent):    {', '.join(f'{m:.0f} MiB' for m in memory)}")
    if wrong:
        raise SystemExit(f"wrong balances: {list(wrong.items())[:5]}")


if __name__ == "__main__":
    main()
