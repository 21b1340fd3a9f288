"""A merchant sets up VIP tiers in the (fake) admin and sees members per tier.

The whole journey in English on a desktop; the pages in Norwegian, 375 px wide and on a
desktop, each checked with axe-core.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from loyalty.club.tier_catalogue import create_tier
from loyalty.club.tier_rewards import recompute_members
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
    """The app in the admin, with Fjellsko's four members; Kari has an order of 1,000 kr."""
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page")).to_be_visible()
    add_members(rt)
    body = order_body(6001, [Line(60010, "1000.00")], customer_id=KARI)
    body["created_at"] = body["processed_at"] = (utcnow() - timedelta(days=2)).isoformat()
    apply_order(rt.sessions, shop_id(rt), body, hash_key=b"admin-tiers")
    return app


def new_tier(app, save_bar, name, threshold, multiplier="1"):
    app.get_by_role("button", name="Create tier").click()
    app.get_by_label("Name").fill(name)
    app.get_by_label("From", exact=True).fill(threshold)
    app.get_by_label("Points multiplier").fill(multiplier)
    expect(save_bar).to_be_visible()
    save_bar.get_by_role("button", name="Save").click()


def test_a_merchant_sets_up_tiers_and_sees_members_per_tier(
    page, screenshot, live_app, fake_shopify, rt, app
):
    admin = open_admin(page, fake_shopify, rt)
    page.get_by_role("link", name="VIP tiers").click()
    expect(admin.get_by_text("No tiers yet.")).to_be_visible()
    save_bar = page.get_by_role("region", name="Unsaved changes")
    rows = admin.locator("#tiers-table tbody tr")

    new_tier(admin, save_bar, "Bronze", "0")
    expect(page.locator("#toasts")).to_contain_text("Tier saved")
    expect(rows).to_have_count(1)

    # Errors come back beside their fields: below zero, a multiplier over 10, an overlap.
    new_tier(admin, save_bar, "Gold", "-5", "12")
    threshold = admin.locator('#tier-form s-number-field[name="threshold"]')
    expect(threshold).to_have_attribute("error", "The threshold cannot be below 0.")
    multiplier = admin.locator('s-number-field[name="earn_multiplier"]')
    expect(multiplier).to_have_attribute("error", "The multiplier can be at most 10.")
    expect(admin.get_by_role("alert")).to_contain_text("The tier was not saved")
    screenshot("admin-tiers-invalid")
    assert_accessible(page.frame(name="app-iframe"), "body")
    admin.get_by_label("From", exact=True).fill("0")
    admin.get_by_label("Points multiplier").fill("1.5")
    admin.get_by_label("Perks (English)").fill("Free shipping on every order")
    admin.get_by_label("Bonus on reaching the tier").fill("200")
    save_bar.get_by_role("button", name="Save").click()
    expect(threshold).to_have_attribute(
        "error",
        "Another tier starts at this threshold: each tier needs more than the one below it.",
    )
    admin.get_by_label("From", exact=True).fill("2500")
    save_bar.get_by_role("button", name="Save").click()
    expect(rows).to_have_count(2)
    new_tier(admin, save_bar, "Silver", "500", "1.25")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Silver")
    expect(rows.nth(2)).to_contain_text("\u00d71.5")
    expect(rows.nth(2)).to_contain_text("Free shipping on every order")
    expect(admin.locator("#tiers-counts")).to_have_text("Tiers count points earned in total.")

    drain(app)  # the recompute the changes queued: Kari (1,000 points) in Silver
    page.reload()
    members = [rows.nth(i).locator("td").nth(4) for i in range(3)]
    for cell, count in zip(members, ("3", "1", "0"), strict=True):
        expect(cell).to_have_text(count)
    screenshot("admin-tiers-list")
    assert_accessible(page.frame(name="app-iframe"), "body")

    # Reordering: Gold moved under Silver is refused beside its threshold; discarded.
    admin.get_by_role("button", name="Reorder or change thresholds").click()
    # (Polaris names the arrows "Move Gold up"; the local stand-in shows only the arrow.)
    admin.locator(".k-ladder-row").nth(2).get_by_role("button", name="↑").click()
    save_bar.get_by_role("button", name="Save").click()
    expect(admin.locator('s-number-field[name="tiers[2].threshold"]')).to_have_attribute(
        "error", "Each tier needs a higher threshold than the tier below it."
    )
    screenshot("admin-tiers-reorder")
    assert_accessible(page.frame(name="app-iframe"), "body")
    save_bar.get_by_role("button", name="Discard").click()

    # Deleting Silver, its member moves up to Gold (for the rest of the period).
    rows.filter(has_text="Silver").get_by_role("button", name="Delete").click()
    admin.get_by_label("Move its members to").select_option(label="Gold")
    admin.get_by_role("button", name="Delete tier").click()
    expect(page.locator("#toasts")).to_contain_text("Tier deleted")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td").nth(4)).to_have_text("1")

    # The dashboard counts members per tier; the members list shows and filters by tier.
    page.get_by_role("link", name="Klubb").first.click()
    counts = admin.locator("#tier-counts-table tbody tr")
    expect(counts).to_have_count(3)
    expect(counts.nth(0)).to_have_text("Gold1")
    expect(counts.nth(1)).to_have_text("Bronze3")
    screenshot("admin-home-tiers")
    page.get_by_role("link", name="Members").click()
    listed = admin.locator("#members-table tbody tr")
    expect(listed).to_have_count(4)
    admin.get_by_label("Tier").select_option(label="Gold")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Kari Nordmann")
    expect(listed.first).to_contain_text("Gold")
    assert page.js_errors == []


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
def test_the_tier_pages_in_norwegian(page, screenshot, live_app, fake_shopify, rt, width):
    """Tiers, the dashboard and the members list: Norwegian, axe clean, no sideways scroll."""
    page.set_viewport_size({"width": admin_window(width), "height": 900})
    open_admin(page, fake_shopify, rt, "nb")
    sid = shop_id(rt)
    for tier in ({"name": "Bronse", "threshold": 0}, {"name": "Gull", "threshold": 800}):
        create_tier(rt.sessions, sid, {"basis": "points", "perks": "Gratis frakt", **tier})
    recompute_members(rt.sessions, sid, cause="ladder_changed")
    app = page.frame_locator("#app-iframe")
    for path, text in (
        ("/tiers", "VIP-nivåer"),
        ("/", "Medlemmer per nivå"),
        ("/members", "Nivå"),
        (f"/members/{KARI}", "Nivå: Gull"),
    ):
        frame = visit(page, live_app, path, "nb")
        expect(app.locator("body")).to_contain_text(text)
        assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert_accessible(frame, "body")
        screenshot(f"admin-tiers-nb-{width}{path.replace('/', '-')}")
        if path == "/tiers":
            app.get_by_role("button", name="Opprett nivå").click()
            expect(app.locator("#tier-form")).to_be_visible()
            assert_accessible(frame, "body")
            assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.js_errors == []
