"""Dashboard benchmark: the analytics the admin's home page asks for, at 10,000,000 orders.

    .venv/bin/python -m bench.dashboard [--members 1000000 --orders 10000000] [--reuse]
        [--runs 50]

Uses its own database, klubb_bench_dashboard (bench/seed.py: one shop, three years of orders;
no ledger entries, which the dashboard does not read), seeding it unless ``--reuse`` finds it
seeded, and fills the per-customer day rollups the workers keep if they are empty:
customer_day_orders from the orders, then customer_day_counts from those with
``loyalty.analytics.customer_counts_rebuild.rebuild_customer_counts`` (what migration 0009 runs; timed).
Then runs the dashboard's report (loyalty.analytics.reports.report, what ``GET /api/analytics`` answers) for
periods of 7, 30, 90 and 365 days, ``--runs`` times each from a single client: p50/p99 per
period (target < 200 ms), the EXPLAIN (ANALYZE, BUFFERS) of each query of the 30-day report,
and that of the 365-day report's customer query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

import psycopg

from bench.common import SHOP, app_env, database_url, explain_reads
from bench.load import percentile
from bench.seed import seed

DATABASE = "klubb_bench_dashboard"

# In day order, as the workers write them (a day's rows land together): the seed's orders are
# generated in no order of day, and reading a period must not pay for that.
CUSTOMER_DAYS_SQL = """
INSERT INTO customer_day_orders (shop_id, day, member, customer_key, orders)
SELECT shop_id, rollup_day, rollup_member, customer_id, count(*)
FROM order_records WHERE shop_id = %(shop)s AND customer_id IS NOT NULL
GROUP BY shop_id, rollup_day, rollup_member, customer_id
ORDER BY rollup_day
"""


def _counts() -> tuple[int, int]:
    try:
        with psycopg.connect(database_url(DATABASE).replace("+psycopg", "")) as conn:
            members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
            orders = conn.execute("SELECT count(*) FROM order_records").fetchone()[0]
            return int(members), int(orders)
    except psycopg.Error:
        return 0, 0


def _ensure_customer_days() -> None:
    with psycopg.connect(database_url(DATABASE).replace("+psycopg", ""), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM customer_day_orders LIMIT 1").fetchone():
            return
        shop = conn.execute("SELECT id FROM shops WHERE domain = %s", (SHOP,)).fetchone()[0]
        started = time.monotonic()
        rows = conn.execute(CUSTOMER_DAYS_SQL, {"shop": shop}).rowcount
        conn.execute("ANALYZE customer_day_orders")
        print(f"customer days: {rows} rows in {time.monotonic() - started:.0f} s")


def _ensure_customer_counts() -> None:
    """Rebuild customer_day_counts from customer_day_orders if it is empty, timed."""
    from sqlalchemy import create_engine, text

    from loyalty.analytics.customer_counts_rebuild import rebuild_customer_counts

    engine = create_engine(database_url(DATABASE))
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM customer_day_counts LIMIT 1")).first():
            return
        started = time.monotonic()
        rows = rebuild_customer_counts(conn)
    took = time.monotonic() - started
    with engine.begin() as conn:
        conn.execute(text("ANALYZE customer_day_counts"))
    engine.dispose()
    print(f"customer counts: {rows} rows in {took:.0f} s (rebuild_customer_counts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    members, orders = _counts()
    if not (args.reuse and members >= args.members and orders >= args.orders):
        seed(args.members, 0, args.orders, DATABASE)
    _ensure_customer_days()
    _ensure_customer_counts()
    os.environ.update(app_env(database_url(DATABASE)))

    from app import create_app
    from loyalty.analytics.periods import Period, shop_today
    from loyalty.analytics.reports import report
    from loyalty.core.models import Shop
    from runtime import current_runtime

    app = create_app()
    with app.app_context():
        rt = current_runtime()
        with rt.sessions() as s:
            shop_id = s.query(Shop.id).filter(Shop.domain == SHOP).scalar()
        today = shop_today(rt.sessions, shop_id)
        print(f"{'period':<10} {'p50 ms':>8} {'p99 ms':>8}")
        for days in (7, 30, 90, 365):
            period = Period(today - timedelta(days=days - 1), today)
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                report(rt.sessions, shop_id, period)
                timings.append((time.perf_counter() - started) * 1000)
            p50, p99 = statistics.median(timings), percentile(timings, 99)
            print(f"{days:>4} days  {p50:8.1f} {p99:8.1f}")

        plans = explain_reads(
            rt.engine,
            lambda: report(rt.sessions, shop_id, Period(today - timedelta(days=29), today)),
        )
        plans += explain_reads(
            rt.engine,
            lambda: report(rt.sessions, shop_id, Period(today - timedelta(days=364), today)),
            keep=lambda statement: "customer_day_counts" in statement,
        )
        print("\nQueries of the 30-day report, then the 365-day report's customer query:\n")
        for statement, plan in plans:
            print(f"```\n{' '.join(statement.split())[:600]}\n\n{plan}\n```\n")


if __name__ == "__main__":
    main()
