"""Bulk data for the scale benchmarks, generated inside PostgreSQL (generate_series).

    .venv/bin/python -m bench.seed --members 1000000 --ledger 10000000 --orders 10000000

Builds a fresh database ``klubb_bench_scale`` at the migrations' head with one installed shop
holding that many members, ledger entries and orders (a tenth of them guests'), and the daily
rollups the workers would have kept for those orders. Members' balances are the sums of their
ledger entries (invariant 1), so the data is one the app could have produced.

:func:`scale_database` reuses such a database when it holds what is asked, and
:func:`ensure_rewards` gives its shop a reward catalogue like a real shop's.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time

import psycopg

from bench.common import (
    ROOT,
    SHOP,
    VENV_BIN,
    app_env,
    database_url,
    fresh_database,
    prepare_app_database,
)

DATABASE = "klubb_bench_scale"

FIRST_NAMES = [
    "Ola",
    "Kari",
    "Nora",
    "Emma",
    "Jakob",
    "Lucas",
    "Sofie",
    "Ingrid",
    "Henrik",
    "Maja",
    "Olav",
    "Astrid",
    "Sigrid",
    "Leah",
    "Filip",
    "Aksel",
    "Emil",
    "Frida",
    "Tiril",
    "Vilde",
    "Jonas",
    "Sander",
    "Marius",
    "Ida",
    "Thea",
    "Åse",
    "Øystein",
    "Bjørn",
    "Eirik",
    "Silje",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Jacobsen",
    "Dahl",
    "Halvorsen",
    "Lund",
    "Bakke",
    "Moen",
    "Strand",
    "Solberg",
    "Ødegård",
    "Ås",
    "Lie",
    "Sæther",
    "Myhre",
    "Aas",
]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _check_required(conn: psycopg.Connection, table: str, supplied: set[str]) -> None:
    """Fail clearly if the schema grew a NOT NULL column without a default we don't fill."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        (table,),
    ).fetchall()
    missing = {r[0] for r in rows} - supplied - {"id"}
    if missing:
        raise SystemExit(f"bench/seed.py does not fill {table}.{sorted(missing)}: update it")


MEMBERS_SQL = """
INSERT INTO members (shop_id, customer_id, first_name, last_name, email, phone,
  points_balance, lifetime_points, status, email_consent, sms_consent, joined_at,
  last_activity_at, created_at, updated_at)
SELECT %(shop)s, 6000000000 + n, f, l,
  lower(f || '.' || l || n || '@example.test'), '+479' || lpad(n::text, 7, '0'),
  0, 0, 'active', n %% 3 = 0, n %% 5 = 0, j,
  CASE WHEN n %% 4 = 0 THEN NULL ELSE j + (n %% 700) * interval '1 day' END, j, j
FROM (
  SELECT n,
    ({first})[1 + n %% {n_first}] AS f,
    ({last})[1 + (n / {n_first}) %% {n_last}] AS l,
    now() - (n %% 1095) * interval '1 day' - (n %% 86400) * interval '1 second' AS j
  FROM generate_series(1::bigint, %(count)s::bigint) AS n
) AS g
"""

LEDGER_SQL = """
INSERT INTO ledger_entries (shop_id, member_id, points, kind, source_key, actor, order_id,
  created_at, reason_code, reason_params, reason)
SELECT %(shop)s, m.id, 50 + (n * 7919) %% 950, 'earn', 'seed:' || n, 'system',
  8000000000 + n, now() - (n %% 1095) * interval '1 day',
  'order', json_build_object('order_id', (8000000000 + n)::text), 'order ' || (8000000000 + n)
FROM generate_series(1::bigint, %(count)s::bigint) AS n
JOIN members AS m ON m.shop_id = %(shop)s AND m.customer_id = 6000000000 + 1 + n %% %(members)s
"""

BALANCES_SQL = """
UPDATE members AS m SET points_balance = t.points, lifetime_points = t.points
FROM (SELECT member_id, sum(points) AS points FROM ledger_entries WHERE shop_id = %(shop)s
      GROUP BY member_id) AS t
WHERE m.id = t.member_id
"""

ORDERS_SQL = """
INSERT INTO order_records (shop_id, order_id, customer_id, member_id, currency, total,
  paid_subtotal, refunded_subtotal, financial_status, paid, cancelled, test, source_name,
  points_owed, earn_blocked, gift_card_line_ids, rollup_member, rollup_revenue, rollup_day,
  ordered_at, created_at, updated_at)
SELECT %(shop)s, 8000000000 + n,
  CASE WHEN guest THEN NULL ELSE 6000000000 + c END,
  CASE WHEN guest THEN NULL ELSE (SELECT id FROM members WHERE shop_id = %(shop)s
    AND customer_id = 6000000000 + c) END,
  'NOK', amount, amount, 0, 'paid', true, false, false,
  CASE WHEN n %% 20 = 0 THEN 'pos' ELSE 'web' END,
  CASE WHEN guest THEN 0 ELSE floor(amount)::bigint END, false, '[]', NOT guest, amount,
  (at AT TIME ZONE 'Europe/Oslo')::date, at, at, at
FROM (
  SELECT n, n %% 10 = 0 AS guest, 1 + n %% %(members)s AS c,
    (99 + (n * 7919) %% 1900)::numeric(20, 4) AS amount,
    now() - (n %% 1095) * interval '1 day' - (n %% 86400) * interval '1 second' AS at
  FROM generate_series(1::bigint, %(count)s::bigint) AS n
) AS g
"""

ROLLUPS_SQL = """
INSERT INTO daily_rollups (shop_id, day, member_orders, member_revenue, guest_orders,
  guest_revenue, new_members, points_issued, points_redeemed, points_expired)
SELECT %(shop)s, rollup_day,
  count(*) FILTER (WHERE rollup_member),
  coalesce(sum(rollup_revenue) FILTER (WHERE rollup_member), 0),
  count(*) FILTER (WHERE NOT rollup_member),
  coalesce(sum(rollup_revenue) FILTER (WHERE NOT rollup_member), 0),
  0, coalesce(sum(points_owed), 0), 0, 0
FROM order_records WHERE shop_id = %(shop)s GROUP BY rollup_day
"""


def _inserted(sql: str) -> tuple[str, set[str]]:
    """The table and the columns an ``INSERT INTO table (columns) ...`` statement fills."""
    match = re.search(r"INSERT INTO (\w+) \(([^)]*)\)", sql)
    assert match, sql
    return match.group(1), {c.strip() for c in match.group(2).split(",")}


def _run(conn: psycopg.Connection, label: str, sql: str, params: dict[str, int]) -> None:
    started = time.monotonic()
    rows = conn.execute(sql, params).rowcount
    print(f"{label:>10}: {rows:>10} rows in {time.monotonic() - started:5.0f} s", flush=True)


def seed(members: int, ledger: int, orders: int, database: str = DATABASE) -> str:
    """Create and fill the database; its SQLAlchemy URL."""
    url = fresh_database(database)
    prepare_app_database(url)
    names = {
        "first": _array(FIRST_NAMES),
        "last": _array(LAST_NAMES),
        "n_first": len(FIRST_NAMES),
        "n_last": len(LAST_NAMES),
    }
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        shop = conn.execute("SELECT id FROM shops WHERE domain = %s", (SHOP,)).fetchone()[0]
        for sql in (MEMBERS_SQL, LEDGER_SQL, ORDERS_SQL, ROLLUPS_SQL):
            table, columns = _inserted(sql)
            _check_required(conn, table, columns)
        params = {"shop": shop, "members": members}
        _run(conn, "members", MEMBERS_SQL.format(**names), {**params, "count": members})
        _run(conn, "ledger", LEDGER_SQL, {**params, "count": ledger})
        _run(conn, "balances", BALANCES_SQL, params)
        _run(conn, "orders", ORDERS_SQL, {**params, "count": orders})
        _run(conn, "rollups", ROLLUPS_SQL, params)
        started = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        print(f"{'analyze':>10}: done in {time.monotonic() - started:5.0f} s")
    return url


def scale_database(name: str, members: int, ledger: int, reuse: bool) -> str:
    """The seeded database's SQLAlchemy URL, seeding it unless ``reuse`` finds it as asked."""
    url = database_url(name)
    plain = url.replace("+psycopg", "")
    if reuse:
        try:
            with psycopg.connect(plain) as conn:
                found = conn.execute(
                    "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM ledger_entries)"
                ).fetchone()
        except psycopg.Error:
            found = None
        if found == (members, ledger):
            print(f"reusing {name}: {members} members, {ledger} ledger entries")
            # Migrations added since the seed still apply (a no-op when at the head).
            subprocess.run(
                [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"],
                cwd=ROOT,
                env=app_env(url),
                check=True,
                capture_output=True,
            )
            return url
        print(f"{name} holds {found}, not ({members}, {ledger}): seeding it again")
    return seed(members, ledger, 0, name)


REWARDS_SQL = """
INSERT INTO rewards (shop_id, kind, title, points_cost, value, minimum_order, active, starts_at,
  ends_at, created_at, updated_at)
SELECT shops.id, r.kind, r.title, r.cost, r.value, r.minimum, r.active, NULL,
  CASE WHEN r.ended THEN now() - interval '1 day' END, now(), now()
FROM shops, (VALUES
  ('fixed_amount', '50 kr off', 500, 50, NULL, true, false),
  ('fixed_amount', '100 kr off', 900, 100, 500, true, false),
  ('percentage', '10 %% off', 1200, 0.1, NULL, true, false),
  ('free_shipping', 'Free shipping', 300, NULL, NULL, true, false),
  ('fixed_amount', '250 kr off', 2000, 250, 1000, true, false),
  ('percentage', 'Summer: 20 %% off', 1500, 0.2, NULL, true, true),
  ('fixed_amount', 'Retired reward', 400, 40, NULL, false, false)
) AS r(kind, title, cost, value, minimum, active, ended)
WHERE shops.domain = %(shop)s AND NOT EXISTS (SELECT 1 FROM rewards WHERE shop_id = shops.id)
"""


def ensure_rewards(db_url: str) -> None:
    """A catalogue like a real shop's (5 redeemable rewards, one ended, one retired)."""
    with psycopg.connect(db_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(REWARDS_SQL, {"shop": SHOP})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=10_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    seed(args.members, args.ledger, args.orders, args.database)


if __name__ == "__main__":
    main()
