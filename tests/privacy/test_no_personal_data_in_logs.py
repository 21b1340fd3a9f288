"""No personal data in logs or error text (issue 5, part 9).

Representative flows run with every logger at DEBUG: webhooks whose bodies carry names, emails
and phone numbers (customers, orders, refunds, the three compliance topics), every self-service
action including the exports and leaving, the Shopify write-back jobs against the fake Shopify,
the retention sweeps, a staff read of the audit log, and jobs that fail with personal data in
their exception's text (a handler's own message, a database error quoting its parameters).
Every captured record, formatted with its exception and stack, is then searched for every test
customer's email, phone and names.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import insert

from jobs import queueing
from loyalty.core.models import Member
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.members import install_on_fake_shopify, member_caller
from tests.support.people import (
    INGEBORG,
    SOLVEIG,
    customer_payload,
    data_request_payload,
    order_payload,
    redact_payload,
    seed_customer,
)
from tests.support.shops import SHOP
from webhooks import handlers

PEOPLE = (INGEBORG, SOLVEIG)
FORMATTER = logging.Formatter("%(name)s %(levelname)s %(message)s")


def needles() -> list[tuple[str, bool]]:
    """What must never be logged: (text, case-sensitive) for each person's email, phone (also
    without +47) and names. Names are matched case-sensitively, so that a constant such as
    ``INGEBORG`` in a traceback's source line is not taken for her name."""
    found: list[tuple[str, bool]] = []
    for person in PEOPLE:
        found += [(person.email, False), (person.phone, False)]
        found += [(person.phone.removeprefix("+47"), False)]
        found += [(n, True) for n in (person.first_name, person.last_name, person.preferred_name)]
    return found


def leaks(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """(needle, logger) for every record whose formatted text, traceback included, holds one."""
    found = []
    for record in records:
        text = FORMATTER.format(record)  # includes exc_info and stack_info when present
        found += [
            (n, record.name)
            for n, exact in needles()
            if (n in text if exact else n.lower() in text.lower())
        ]
    return found


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG for the test."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def ingeborg(rt: Any, shop: Any) -> Any:
    """Ingeborg, a member of the test shop with a full history."""
    return seed_customer(rt.sessions, shop.id, INGEBORG)


@pytest.fixture
def solveig(rt: Any, shop: Any) -> Any:
    """Solveig, another member of the same shop."""
    return seed_customer(rt.sessions, shop.id, SOLVEIG)


@pytest.fixture
def me(proxy: Any) -> Any:
    """A signed app-proxy call under /proxy/api/me as Ingeborg."""
    return member_caller(proxy)


@pytest.fixture
def fake_shop(rt: Any, shop: Any, fake_shopify: Any, config: Any) -> Any:
    """The test shop installed on the fake Shopify, Ingeborg its customer."""
    return install_on_fake_shopify(rt, fake_shopify, config)


def test_webhooks_with_personal_data_log_none_of_it(
    app, rt, ingeborg, solveig, post_webhook, everything_logged
):
    for person in PEOPLE:
        post_webhook("customers/create", customer_payload(person))
        post_webhook("customers/update", customer_payload(person))
        post_webhook("orders/paid", order_payload(person, person.order_ids[0]))
        post_webhook(
            "refunds/create",
            {"id": person.order_ids[0] + 7, "order_id": person.order_ids[0], "note": person.email},
        )
    post_webhook("customers/data_request", data_request_payload(SOLVEIG))
    post_webhook("customers/redact", redact_payload(INGEBORG))
    post_webhook("customers/update", customer_payload(INGEBORG), secret="forged")
    post_webhook("orders/paid", {"customer": customer_payload(SOLVEIG)})  # no order id
    drain(app, raise_failures=False)
    assert everything_logged.records, "the flows log something"
    assert leaks(everything_logged.records) == []


def test_self_service_and_its_shopify_jobs_log_no_personal_data(
    app, client, me, rt, ingeborg, fake_shop, everything_logged
):
    me("GET")
    me("GET", "/export.json")
    me("GET", "/export.csv")
    me("PATCH", json={"preferred_name": SOLVEIG.preferred_name, "birthday": "1990-01-31"})
    me("PATCH", json={"email": SOLVEIG.email})  # refused: Shopify's field
    me("PATCH", json={"preferred_name": SOLVEIG.first_name + "\u0000"})  # refused: invalid
    me("PUT", "/consents", json={"email": False, "sms": False})
    fake_shop.customer(INGEBORG.customer_id).phone = None
    me("PUT", "/consents", json={"sms": True})  # Shopify refuses: no phone there
    me("POST", "/restriction", json={})
    me("DELETE", "/restriction", json={})
    me("PATCH", json={"customer_id": SOLVEIG.customer_id, "language": "en"})  # refused: 403
    client.get(f"/api/members/{INGEBORG.customer_id}/audit", headers=bearer(SHOP))
    drain(app, ["shopify"], raise_failures=False)
    me("DELETE", json={"confirm": "LEAVE"})
    drain(app, ["shopify"], raise_failures=False)
    assert leaks(everything_logged.records) == []


def test_retention_sweeps_log_no_personal_data(app, rt, ingeborg, everything_logged):
    for name in (
        "anonymise_inactive_members",
        "erase_old_webhook_bodies",
        "delete_old_exports",
        "delete_old_audit_entries",
    ):
        rt.queue("privacy").enqueue(f"jobs.retention.{name}")
    drain(app, ["privacy"])
    assert leaks(everything_logged.records) == []


def test_failing_jobs_log_neither_their_message_nor_the_databases_parameters(
    app, rt, ingeborg, post_webhook, monkeypatch, everything_logged
):
    def chatty(ctx: Any, payload: dict[str, Any]) -> None:
        raise ValueError(f"cannot handle {payload['email']} ({payload['first_name']})")

    def duplicate(ctx: Any, payload: dict[str, Any]) -> None:
        with ctx.rt.sessions.begin() as s:  # violates (shop, customer) uniqueness, quoting values
            s.execute(
                insert(Member).values(
                    shop_id=ctx.shop_id,
                    customer_id=payload["id"],
                    email=payload["email"],
                    phone=payload["phone"],
                    first_name=payload["first_name"],
                )
            )

    monkeypatch.setitem(handlers.HANDLERS, "customers/update", chatty)
    monkeypatch.setitem(handlers.HANDLERS, "customers/create", duplicate)
    post_webhook("customers/update", customer_payload(INGEBORG))
    post_webhook("customers/create", customer_payload(INGEBORG))
    drain(app, raise_failures=False)

    failures = [r for r in everything_logged.records if r.levelno >= logging.WARNING]
    assert any("ValueError" in r.getMessage() for r in failures)
    assert any("IntegrityError" in r.getMessage() for r in failures)
    assert leaks(everything_logged.records) == []


def test_the_search_finds_a_leak_in_a_message_or_a_traceback(everything_logged):
    """The detector itself: a leak in the message, or only in the exception's text, is found."""
    log = logging.getLogger("klubb.leak-check")
    log.info("hello %s", INGEBORG.email)
    try:
        raise RuntimeError(f"bad phone {SOLVEIG.phone}")
    except RuntimeError:
        log.exception("failed")
    found = {needle for needle, _ in leaks(everything_logged.records)}
    assert {INGEBORG.email, SOLVEIG.phone} <= found


def test_a_job_failing_for_good_keeps_no_personal_data_in_its_error(
    app, rt, ingeborg, post_webhook, monkeypatch, everything_logged
):
    def chatty(ctx: Any, payload: dict[str, Any]) -> None:
        raise ValueError(f"cannot handle {payload['email']}")

    monkeypatch.setitem(handlers.HANDLERS, "customers/update", chatty)
    monkeypatch.setattr(queueing, "RETRY_EVENT", None)  # the last attempt: RQ records the failure
    post_webhook("customers/update", customer_payload(INGEBORG))
    drain(app, raise_failures=False)
    assert leaks(everything_logged.records) == []
    failed = FailedJobRegistry(queue=rt.queue("webhooks"))
    [job_id] = failed.get_job_ids()
    job = Job.fetch(job_id, connection=rt.redis)
    assert all(isinstance(a, int) for a in job.args)  # job arguments: ids only
    stored = job.latest_result().exc_string
    assert "ValueError" in stored
    assert INGEBORG.email not in stored
