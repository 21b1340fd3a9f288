"""The merchant sets the retention periods on the Program settings page, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loyalty.core.models import ProgramSettings, Shop

SHOP = "fjellsko.myshopify.com"

pytestmark = pytest.mark.browser


def settings_of(rt):
    with rt.sessions() as s:
        shop = s.query(Shop).filter_by(domain=SHOP).one()
        return s.get(ProgramSettings, shop.id)


def test_retention_periods_are_edited_with_the_bounds_shown_beside_each_field(
    page, screenshot, live_app, fake_shopify, rt
):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP, "/settings"))
    app = page.frame_locator("#app-iframe")
    members = app.get_by_label("Anonymise inactive members after")
    bodies = app.get_by_label("Delete raw webhook data after")
    expect(members).to_have_value("24")
    expect(bodies).to_have_value("30")
    expect(app.get_by_label("Delete data request exports after")).to_have_value("30")
    expect(app.get_by_label("Keep the audit log for")).to_have_value("24")

    members.fill("3")
    bodies.fill("91")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    save_bar.get_by_role("button", name="Save").click()
    expect(app.locator('s-number-field[name="inactive_member_months"]')).to_have_attribute(
        "error", "Enter months from 6 to 120."
    )
    expect(app.locator('s-number-field[name="webhook_body_days"]')).to_have_attribute(
        "error", "Enter days from 1 to 90."
    )
    expect(page.locator("#toasts")).to_contain_text("Settings not saved")
    screenshot("admin-settings-retention-invalid")
    assert settings_of(rt).inactive_member_months == 24

    members.fill("12")
    bodies.fill("14")
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Settings saved")
    expect(save_bar).to_be_hidden()
    row = settings_of(rt)
    assert (row.inactive_member_months, row.webhook_body_days) == (12, 14)
    assert (row.export_days, row.audit_months) == (30, 24)
    screenshot("admin-settings-retention-saved")
    assert page.js_errors == []
