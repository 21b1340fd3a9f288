"""A long import reports its progress while it asks Shopify, then while it applies."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.core.models import ImportRun
from loyalty.imports import runs
from loyalty.imports.customers import Customer
from loyalty.imports.results import run_json


class CountingDirectory:
    """Shopify stand-in that knows nobody and notes the run's progress each time it is asked."""

    def __init__(self, rt):
        self.rt = rt
        self.seen: list[int] = []

    def progress(self) -> int:
        with self.rt.sessions() as s:
            return s.scalar(select(ImportRun.processed_rows))

    def by_id(self, customer_id: int) -> Customer | None:
        return None

    def by_emails(self, emails: list[str]) -> dict[str, list[Customer]]:
        self.seen.append(self.progress())
        return {email: [] for email in emails}


def test_progress_moves_while_customers_are_looked_up(rt, shop):
    content = b"email,points\n" + b"".join(b"k%d@example.com,1\n" % n for n in range(450))
    upload = runs.validate_upload(content, "big.csv", {"mode": "add", "dry_run": "false"})
    run_id = runs.create_run(rt.sessions, shop.id, upload, staff_user_id="42")
    directory = CountingDirectory(rt)
    runs.execute(rt.sessions, run_id, lambda _shop: directory, hash_keys=b"k")
    # Three lookups of 200, 200 and 50 addresses: half the work is matching, reported as it goes.
    assert directory.seen == [0, 100, 200]
    done = run_json(rt.sessions, shop.id, run_id, with_rows=False)
    assert (done["status"], done["processed_rows"], done["counts"]["error"]) == ("done", 450, 450)
