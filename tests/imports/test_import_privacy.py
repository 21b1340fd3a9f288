"""Import results hold emails: they are purged after their retention, and forgotten on redact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loyalty.core.models import ImportRow, ImportRun
from loyalty.core.types import utcnow
from loyalty.imports.privacy import RUN_RETENTION, forget_customer, purge_old_runs
from tests.imports.helpers import KARI
from tests.support.shops import SHOP


@pytest.mark.embedded
def test_runs_older_than_their_retention_are_deleted_with_their_rows(upload, rt, shop_id):
    old = upload("smile.csv", dry_run=True).get_json()["id"]
    new = upload("joy.csv", dry_run=True).get_json()["id"]
    with rt.sessions.begin() as s:
        s.get(ImportRun, int(old)).created_at = utcnow() - RUN_RETENTION - timedelta(hours=1)
    assert purge_old_runs(rt.sessions) == 1
    with rt.sessions() as s:
        assert list(s.scalars(select(ImportRun.id))) == [int(new)]
        assert {r for r in s.scalars(select(ImportRow.run_id))} == {int(new)}


@pytest.mark.embedded
def test_a_redacted_customers_rows_lose_their_email(upload, rt, shop_id):
    upload(b"email,points\nkari@example.com,5\nKari@Example.com,6\nola@example.com,7\n")
    with rt.sessions.begin() as s:
        assert forget_customer(s, shop_id, KARI, "KARI@example.com") == 2
    with rt.sessions() as s:
        emails = list(s.scalars(select(ImportRow.email).order_by(ImportRow.line)))
    assert emails == [None, None, "ola@example.com"]


def test_old_import_runs_are_purged_by_the_scheduler_daily():
    from jobs import imports as import_jobs
    from jobs import schedule

    entries = [p for p in schedule.PERIODIC if p.func is import_jobs.purge_import_runs]
    assert [(p.queue, p.interval) for p in entries] == [("privacy", 86400)]


def test_customers_redact_forgets_the_customers_email_in_import_rows(
    upload, rt, shop_id, app, post_webhook
):
    """Through Shopify's webhook and the worker, as customers/redact arrives for real."""
    from tests.support.jobs import drain

    upload(b"email,points\nkari@example.com,5\nola@example.com,7\n")
    body = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": {"id": KARI, "email": "kari@example.com", "phone": None},
        "orders_to_redact": [],
    }
    assert post_webhook("customers/redact", body).status_code == 200
    drain(app)
    with rt.sessions() as s:
        emails = list(s.scalars(select(ImportRow.email).order_by(ImportRow.line)))
    assert emails == [None, "ola@example.com"]


def test_a_data_request_exports_the_import_rows_that_named_the_customer(
    upload, rt, shop_id, app, post_webhook
):
    """customers/data_request through the webhook and the worker: what the files said of them."""
    import json

    from loyalty.core.models import PrivacyRequest
    from tests.support.jobs import drain

    upload(b"email,points\nKari@Example.com,5\nola@example.com,7\n")
    body = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "orders_requested": [],
        "customer": {"id": KARI, "email": "kari@example.com", "phone": None},
        "data_request": {"id": 4242},
    }
    assert post_webhook("customers/data_request", body).status_code == 200
    drain(app)
    with rt.sessions() as s:
        request = s.scalars(select(PrivacyRequest)).one()
        exported = json.loads(request.export_json)
    [row] = exported["imported_rows"]
    assert (row["line"], row["email"], row["points"]) == (2, "kari@example.com", 5)
    assert row["file_format"] and row["imported_at"]
