"""Segment counts at 1,000,000 members of one shop: the EXPLAIN of the one statement.

    PYTHONPATH=. .venv/bin/python -m bench.segment_count

Seeds a scratch database, ``klubb_segment_explain`` (dropped afterwards), with 1,100,000
members (990,000 in the measured shop, 1 % of them restricted) and 3,000,000 orders
(``generate_series``; 5 % unpaid, 2 % cancelled, 20 % POS), migrated by ``flask db upgrade``
and analysed; then prints each filter's live count (``loyalty.campaigns.segment_sql
.count_statement``) with and without the SMS channel's consent, and its EXPLAIN (ANALYZE,
BUFFERS). No timing loop: the plan is the point (one statement, which indexes it reads).
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from loyalty.campaigns.segment_filter import parse_filter
from loyalty.campaigns.segment_sql import count_statement
from tests.support.config import scratch_postgres_database

MEMBERS = """
INSERT INTO members (shop_id, customer_id, first_name, points_balance, lifetime_points, status,
    email_consent, sms_consent, phone, language, birthday, joined_at, created_at, updated_at)
SELECT CASE WHEN g % 10 = 0 THEN 2 ELSE 1 END, g, 'M' || g, (g::bigint * 7919) % 10000, 0,
       CASE WHEN g % 100 = 0 THEN 'restricted' ELSE 'active' END,
       g % 3 = 0, g % 2 = 0, CASE WHEN g % 2 = 0 THEN '9' || lpad((g % 10000000)::text, 7, '0') END,
       CASE WHEN g % 4 = 0 THEN 'en' END, date '1970-01-01' + (g % 15000),
       timestamptz '2020-01-01' + (g % 2000) * interval '1 day', now(), now()
FROM generate_series(1, 1100000) g
"""
ORDERS = """
INSERT INTO order_records (shop_id, order_id, member_id, currency, total, paid_subtotal,
    refunded_subtotal, paid, cancelled, test, source_name, points_owed, earn_blocked,
    gift_card_line_ids, rollup_member, rollup_revenue, ordered_at, created_at, updated_at)
SELECT 1, g, 1 + (g * 7) % 1100000, 'NOK', 500, 100 + g % 900, 0, g % 20 <> 0, g % 50 = 0, false,
       CASE WHEN g % 5 = 0 THEN 'pos' ELSE 'web' END, 0, false, '[]', false, 0,
       timestamptz '2024-01-01' + (g % 1000) * interval '1 day', now(), now()
FROM generate_series(1, 3000000) g
"""
SHOPS = """
INSERT INTO shops (id, domain, scopes, currency, timezone, locale, created_at, updated_at)
VALUES (1, 'big.myshopify.com', '', 'NOK', 'Europe/Oslo', 'nb', now(), now()),
       (2, 'other.myshopify.com', '', 'NOK', 'Europe/Oslo', 'nb', now(), now())
"""
FILTERS = {
    "every member": {},
    "balance and consent": {"points_balance": {"min": 500}, "sms_consent": True},
    "spend, recent orders, POS": {
        "lifetime_spend": {"min": "1000"},
        "orders_in_last_days": {"days": 365, "min": 2},
        "buyer": "pos",
    },
}


def main() -> None:
    with scratch_postgres_database("klubb_segment_explain") as url:
        env = dict(os.environ, DATABASE_URL=url)
        subprocess.run(
            [".venv/bin/flask", "--app", "app", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
        engine = create_engine(url)
        with engine.begin() as c:
            for statement in (SHOPS, MEMBERS, ORDERS):
                c.execute(text(statement))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE members"))
            c.execute(text("VACUUM ANALYZE order_records"))
            now = datetime(2026, 12, 7, tzinfo=UTC)
            for name, body in FILTERS.items():
                for channel in (None, "sms"):
                    statement = count_statement(
                        1, parse_filter(body), now=now, default_language="nb", channel=channel
                    )
                    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
                    count = c.execute(text(sql)).scalar()
                    print(f"==== {name}, channel {channel}: {count} members")
                    for row in c.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")):
                        print(row[0])
        engine.dispose()


if __name__ == "__main__":
    main()
