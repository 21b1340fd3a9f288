"""The Privacy requests and Failed events pages: shells in the nav, then, in a real browser in the
(fake) admin, the lists from /api with deadlines flagged, the export downloaded, and a retry."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from loyalty.core.models import (
    AuditLog,
    EventStatus,
    PrivacyRequest,
    PrivacyRequestKind,
    Shop,
    WebhookEvent,
)
from loyalty.core.types import utcnow
from loyalty.privacy.compliance import RESPONSE_TIME
from tests.support.axe import assert_accessible
from tests.support.jobs import beat_scheduler
from tests.support.shops import SHOP_A

SHOP = "fjellsko.myshopify.com"
HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWxwaGE"
EXPORT = {"member": {"points_balance": 270}, "format": "klubb.data-request/1"}


@pytest.fixture
def config(config):
    """A job per event (``event-<id>``), which the failed-events page's retry queues."""
    return config.with_overrides(webhook_batch_size=1)


def embedded_url(path):
    return f"{path}?{urlencode({'embedded': '1', 'shop': SHOP_A, 'host': HOST})}"


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/privacy-requests", 'id="privacy-requests-table"'),
        ("/failed-events", 'id="failed-events-table"'),
    ],
)
def test_each_page_is_a_shell_in_the_nav_with_the_frame_policy(client, path, marker):
    response = client.get(embedded_url(path))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert marker in html
    for href in ("/privacy-requests", "/failed-events"):
        assert f'<s-link href="{href}">' in html
    assert (
        "frame-ancestors https://alpha.myshopify.com" in response.headers["Content-Security-Policy"]
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_public_privacy_policy_keeps_its_path(client):
    response = client.get("/privacy")
    assert response.status_code == 200 and '<section lang="en">' in response.get_data(as_text=True)


def test_the_pages_are_in_norwegian_for_a_norwegian_admin(client):
    html = client.get(embedded_url("/privacy-requests") + "&locale=nb").get_data(as_text=True)
    assert "Personvernforespørsler" in html and "Forfallsdato" in html
    html = client.get(embedded_url("/failed-events") + "&locale=nb").get_data(as_text=True)
    assert "Mislykkede hendelser" in html and "Forsøk" in html


def open_admin(page, fake_shopify):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()  # installed by now
    return app


def assert_app_accessible(page, path):
    """axe finds no serious or critical violation in the app's frame showing ``path``."""
    frame = page.locator("#app-iframe").element_handle().content_frame()
    assert frame.url.split("?")[0].endswith(path)
    assert_accessible(frame, "body")


def shop_id(rt):
    with rt.sessions() as s:
        return s.scalar(select(Shop.id).where(Shop.domain == SHOP))


def add_request(rt, kind, received_days_ago, *, completed=False, export=None):
    received = utcnow() - timedelta(days=received_days_ago)
    with rt.sessions.begin() as s:
        row = PrivacyRequest(
            shop_id=shop_id(rt),
            kind=kind,
            received_at=received,
            due_at=received + RESPONSE_TIME,
            completed_at=received + timedelta(hours=1) if completed else None,
            export_json=None if export is None else json.dumps(export),
        )
        s.add(row)
        s.flush()
        return str(row.id)


@pytest.mark.browser
def test_privacy_requests_show_due_dates_flag_the_deadline_and_download_the_export(
    page, screenshot, live_app, fake_shopify, rt
):
    app = open_admin(page, fake_shopify)
    done = add_request(rt, PrivacyRequestKind.DATA_REQUEST, 3, completed=True, export=EXPORT)
    soon = add_request(rt, PrivacyRequestKind.CUSTOMER_REDACT, 26)
    late = add_request(rt, PrivacyRequestKind.DATA_REQUEST, 31)
    fresh = add_request(rt, PrivacyRequestKind.CUSTOMER_REDACT, 1)
    left = add_request(rt, PrivacyRequestKind.MEMBER_LEAVE, 2, completed=True)

    page.get_by_role("link", name="Privacy requests").click()
    rows = app.locator("#privacy-requests-table tbody tr")
    expect(rows).to_have_count(5)
    for request_id, status, label in (
        (done, "completed", "Completed"),
        (soon, "due_soon", "Due soon"),
        (late, "overdue", "Overdue"),
        (fresh, "open", "Open"),
    ):
        row = app.locator(f'tr[data-request="{request_id}"]')
        expect(row).to_have_attribute("data-status", status)
        expect(row.locator("s-badge")).to_have_text(label)
    expect(app.locator(f'tr[data-request="{soon}"]')).to_contain_text("Customer erasure")
    # A member's own leaving was done at once: no 30-day deadline is shown for it.
    due = app.locator(f'tr[data-request="{left}"] td').nth(2)
    expect(due).to_have_text("—")
    expect(app.locator(f'tr[data-request="{fresh}"] td').nth(2)).not_to_have_text("—")
    expect(app.get_by_text("2 requests are due within 7 days or overdue.")).to_be_visible()
    # Only a stored data-request export can be downloaded.
    expect(app.get_by_role("button", name="Download export")).to_have_count(1)
    expect(app.locator(f'tr[data-request="{late}"]')).to_contain_text("No export kept")
    screenshot("admin-privacy-requests")
    assert_app_accessible(page, "/privacy-requests")

    with page.expect_download() as download:
        app.get_by_role("button", name="Download export").click()
    assert json.loads(download.value.path().read_text()) == EXPORT
    assert download.value.suggested_filename == f"klubb-data-request-{done}.json"
    expect(page.locator("#toasts")).to_contain_text("Export downloaded")
    with rt.sessions() as s:
        audit = s.scalars(
            select(AuditLog).where(AuditLog.action == "privacy.export_downloaded")
        ).one()
    assert (audit.actor_type, audit.actor_id, audit.detail) == (
        "staff",
        str(fake_shopify.staff_user_id),
        f"request={done}",
    )
    assert page.js_errors == []


@pytest.mark.browser
def test_a_failed_event_is_retried_from_its_page(page, screenshot, live_app, fake_shopify, rt):
    app = open_admin(page, fake_shopify)
    page.get_by_role("link", name="Failed events").click()
    expect(app.get_by_text("No failed events.", exact=False)).to_be_visible()
    # No scheduler runs in this test: the page warns that nothing left behind is retried.
    scheduler_warning = app.locator("#failed-events-scheduler")
    expect(scheduler_warning).to_contain_text("scheduler has not run")
    expect(scheduler_warning).to_be_visible()
    beat_scheduler(rt)

    with rt.sessions.begin() as s:
        event = WebhookEvent(
            event_id="evt-failed-1",
            topic="orders/paid",
            shop_domain=SHOP,
            shop_id=shop_id(rt),
            body=b"{}",
            received_at=utcnow() - timedelta(hours=2),
            status=EventStatus.FAILED,
            attempts=6,
            error="OperationalError",
        )
        s.add(event)
        s.flush()
        event_id = event.id
    page.reload()
    rows = app.locator("#failed-events-table tbody tr")
    expect(rows).to_have_count(1)
    expect(scheduler_warning).to_be_hidden()  # a scheduler beats now
    expect(rows.first).to_contain_text("orders/paid")
    expect(rows.first).to_contain_text("OperationalError")
    expect(rows.first).to_contain_text("6")
    screenshot("admin-failed-events")
    assert_app_accessible(page, "/failed-events")

    rows.first.get_by_role("button", name="Retry").click()
    expect(page.locator("#toasts")).to_contain_text("The event was queued again")
    expect(rows.first).to_contain_text("Queued again")
    expect(rows.first.get_by_role("button", name="Retry")).to_be_disabled()
    screenshot("admin-failed-events-retried")
    with rt.sessions() as s:
        row = s.get(WebhookEvent, event_id)
        assert (row.status, row.error) == (EventStatus.ENQUEUED, None)
    assert f"event-{event_id}" in rt.queue("webhooks").get_job_ids()
    assert page.js_errors == []
