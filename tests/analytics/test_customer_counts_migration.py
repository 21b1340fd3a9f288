"""Revision 0009 counts the customer days recorded before it, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from loyalty.analytics.customer_counts import period_customers
from loyalty.core.config import Config
from migrations import upgrade
from tests.analytics.test_customer_counts import History, brute_force
from tests.support.config import migration_database

pytestmark = pytest.mark.embedded

BASE = date(2025, 6, 2)
# (customer key, day offset, member) -> orders, as 0005..0008 would have kept them.
RECORDED: History = {
    (11, 0, True): 1,
    (11, 40, True): 2,
    (11, 40, False): 1,
    (12, 3, False): 1,
    (12, 800, False): 1,
    (13, 5, True): 3,
    (2**62 + 1, 5, True): 1,
    (2**62 + 1, 6, False): 1,
}


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database of its own, SQLite on the embedded run and PostgreSQL otherwise."""
    with migration_database(tmp_path, "0009") as url:
        yield url


def test_the_migration_counts_the_customer_days_already_recorded(empty_database, tmp_path):
    config = Config(database_url=empty_database, instance_path=tmp_path)
    upgrade(config, "0008")
    engine = create_engine(config.sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shops (id, domain, scopes, currency, timezone, locale, created_at,"
                " updated_at) VALUES (7, 'old.myshopify.com', '', 'NOK', 'Europe/Oslo', 'nb',"
                " :now, :now)"
            ),
            {"now": "2026-01-01 00:00:00"},
        )
        for (key, offset, member), orders in RECORDED.items():
            conn.execute(
                text(
                    "INSERT INTO customer_day_orders (shop_id, day, member, customer_key, orders)"
                    " VALUES (7, :day, :member, :key, :orders)"
                ),
                {
                    "day": (BASE + timedelta(days=offset)).isoformat(),
                    "member": member,
                    "key": key,
                    "orders": orders,
                },
            )
    upgrade(config)
    with sessionmaker(engine)() as s:
        for start, end in [(0, 0), (0, 40), (1, 39), (4, 6), (6, 6), (40, 770), (70, 800)]:
            got = period_customers(s, 7, BASE + timedelta(days=start), BASE + timedelta(days=end))
            assert got == brute_force(RECORDED, start, end), (start, end)
    engine.dispose()
