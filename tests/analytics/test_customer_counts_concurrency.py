"""Two orders of one customer counted at the same time on PostgreSQL leave the counts right.

Each transaction computes the customer's change from the customer's other days; without the
per-customer lock both would compute from a history without the other's day (each day a
"first" day, say), and the rows they touch differ, so nothing else would make one wait.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

from loyalty.analytics.customer_counts_rebuild import rebuild_customer_counts
from loyalty.analytics.customer_days import add_customer_orders
from tests.analytics.test_customer_counts import table_rows
from tests.support.config import EMBEDDED

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(EMBEDDED, reason="SQLite has one writer at a time"),
]

BASE = date(2026, 1, 5)
KEY = 2**62 + 99
# Per round, the day offsets and member flags of the two threads' orders: interleaved days,
# one before the other's, the same day, both flags.
ROUNDS = [
    ((0, True), (3, True)),
    ((1, True), (2, False)),
    ((6, False), (4, True)),
    ((5, True), (5, True)),
    ((9, True), (8, False)),
    ((7, False), (7, True)),
]


def test_concurrent_orders_of_one_customer_leave_the_counts_as_a_rebuild_makes_them(
    rt, installed_shop
):
    shop_id = installed_shop().id
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def orders(side: int) -> None:
        try:
            for round_ in ROUNDS:
                offset, member = round_[side]
                barrier.wait()
                with rt.sessions.begin() as s:
                    day = BASE + timedelta(days=offset)
                    add_customer_orders(s, shop_id, day, member, KEY, 1)
                    time.sleep(0.1)  # still uncommitted while the other one works
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=orders, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    kept = table_rows(rt.sessions, shop_id)
    assert kept, "the orders were counted"
    with rt.sessions.begin() as s:
        rebuild_customer_counts(s, shop_id)
    assert kept == table_rows(rt.sessions, shop_id)
