"""Every admin view has its own address (issue #24, item 5): opening a member and filtering the
members list change the admin's address bar through App Bridge's address sync, and a reload or
a shared link opens the same view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from loyalty.core.models import Member, MemberStatus
from tests.support.fjellsko import SHOP, add_members, shop_id

pytestmark = pytest.mark.browser


def test_a_member_and_a_filtered_list_survive_a_reload(
    page, live_app, fake_shopify, rt, screenshot
):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP))  # installs the app
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    add_members(rt)
    with rt.sessions.begin() as s:  # an erased row: out of the list until asked for
        s.add(Member(shop_id=shop_id(rt), customer_id=-99, status=MemberStatus.ANONYMISED))
    page.goto(fake_shopify.admin_app_url(SHOP, "/members"))
    rows = app.locator("#members-table tbody tr")
    expect(rows).to_have_count(4)
    expect(app.locator("#members-table")).not_to_contain_text("Former member")

    app.get_by_label("Search").fill("kunde")
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"/members\?(.*&)?query=kunde"))
    page.reload()
    expect(app.get_by_label("Search")).to_have_value("kunde")
    expect(rows).to_have_count(3)

    app.get_by_label("Search").fill("")
    app.get_by_label("Status").select_option("all")
    expect(rows).to_have_count(5)
    expect(app.locator("#members-table")).to_contain_text("Former member, data erased")
    expect(page).to_have_url(re.compile(r"status=all"))
    screenshot("admin-members-all")

    app.get_by_role("link", name="Kari Nordmann").click()
    expect(app.get_by_role("heading", name="Kari Nordmann")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/members/7001(\?|$)"))
    page.reload()
    expect(app.get_by_role("heading", name="Kari Nordmann")).to_be_visible()
    assert page.js_errors == []
