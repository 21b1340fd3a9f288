"""A merchant sets up a spend voucher rule in the (fake) admin and sees the voucher it issued,
its state and the liability, on the Spend vouchers page and the dashboard.

The journey in English on a desktop; the pages in Norwegian, 375 px wide and on a desktop, each
checked with axe-core.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from loyalty.core.types import utcnow
from loyalty.points.orders import apply_order
from tests.browser.admin_tour import visit
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.browser import admin_window
from tests.support.fjellsko import SHOP, add_members, shop_id
from tests.support.jobs import drain

pytestmark = pytest.mark.browser

KARI = 7001


def open_admin(page, fake_shopify, rt, locale="en"):
    """The app in the admin, with Fjellsko's members; Kari (a customer in Shopify too) has an
    order of 1,000 kr this year."""
    fake = fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    fake.add_customer(KARI, "Kari", "Nordmann", "kari@example.no")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page")).to_be_visible()
    add_members(rt)
    body = order_body(6001, [Line(60010, "1000.00")], customer_id=KARI)
    body["created_at"] = body["processed_at"] = (utcnow() - timedelta(minutes=5)).isoformat()
    apply_order(rt.sessions, shop_id(rt), body, hash_key=b"admin-vouchers")
    return app


def test_a_rule_issues_a_voucher_shown_with_its_liability(
    page, screenshot, live_app, fake_shopify, rt
):
    page.set_viewport_size({"width": 1280, "height": 900})
    app = open_admin(page, fake_shopify, rt)
    visit(page, live_app, "/vouchers")
    expect(app.locator("#rules-empty")).to_be_visible()
    form = app.locator("#rule-form")
    form.get_by_label("Name").fill("Spend 500 a year")
    form.get_by_label("Threshold").fill("0")
    form.get_by_label("Amount").fill("100")
    app.get_by_role("button", name="Create rule").click()
    expect(form.locator('[name="threshold"][error]')).to_have_count(1)
    form.get_by_label("Threshold").fill("500")
    app.get_by_role("button", name="Create rule").click()
    expect(app.locator("#rules-table tbody tr")).to_have_count(1)
    drain(rt)  # the refresh job finds Kari's spend; the voucher job makes her gift card
    visit(page, live_app, "/vouchers")
    rows = app.locator("#vouchers-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kari Nordmann")
    expect(rows.first).to_contain_text("Active")
    expect(app.locator("#vouchers-liability")).to_contain_text("NOK 100")
    screenshot("admin-vouchers")
    assert_accessible(page.frame(name="app-iframe"), "body")
    visit(page, live_app, "/")
    expect(app.locator('#voucher-summary [data-voucher="issued"]')).to_have_text("1")
    assert page.js_errors == []


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
def test_the_voucher_pages_in_norwegian(page, screenshot, live_app, fake_shopify, rt, width):
    page.set_viewport_size({"width": admin_window(width), "height": 900})
    open_admin(page, fake_shopify, rt, "nb")
    from loyalty.club.voucher_catalogue import create_rule

    rule = {
        "name": "Handle for 500 kr",
        "threshold": "500",
        "period": "calendar_year",
        "voucher": {"kind": "discount_code", "amount": "100"},
    }
    create_rule(rt.sessions, shop_id(rt), rule, now=utcnow() - timedelta(days=1))
    from jobs.queueing import enqueue
    from jobs.vouchers import refresh_shop  # noqa: F401 - run as the API would queue it

    enqueue(rt, "webhooks", "jobs.vouchers.refresh_shop", shop_id(rt))
    drain(rt)
    app = page.frame_locator("#app-iframe")
    for path, text in (("/vouchers", "Kjøpsgaver"), ("/", "Verdien av aktive belønninger")):
        frame = visit(page, live_app, path, "nb")
        expect(app.locator("body")).to_contain_text(text)
        assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert_accessible(frame, "body")
        screenshot(f"admin-vouchers-nb-{width}{path.replace('/', '-')}")
    assert page.js_errors == []
