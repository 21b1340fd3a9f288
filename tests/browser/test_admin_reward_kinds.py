"""A merchant creates a free-product reward and a gift-card reward in the (fake) admin; store
credit is not offered on a shop that has not granted it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.axe import assert_accessible
from tests.support.fjellsko import SHOP

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "375px"])
def test_a_merchant_creates_a_free_product_and_a_gift_card(
    page, screenshot, live_app, fake_shopify, width
):
    page.set_viewport_size({"width": width, "height": 900})
    shop = fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    shop.add_product_variants(11, "Ullsokker", [(21, "Grå", "199.00")])
    page.goto(fake_shopify.admin_app_url(SHOP, "/rewards"))
    app = page.frame_locator("#app-iframe")
    save_bar = page.get_by_role("region", name="Unsaved changes")

    app.get_by_role("button", name="Create reward").click()
    expect(app.locator('s-option[value="store_credit"]')).to_have_count(0)
    app.get_by_label("Title").fill("Free socks")
    app.get_by_label("Type").select_option("free_product")
    expect(app.get_by_label("Amount off")).to_be_hidden()
    app.get_by_label("Product variant ID").fill("999")
    app.get_by_label("Points cost").fill("1200")
    save_bar.get_by_role("button", name="Save").click()
    variant = app.locator('s-text-field[name="variant_id"]')
    expect(variant).to_have_attribute("error", "No such product variant in this shop.")
    app.get_by_label("Product variant ID").fill("21")
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Reward saved")
    row = app.locator("#rewards-table tbody tr")
    expect(row.first).to_contain_text("Free: Ullsokker - Grå")

    app.get_by_role("button", name="Create reward").click()
    app.get_by_label("Title").fill("Gift card")
    app.get_by_label("Type").select_option("gift_card")
    expect(app.get_by_text("cannot be returned for points")).to_be_visible()
    app.get_by_label("Gift card amount").fill("200")
    app.get_by_label("Points cost").fill("2000")
    screenshot(f"admin-rewards-gift-card-{width}px")
    assert_accessible(page.frame(name="app-iframe"), "body")
    save_bar.get_by_role("button", name="Save").click()
    expect(row).to_have_count(2)
    expect(app.locator("#rewards-table")).to_contain_text("Gift card of NOK 200")
    screenshot(f"admin-rewards-kinds-{width}px")
    assert_accessible(page.frame(name="app-iframe"), "body")
