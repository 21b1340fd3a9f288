"""A merchant opens Klubb in the (fake) Shopify admin and changes the program settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.core.models import ProgramSettings, Shop

SHOP = "fjellsko.myshopify.com"

pytestmark = pytest.mark.browser


def settings_of(rt, domain):
    with rt.sessions() as s:
        shop = s.query(Shop).filter_by(domain=domain).one()
        return s.get(ProgramSettings, shop.id)


def test_merchant_edits_program_settings_in_the_admin(page, screenshot, live_app, fake_shopify, rt):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")

    # Opening the app from the admin installs it (token exchange) and shows the home page.
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    expect(app.get_by_text("1 point per NOK 1 spent")).to_be_visible()
    assert len(fake_shopify.token_requests) == 1
    screenshot("admin-home")

    # The app's <s-app-nav> shows up in the admin's sidebar.
    page.get_by_role("link", name="Program settings").click()
    earn_rate = app.get_by_label("Points per unit of currency")
    expect(earn_rate).to_have_value("1")
    expect(app.get_by_label("Signup bonus")).to_have_value("100")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    expect(save_bar).to_be_hidden()
    screenshot("admin-settings")

    # An invalid earn rate: the contextual save bar appears; saving shows the error by the field.
    earn_rate.fill("-2")
    expect(save_bar).to_be_visible()
    save_bar.get_by_role("button", name="Save").click()
    field = app.locator('s-number-field[name="earn_rate"]')
    expect(field).to_have_attribute("error", "Enter a rate above 0 and at most 1000.")
    expect(app.get_by_text("Enter a rate above 0 and at most 1000.")).to_be_visible()
    expect(app.get_by_role("alert")).to_contain_text("The settings were not saved")
    expect(page.locator("#toasts")).to_contain_text("Settings not saved")
    assert settings_of(rt, SHOP).earn_rate == Decimal(1)
    screenshot("admin-settings-invalid")

    # Valid values: saved, a toast, the errors gone, the save bar hidden.
    earn_rate.fill("2.5")
    app.get_by_label("Signup bonus").fill("250")
    app.get_by_label("Points expire after").fill("24")
    app.get_by_label("Enrol every customer with an account automatically").uncheck()
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Settings saved")
    expect(field).not_to_have_attribute("error", "Enter a rate above 0 and at most 1000.")
    expect(app.get_by_role("alert")).to_be_hidden()
    expect(save_bar).to_be_hidden()
    screenshot("admin-settings-saved")

    row = settings_of(rt, SHOP)
    assert (row.earn_rate, row.signup_bonus, row.expiry_months) == (Decimal("2.5"), 250, 24)
    assert row.auto_enrol is False

    # A reload (a new document and a new session token) shows what was saved.
    page.reload()
    expect(app.get_by_label("Points per unit of currency")).to_have_value("2.5")
    expect(app.get_by_label("Signup bonus")).to_have_value("250")
    expect(app.get_by_label("Points expire after")).to_have_value("24")
    expect(
        app.get_by_label("Enrol every customer with an account automatically")
    ).not_to_be_checked()
    assert len(fake_shopify.token_requests) == 1  # the stored offline token is reused
    assert page.js_errors == []


def test_discard_restores_the_saved_values(page, live_app, fake_shopify, rt):
    fake_shopify.add_shop(SHOP, currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP, "/settings"))
    app = page.frame_locator("#app-iframe")
    bonus = app.get_by_label("Signup bonus")
    expect(bonus).to_have_value("100")
    bonus.fill("5")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    save_bar.get_by_role("button", name="Discard").click()
    expect(bonus).to_have_value("100")
    expect(save_bar).to_be_hidden()
    assert settings_of(rt, SHOP).signup_bonus == 100
    assert page.js_errors == []


def test_links_inside_the_app_keep_the_embedded_context(page, live_app, fake_shopify):
    """A link in the page loads a document without id_token; its data still arrives."""
    fake_shopify.add_shop(SHOP, currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    app.get_by_role("link", name="Edit program settings").click()
    expect(app.get_by_role("heading", name="Program settings")).to_be_visible()
    expect(app.get_by_label("Signup bonus")).to_have_value("100", timeout=3000)
    assert page.js_errors == []


def test_an_expired_id_token_on_a_document_load_recovers_with_a_fresh_one(
    page, live_app, fake_shopify
):
    """The 401 page asks App Bridge for a fresh token and loads again, once."""
    fake_shopify.add_shop(SHOP, currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    expired = fake_shopify.session_token(SHOP, exp_in=-120)
    frame = page.frame(name="app-iframe")
    response = frame.goto(f"{live_app}/settings?embedded=1&shop={SHOP}&id_token={expired}")
    assert response.status == 401
    expect(app.get_by_role("heading", name="Program settings")).to_be_visible()
    assert "klubb_retry=1" in frame.url
    assert frame.url.split("id_token=", 1)[1].split("&", 1)[0] != expired
    assert page.js_errors == []
