"""The member page shows the member's welcome code and what became of it, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from loyalty.core.models import Member, WelcomeCode
from tests.browser.admin_tour import MEMBER, open_shop, visit
from tests.support.axe import assert_accessible
from tests.support.fjellsko import ORDER_ID, SHOP, shop_id

pytestmark = pytest.mark.browser

WELCOME_CODE = "WELCOME-5A1E0F7C2B9D"
WORDS = {
    "en": ("Welcome discount", "10 % off", "Used", "No end date", f"Order {ORDER_ID}"),
    "nb": ("Velkomstrabatt", "10 % rabatt", "Brukt", "Ingen sluttdato", f"Ordre {ORDER_ID}"),
}


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_the_member_page_shows_the_welcome_code_and_its_state(
    page, screenshot, live_app, fake_shopify, rt, locale
):
    heading, percentage, state, no_end, order = WORDS[locale]
    open_shop(page, fake_shopify, rt, locale)
    with rt.sessions.begin() as s:  # Kari's order (ORDER_ID) used her welcome code
        kari = s.query(Member.id).filter_by(customer_id=MEMBER).scalar()
        s.add(
            WelcomeCode(
                shop_id=shop_id(rt),
                member_id=kari,
                code=WELCOME_CODE,
                percentage=10,
                issued_at=datetime(2026, 2, 1, tzinfo=UTC),
                used_at=datetime(2026, 2, 3, tzinfo=UTC),
                order_id=ORDER_ID,
            )
        )
    frame = visit(page, live_app, f"/members/{MEMBER}", locale)
    app = page.frame_locator("#app-iframe")
    section = app.locator("s-section", has=app.locator("#welcome-facts"))
    expect(section).to_have_attribute("heading", heading)
    expect(app.locator('[data-welcome="code"]')).to_have_text(WELCOME_CODE)
    expect(app.locator('[data-welcome="percentage"]')).to_have_text(percentage)
    expect(app.locator('[data-welcome="state"]')).to_have_text(state)
    expect(app.locator('[data-welcome="ends_at"]')).to_have_text(no_end)
    link = app.locator('[data-welcome="used"]').get_by_role("link", name=order)
    expect(link).to_have_attribute("href", f"https://{SHOP}/admin/orders/{ORDER_ID}")
    expect(app.locator("#welcome-none")).to_be_hidden()
    screenshot(f"admin-member-welcome-{locale}")
    assert_accessible(frame, "body")

    visit(page, live_app, "/members/7100", locale)  # a member without a welcome code
    expect(app.locator("#welcome-none")).to_be_visible()
    expect(app.locator("#welcome-facts")).to_be_hidden()
    assert page.js_errors == []
