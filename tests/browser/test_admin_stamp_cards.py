"""A merchant makes a coffee stamp card in the (fake) admin, choosing the products with App
Bridge's resource picker, sees members and rewards per card, and ends it; the page in Norwegian,
375 px and desktop, axe clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loyalty.core.models import StampCard
from loyalty.points.orders import apply_order
from tests.browser.admin_tour import visit
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.browser import admin_window
from tests.support.fjellsko import SHOP, add_members, shop_id

pytestmark = pytest.mark.browser

COFFEE, BUN = 501, 502


def open_admin(page, fake_shopify, rt, locale="en"):
    fake = fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    fake.add_product("Filter coffee", id=COFFEE)
    fake.add_product("Cinnamon bun", id=BUN)
    fake.add_collection("Bakery", [f"gid://shopify/Product/{BUN}"], id=900)
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("s-page")).to_be_visible()
    add_members(rt)
    return app


def pick(page, admin, button, *titles):
    admin.get_by_role("button", name=button).click()
    picker = page.get_by_role("dialog")
    expect(picker).to_be_visible()
    for title in titles:
        picker.get_by_label(title).check()
    picker.get_by_role("button", name="Select").click()


def test_a_merchant_makes_a_stamp_card_with_the_resource_picker(
    page, screenshot, live_app, fake_shopify, rt, app
):
    admin = open_admin(page, fake_shopify, rt)
    page.get_by_role("link", name="Stamp cards").click()
    expect(admin.get_by_text("No stamp cards yet.")).to_be_visible()
    admin.get_by_role("button", name="Create stamp card").click()
    admin.get_by_label("Name").fill("Coffee card")
    admin.get_by_role("button", name="Save").click()  # nothing chosen yet
    expect(admin.locator('s-text-field[name="product_ids"]')).to_have_attribute(
        "error", "Choose at least one product or collection."
    )
    pick(page, admin, "Choose products", "Filter coffee")
    pick(page, admin, "Choose collections", "Bakery")
    expect(admin.locator("#picked-products")).to_have_text("Filter coffee")
    pick(page, admin, "Choose the free product", "Filter coffee")
    expect(admin.locator("#picked-free")).to_have_text("Free: Filter coffee")
    screenshot("admin-stamp-card-form")
    assert_accessible(page.frame(name="app-iframe"), "body")
    admin.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Stamp card saved")
    rows = admin.locator("#cards-table tbody tr")
    expect(rows).to_have_count(1)
    with rt.sessions() as s:
        card = s.query(StampCard).one()
        assert (card.product_ids, card.collection_ids) == ([COFFEE], [900])
        assert card.reward == {"kind": "free_product", "product_id": str(COFFEE)}

    body = order_body(6001, [Line(60010, "39.00", 4, product_id=COFFEE)], customer_id=7001)
    apply_order(rt.sessions, shop_id(rt), body, hash_key=b"admin-stamps")
    visit(page, live_app, "/stamp-cards")
    expect(rows.first).to_contain_text("Coffee card")
    expect(rows.first.locator("td").nth(3)).to_have_text("1")  # members with stamps
    rows.first.get_by_role("button", name="Members").click()
    holders = admin.locator("#card-members-table tbody tr")
    expect(holders).to_have_count(1)
    expect(holders.first).to_contain_text("Kari Nordmann")
    expect(holders.first).to_contain_text("4")
    screenshot("admin-stamp-cards")

    rows.first.get_by_role("button", name="End").click()
    expect(page.locator("#toasts")).to_contain_text("Stamp card ended")
    expect(rows).to_have_count(0)
    assert page.js_errors == []


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
def test_the_stamp_cards_page_in_norwegian(page, screenshot, live_app, fake_shopify, rt, width):
    from loyalty.club.stamp_cards import create_card

    page.set_viewport_size({"width": admin_window(width), "height": 900})
    open_admin(page, fake_shopify, rt, "nb")
    create_card(
        rt.sessions,
        shop_id(rt),
        {
            "name": "Kaffekort",
            "product_ids": [str(COFFEE)],
            "stamps_required": 10,
            "reward": {"kind": "fixed_amount", "amount": "50"},
        },
        actor=None,
    )
    app = page.frame_locator("#app-iframe")
    frame = visit(page, live_app, "/stamp-cards", "nb")
    expect(app.locator("body")).to_contain_text("Stempelkort")
    expect(app.locator("#cards-table")).to_contain_text("Kaffekort")
    assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(frame, "body")
    screenshot(f"admin-stamp-cards-nb-{width}")
    app.get_by_role("button", name="Opprett stempelkort").click()
    expect(app.locator("#card-form")).to_be_visible()
    assert_accessible(frame, "body")
    assert page.js_errors == []
