"""Member search benchmark: the admin's members list at 1,000,000 members of one shop.

    .venv/bin/python -m bench.member_search [--members 1000000 --ledger 2000000] [--reuse]
        [--runs 200] [--only TEXT]

Seeds its own database, klubb_bench_members (bench/seed.py, no orders: the list reads only
members), unless ``--reuse`` finds it already seeded, then runs
each kind of members-list query the admin sends (loyalty.members.search.search_members: the
first page of each sort, a deep keyset page, search by a common first name in every sort and
on its second page, a prefix, one letter, a last name, a full name, an email prefix, phone
digits typed in several ways, a customer id, no match; filters by status and balance),
``--runs`` times each from a single client (``--only``: the queries whose label has TEXT),
and prints p50/p99 per query (target p99 < 50 ms) and the EXPLAIN (ANALYZE, BUFFERS) of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from functools import partial

import psycopg

from bench.common import ROOT, SHOP, VENV_BIN, app_env, database_url, explain_reads
from bench.load import percentile
from bench.seed import seed

DATABASE = "klubb_bench_members"

QUERIES: dict[str, dict[str, str]] = {
    "newest first (default)": {},
    "highest balance first": {"sort": "-points_balance"},
    "recently active first": {"sort": "-last_activity"},
    "search: first name": {"query": "Ingrid"},
    "search: first name, oldest first": {"query": "Ingrid", "sort": "joined_at"},
    "search: first name, highest balance": {"query": "ingrid", "sort": "-points_balance"},
    "search: first name, recently active": {"query": "INGRID", "sort": "-last_activity"},
    "search: first-name prefix": {"query": "ing"},
    "search: one letter": {"query": "s"},
    "search: last name": {"query": "Ødegård"},
    "search: full name": {"query": "sigrid ødegård"},
    "search: first name + initial": {"query": "ingrid h"},
    "search: email prefix": {"query": "nora.hansen12"},
    "search: email of a full name": {"query": "ingrid.hansen"},
    "search: no match": {"query": "zebulon"},
    "search: phone digits": {"query": "4791234"},
    "search: phone as typed": {"query": "+47 900 12 345"},
    "search: national number": {"query": "900 12 345"},
    "search: country code and a digit": {"query": "+47 9"},
    "search: country code and three digits": {"query": "+47 912"},
    "search: three digits": {"query": "912"},
    "search: customer id": {"query": "6000012345"},
    "status + balance filter": {
        "status": "active",
        "min_balance": "5000",
        "sort": "-points_balance",
    },
}


def _seeded(members: int) -> bool:
    try:
        with psycopg.connect(database_url(DATABASE).replace("+psycopg", "")) as conn:
            row = conn.execute("SELECT count(*) FROM members").fetchone()
            return row is not None and row[0] >= members
    except psycopg.OperationalError:
        return False


def _migrate() -> None:
    """A reused database gets the migrations written since it was seeded (indexes, mostly)."""
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=app_env(database_url(DATABASE)),
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", default="", help="run only the queries whose label has this")
    args = parser.parse_args()
    if args.reuse and _seeded(args.members):
        _migrate()
    else:
        seed(args.members, args.ledger, 0, DATABASE)
    os.environ.update(app_env(database_url(DATABASE)))

    from app import create_app
    from loyalty.core.models import Shop
    from loyalty.members.search import parse_filter, search_members
    from runtime import current_runtime

    app = create_app()
    with app.app_context():
        rt = current_runtime()
        with rt.sessions() as s:
            shop_id = s.query(Shop.id).filter(Shop.domain == SHOP).scalar()
        # The 1,000th page of the default sort: where a keyset page must cost what page 1 does.
        wanted, limit, after = parse_filter({})
        for _ in range(20):
            page = search_members(rt.sessions, shop_id, wanted, after=after, staff_user_id="b")
            after = parse_filter({"after": page["next"]})[2]
        deep = {"after": page["next"]}
        search = {"query": "Ingrid"}
        first = search_members(rt.sessions, shop_id, parse_filter(search)[0], staff_user_id="b")
        cases = {
            **QUERIES,
            "page 21 of newest first": deep,
            "page 2 of a first-name search": {**search, "after": first["next"]},
        }

        print(f"{'query':<38} {'rows':>5} {'p50 ms':>8} {'p99 ms':>8}")
        plans = []
        for label, query in cases.items():
            if args.only not in label:
                continue
            wanted, limit, after = parse_filter(query)
            timings = []
            rows = 0
            for _ in range(args.runs):
                started = time.perf_counter()
                result = search_members(
                    rt.sessions, shop_id, wanted, limit=limit, after=after, staff_user_id="bench"
                )
                timings.append((time.perf_counter() - started) * 1000)
                rows = len(result["members"])
            p50, p99 = statistics.median(timings), percentile(timings, 99)
            print(f"{label:<38} {rows:>5} {p50:8.1f} {p99:8.1f}")
            [(_statement, plan)] = explain_reads(
                rt.engine,
                partial(
                    search_members,
                    rt.sessions,
                    shop_id,
                    wanted,
                    limit=limit,
                    after=after,
                    staff_user_id="b",
                ),
                keep=lambda statement: "members" in statement,
            )[:1]
            plans.append((label, plan))
        print()
        for label, plan in plans:
            print(f"### {label}\n```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
