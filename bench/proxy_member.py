"""Widget API benchmark: signed ``GET /proxy/api/member`` on a large shop, under gunicorn.

    .venv/bin/python -m bench.proxy_member [--members 1000000] [--ledger 10000000] [--reuse]
        [--seconds 8] [--rounds 3] [--connections 16]

The shop in ``klubb_bench_scale`` (bench/seed.py) has ``--members`` members and ``--ledger``
ledger entries; ``--reuse`` keeps the database when it already holds exactly that many (the
seed takes a while), otherwise it is seeded afresh (no orders: the endpoint does not read them).
The shop gets a reward catalogue like a real one's (five redeemable rewards, an ended and a
retired one), which the endpoint lists.

Every request is an app-proxy request signed exactly as Shopify signs it (SHOPIFY.md §6:
``shop``, ``logged_in_customer_id``, ``path_prefix``, ``timestamp``, hex ``signature``), for a
different member each time (the paths are signed just before each wrk run, so timestamps are
fresh, and bench/proxy.lua takes them round-robin). The per-shop rate limit is raised with
``RATE_LIMIT_PER_SHOP`` so the benchmark measures the app, not the limit; the per-shopper limit
stays at its default and is never reached (each shopper asks once or twice a minute).

Results: the endpoint's saturating rate as a ratio of ``GET /healthz`` on the same server in
the same run, and p50/p99 at half the saturating rate (target p99 < 20 ms), next to
``/healthz``'s at the same pace (the floor the machine sets). Each is measured ``--rounds``
times, endpoint and baseline alternating, and the medians reported. Then, in this process
(no server, one client), the service time of 1,000 requests of each, and the SQL one request
runs (captured in-process with a ``before_cursor_execute`` listener) with
``EXPLAIN (ANALYZE, BUFFERS)`` of each statement, for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import psycopg
import redis
import requests

# Not the harness's Redis database: other benchmarks may be running and flush theirs.
os.environ.setdefault("BENCH_REDIS_DB", "10")

from bench import seed as seeding
from bench.common import SECRET, SHOP, app_env, explain_reads
from bench.load import WrkResult, percentile, wrk_paths
from bench.processes import gunicorn, rss_mib
from loyalty.shopify.signatures import proxy_signature

if TYPE_CHECKING:
    from flask import Flask

FIRST_CUSTOMER = 6_000_000_000  # bench/seed.py: member n has customer id FIRST_CUSTOMER + n
PATH_PREFIX = "/apps/klubb"


def signed_member_paths(customer_ids: list[int]) -> list[str]:
    """``/proxy/api/member`` paths with the query Shopify's app proxy adds and signs."""
    timestamp = str(int(time.time()))
    paths = []
    for customer_id in customer_ids:
        params = {
            "shop": [SHOP],
            "logged_in_customer_id": [str(customer_id)],
            "path_prefix": [PATH_PREFIX],
            "timestamp": [timestamp],
        }
        params["signature"] = [proxy_signature(params, SECRET)]
        paths.append("/proxy/api/member?" + urlencode({k: v[0] for k, v in params.items()}))
    return paths


class Shoppers:
    """Distinct members' customer ids, a fresh batch for every run (none asks twice in a row)."""

    def __init__(self, members: int, seed_value: int = 6) -> None:
        self.members = members
        self.random = random.Random(seed_value)

    def batch(self, size: int) -> list[int]:
        numbers = self.random.sample(range(1, self.members + 1), min(size, self.members))
        return [FIRST_CUSTOMER + n for n in numbers]


def check_answer(base_url: str, customer_id: int, db_url: str) -> None:
    """One request by hand: 200, the member found, the balance the database holds."""
    path = signed_member_paths([customer_id])[0]
    answer = requests.get(base_url + path, timeout=30)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    body = answer.json()
    with psycopg.connect(db_url.replace("+psycopg", "")) as conn:
        balance = conn.execute(
            "SELECT points_balance FROM members WHERE customer_id = %s", (customer_id,)
        ).fetchone()[0]
    assert body["member"] is True and body["points_balance"] == balance, body
    assert answer.headers["Cache-Control"] == "private, no-store"


def in_process_app(env: dict[str, str]) -> Flask:
    """The app in this process, configured as the servers are."""
    os.environ.update(env)
    from app import create_app

    return create_app()


def service_times(app: Flask, paths: list[str]) -> list[float]:
    """Milliseconds each request takes in-process, one after the other (no server, no queue)."""
    client = app.test_client()
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def explain_one_request(app: Flask, customer_id: int) -> list[tuple[str, str]]:
    """The statements one in-process request runs, each with its EXPLAIN (ANALYZE, BUFFERS)."""
    path = signed_member_paths([customer_id])[0]

    def request() -> None:
        response = app.test_client().get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    return explain_reads(app.extensions["klubb"].engine, request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded as asked")
    parser.add_argument("--seconds", type=int, default=8, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--shoppers", type=int, default=20_000, help="signed paths per run")
    parser.add_argument("--database", default=seeding.DATABASE)
    args = parser.parse_args()

    db_url = seeding.scale_database(args.database, args.members, args.ledger, args.reuse)
    seeding.ensure_rewards(db_url)
    env = app_env(db_url, RATE_LIMIT_PER_SHOP=str(10**9))
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # a reused run's rate-limit counters
    shoppers = Shoppers(args.members)
    size = min(args.shoppers, args.members)

    with gunicorn("app:create_app()", env) as server:
        check_answer(server.url, shoppers.batch(1)[0], db_url)
        wrk_paths(server.url, ["/healthz"], seconds=2, connections=4)  # warm-up
        wrk_paths(server.url, signed_member_paths(shoppers.batch(size)), seconds=3, connections=4)
        # The machine is shared: rounds alternate the endpoint and its baseline, so a burst
        # of other load hits both; the medians over rounds are the result.
        healthz: list[WrkResult] = []
        saturated: list[WrkResult] = []
        for _ in range(args.rounds):
            healthz.append(
                wrk_paths(
                    server.url, ["/healthz"], seconds=args.seconds, connections=args.connections
                )
            )
            saturated.append(
                wrk_paths(
                    server.url,
                    signed_member_paths(shoppers.batch(size)),
                    seconds=args.seconds,
                    connections=args.connections,
                )
            )
        half = statistics.median(r.requests_per_s for r in saturated) / 2
        paced_connections = 8
        # Each connection waits delay_ms between requests: rate ~ connections * 1000 / delay.
        delay_ms = paced_connections * 1000 / half
        paced: list[WrkResult] = []
        floor: list[WrkResult] = []  # the same paced load on /healthz: what the machine costs
        for _ in range(args.rounds):
            paced.append(
                wrk_paths(
                    server.url,
                    signed_member_paths(shoppers.batch(size)),
                    seconds=args.seconds,
                    connections=paced_connections,
                    delay_ms=delay_ms,
                )
            )
            floor.append(
                wrk_paths(
                    server.url,
                    ["/healthz"],
                    seconds=args.seconds,
                    connections=paced_connections,
                    delay_ms=delay_ms,
                )
            )
        memory = [rss_mib(pid) for pid in server.worker_pids()]

    app = in_process_app(env)
    service_times(app, signed_member_paths(shoppers.batch(50)))  # warm-up
    member_ms = service_times(app, signed_member_paths(shoppers.batch(1000)))
    healthz_ms = service_times(app, ["/healthz"] * 1000)
    plans = explain_one_request(app, shoppers.batch(1)[0])

    def rates(results: list[WrkResult]) -> str:
        failed = sum(r.non_2xx for r in results)
        each = ", ".join(f"{r.requests_per_s:.0f}" for r in results)
        rate = statistics.median(r.requests_per_s for r in results)
        return f"{rate:8.0f} req/s  ({each}; non-2xx {failed})"

    def latency(results: list[WrkResult]) -> str:
        def pick(q: str) -> str:
            return f"{statistics.median(r.latency_ms.get(q, 0) for r in results):.1f}"

        each = ", ".join(f"{r.latency_ms.get('99', 0):.1f}" for r in results)
        return (
            f"{statistics.median(r.requests_per_s for r in results):8.0f} req/s  p50 {pick('50')} "
            f"p90 {pick('90')} p99 {pick('99')} ms (p99 of each round: {each}; "
            f"non-2xx {sum(r.non_2xx for r in results)})"
        )

    ratios = [m.requests_per_s / h.requests_per_s for m, h in zip(saturated, healthz, strict=True)]
    print(f"data: {args.members} members, {args.ledger} ledger entries ({args.database})")
    print(f"medians of {args.rounds} rounds of {args.seconds} s each")
    print(f"GET /healthz:             {rates(healthz)}")
    print(f"GET /proxy/api/member:    {rates(saturated)}")
    print(
        f"ratio member / healthz:   {statistics.median(ratios):8.2f}   "
        f"(each round: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"member at half that rate: {latency(paced)}; target p99 < 20 ms")
    print(f"/healthz at that pace:    {latency(floor)}")
    for label, times in (("member", member_ms), ("/healthz", healthz_ms)):
        print(
            f"in-process, one client:   {label} p50 {percentile(times, 50):.1f} "
            f"p99 {percentile(times, 99):.1f} ms over {len(times)} requests (no server, no queue)"
        )
    print(
        f"gunicorn worker RSS:      median {statistics.median(memory):.0f} MiB, "
        f"max {max(memory):.0f} MiB over {len(memory)} workers"
    )
    print(f"\nSQL of one request ({len(plans)} SELECT statements), EXPLAIN (ANALYZE, BUFFERS):")
    for statement, plan in plans:
        print("\n" + " ".join(statement.split()))
        print(plan)


if __name__ == "__main__":
    main()
