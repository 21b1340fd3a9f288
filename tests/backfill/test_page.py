"""The Backfill page in the (fake) Shopify admin: progress shown, a run started from the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from loyalty.backfill.runs import current
from loyalty.core.models import OrderRecord, Shop
from tests.backfill.helpers import ORDER_GUEST, ORDER_KARI
from tests.support.jobs import drain
from tests.support.shops import SHOP

pytestmark = pytest.mark.browser


def test_the_page_shows_the_progress_and_starts_a_run(
    page, screenshot, live_app, fake_shopify, fake_shop, app, rt
):
    fake_shopify.install(SHOP)
    # The first load installs the shop, which queues its backfill with the default options.
    page.goto(fake_shopify.admin_app_url(SHOP, "/backfill"))
    frame = page.frame_locator("#app-iframe")
    expect(frame.get_by_role("heading", name="Backfill progress")).to_be_visible()
    expect(frame.locator("#backfill-status")).to_have_text("Waiting to start.")

    drain(app)
    page.reload()
    frame = page.frame_locator("#app-iframe")
    expect(frame.locator("#backfill-status")).to_have_text("Done.")
    expect(frame.locator("#backfill-finished")).to_contain_text("Finished ")
    expect(frame.get_by_role("row", name="Past orders found in Shopify")).to_be_visible()
    bar = frame.get_by_role("progressbar", name="Backfill progress")
    expect(bar).to_have_attribute("value", "4")
    expect(frame.locator('[data-count="customers_enrolled"]')).to_have_text("2")
    expect(frame.locator('[data-count="orders_recorded"]')).to_have_text("2")
    expect(frame.locator('[data-count="orders_awarded"]')).to_have_text("0")
    screenshot("admin-backfill-done")

    frame.get_by_label("All past orders").check()
    expect(frame.get_by_label("Orders from the last")).to_be_disabled()
    frame.get_by_label("Past orders earn points").check()
    frame.get_by_role("button", name="Start backfill").click()
    expect(page.locator("#toasts")).to_contain_text("Backfill started")
    expect(page.locator("#toasts")).not_to_contain_text("already running")  # one request
    expect(frame.locator("#backfill-status")).to_have_text("Waiting to start.")
    expect(frame.get_by_role("button", name="Start backfill")).to_be_disabled()
    drain(app)
    expect(frame.locator("#backfill-status")).to_have_text("Done.", timeout=10_000)
    expect(frame.locator('[data-count="orders_awarded"]')).to_have_text("0")  # known: not again
    with rt.sessions() as s:
        assert set(s.scalars(select(OrderRecord.order_id))) == {ORDER_KARI, ORDER_GUEST}
        shop_id = s.scalar(select(Shop.id).where(Shop.domain == SHOP))
    state = current(rt.sessions, shop_id)
    assert state is not None and state.award_points and state.run == 2
    assert state.orders_since_days is None  # all
    assert page.js_errors == []
