"""A merchant creates a reward and finds a member to adjust their points, in the (fake) admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from loyalty.core.models import AuditLog, LedgerEntry, Member, Reward
from loyalty.rewards.catalogue import create_reward
from tests.support.browser import admin_window
from tests.support.fjellsko import ORDER_ID, SHOP, add_members, shop_id

pytestmark = pytest.mark.browser


def open_admin(page, fake_shopify, path=""):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP, path))
    return page.frame_locator("#app-iframe")


def test_a_reward_created_in_the_admin_is_offered_in_the_widget(
    page, screenshot, live_app, fake_shopify, rt, proxy
):
    app = open_admin(page, fake_shopify)
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    page.get_by_role("link", name="Rewards").click()
    expect(app.get_by_text("No rewards yet.")).to_be_visible()
    screenshot("admin-rewards-empty")

    app.get_by_role("button", name="Create reward").click()
    save_bar = page.get_by_role("region", name="Unsaved changes")
    app.get_by_label("Title").fill("<b>50 kr</b> off")
    app.get_by_label("Amount off").fill("50")
    app.get_by_label("Points cost").fill("0")
    app.get_by_label("Available until").fill("2026-02-30")
    expect(save_bar).to_be_visible()
    save_bar.get_by_role("button", name="Save").click()
    # A date that does not exist is caught before sending; then the server names the cost.
    ends = app.locator('s-text-field[name="ends_at"]')
    expect(ends).to_have_attribute("error", "Enter a date like 2026-12-31, or leave it empty.")
    app.get_by_label("Available until").fill("")
    save_bar.get_by_role("button", name="Save").click()
    cost = app.locator('s-number-field[name="points_cost"]')
    expect(cost).to_have_attribute("error", "Enter a whole number from 1 to 10000000.")
    expect(app.get_by_role("alert")).to_contain_text("The reward was not saved")
    expect(page.locator("#toasts")).to_contain_text("Reward not saved")
    screenshot("admin-rewards-invalid")
    with rt.sessions() as s:
        assert s.query(Reward).count() == 0

    app.get_by_label("Points cost").fill("500")
    app.get_by_label("Minimum order").fill("300")
    app.get_by_label("Code valid for").fill("30")
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Reward saved")
    expect(save_bar).to_be_hidden()
    row = app.locator("#rewards-table tbody tr")
    expect(row).to_have_count(1)
    # Merchant text is shown as text, never as markup.
    expect(row.first).to_contain_text("<b>50 kr</b> off")
    expect(row.first).to_contain_text("NOK 50 off · Orders from NOK 300")
    expect(row.first).to_contain_text("Active")

    # A percentage reward: typed as 10 (%), stored as the fraction 0.1.
    app.get_by_role("button", name="Create reward").click()
    app.get_by_label("Title").fill("10 % off")
    app.get_by_label("Type").select_option("percentage")
    app.get_by_label("Percentage off").fill("10")
    app.get_by_label("Points cost").fill("900")
    save_bar.get_by_role("button", name="Save").click()
    expect(row).to_have_count(2)
    screenshot("admin-rewards-list")

    with rt.sessions() as s:
        stored = {r.title: r for r in s.query(Reward).filter_by(shop_id=shop_id(rt))}
    assert str(stored["10 % off"].value.normalize()) == "0.1"
    assert stored["<b>50 kr</b> off"].code_lifetime_days == 30

    widget = proxy("GET", "/proxy/api/member", shop=SHOP).get_json()
    offered = {r["title"]: r for r in widget["rewards"]}
    assert offered["<b>50 kr</b> off"]["points_cost"] == 500
    assert offered["10 % off"]["points_cost"] == 900

    # Disabling takes it out of the widget; editing changes it there.
    row.filter(has_text="10 % off").get_by_role("button", name="Disable").click()
    expect(page.locator("#toasts")).to_contain_text("Reward disabled")
    expect(row.filter(has_text="10 % off")).to_contain_text("Disabled")
    row.filter(has_text="50 kr").get_by_role("button", name="Edit").click()
    expect(app.get_by_label("Points cost")).to_have_value("500")
    app.get_by_label("Points cost").fill("450")
    save_bar.get_by_role("button", name="Save").click()
    expect(row.filter(has_text="50 kr")).to_contain_text("450")
    widget = proxy("GET", "/proxy/api/member", shop=SHOP).get_json()
    assert [(r["title"], r["points_cost"]) for r in widget["rewards"]] == [
        ("<b>50 kr</b> off", 450)
    ]
    assert page.js_errors == []


def test_find_a_member_by_email_and_adjust_their_points(
    page, screenshot, live_app, fake_shopify, rt
):
    app = open_admin(page, fake_shopify)
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    kari = add_members(rt)
    page.get_by_role("link", name="Members").click()
    rows = app.locator("#members-table tbody tr")
    expect(rows).to_have_count(4)
    screenshot("admin-members")

    app.get_by_label("Search").fill("KARI@example")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kari Nordmann")
    expect(rows.first).to_contain_text("499")
    screenshot("admin-members-search")

    # The export holds the filtered list only.
    with page.expect_download() as download:
        app.get_by_role("button", name="Export CSV").click()
    exported = download.value.path().read_text()
    assert exported.splitlines()[0].startswith("customer_id,first_name,last_name,email")
    assert len(exported.splitlines()) == 2 and "kari@example.no" in exported
    expect(page.locator("#toasts")).to_contain_text("Export downloaded")

    app.get_by_role("link", name="Kari Nordmann").click()
    expect(app.get_by_role("heading", name="Kari Nordmann")).to_be_visible()
    expect(app.locator("#member-balance")).to_have_text("499")
    expect(app.locator('[data-profile="phone"]')).to_have_text("+4791234567")
    expect(app.locator('[data-consent="email"]')).to_contain_text("Subscribed")
    expect(app.locator('[data-consent="sms"]')).to_contain_text("Not subscribed")
    order = app.get_by_role("link", name=f"Order {ORDER_ID}")
    expect(order).to_have_attribute("href", f"https://{SHOP}/admin/orders/{ORDER_ID}")
    expect(order).to_have_attribute("target", "_top")
    # The Order column links the order, so its row does not repeat it as the reason.
    order_row = app.locator("#ledger-table tbody tr").filter(has=order)
    expect(order_row).to_contain_text("+499")
    expect(order_row).not_to_contain_text("Order #1001")

    # The reason is required: the server's message shows beside the field; nothing changes.
    app.get_by_label("Points to add or remove").fill("50")
    app.get_by_role("button", name="Adjust points").click()
    reason = app.locator('s-text-field[name="reason"]')
    expect(reason).to_have_attribute(
        "error", "Say why: the member sees this reason in their history."
    )
    expect(page.locator("#toasts")).to_contain_text("Points not adjusted")

    app.get_by_label("Reason").fill("Sorry for the late parcel")
    app.get_by_role("button", name="Adjust points").click()
    expect(page.locator("#toasts")).to_contain_text("Points adjusted")
    expect(app.locator("#member-balance")).to_have_text("549")
    expect(app.locator("#ledger-table tbody tr").first).to_contain_text("Sorry for the late parcel")
    expect(app.locator("#ledger-table tbody tr").first).to_contain_text("+50")
    expect(reason).not_to_have_attribute(
        "error", "Say why: the member sees this reason in their history."
    )
    expect(app.locator("#audit-table")).to_contain_text("Points adjusted")
    screenshot("admin-member-adjusted")

    with rt.sessions() as s:
        entry = s.query(LedgerEntry).filter_by(member_id=kari, kind="adjust").one()
        assert (entry.points, entry.reason) == (50, "Sorry for the late parcel")
        assert entry.actor == f"staff:{fake_shopify.staff_user_id}"
        actions = {a.action for a in s.query(AuditLog).filter_by(member_id=kari)}
    assert {"member.read", "member.adjusted"} <= actions

    # Removing more than the balance is refused beside the field until the debt is confirmed.
    debt = app.get_by_label("Record a debt: the member owes these points")
    expect(debt).to_be_hidden()
    app.get_by_label("Points to add or remove").fill("-1000")
    app.get_by_label("Reason").fill("Returned a pair of boots")
    app.get_by_role("button", name="Adjust points").click()
    points = app.locator('s-number-field[name="points"]')
    expect(points).to_have_attribute("error", re.compile("balance of -451 points"))
    expect(app.locator("#member-balance")).to_have_text("549")
    debt.check()
    app.get_by_role("button", name="Adjust points").click()
    expect(app.locator("#member-balance")).to_have_text("-451")
    expect(debt).to_be_hidden()

    # The back action returns to the list.
    app.get_by_role("link", name="← Members").click()
    expect(app.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    assert page.js_errors == []


def test_the_members_list_pages_forward_and_back(page, live_app, fake_shopify, rt):
    app = open_admin(page, fake_shopify)
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    add_members(rt)
    page.get_by_role("link", name="Members").click()
    rows = app.locator("#members-table tbody tr")
    expect(rows).to_have_count(4)
    app.get_by_label("Sort by").select_option("joined_at")
    expect(rows.first).to_contain_text("Kari")
    app.get_by_label("Balance from").fill("1")
    expect(rows).to_have_count(1)
    app.get_by_label("Balance to").fill("0")
    expect(app.locator('s-number-field[name="max_balance"]')).to_have_attribute(
        "error", "The maximum must not be below the minimum."
    )
    assert page.js_errors == []


def test_the_pages_fit_a_phone_screen(page, screenshot, live_app, fake_shopify, rt):
    """The app's frame 375 px wide (the fake admin as on a phone: no sidebar)."""
    page.set_viewport_size({"width": admin_window(375), "height": 800})
    app = open_admin(page, fake_shopify)
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    add_members(rt)
    for title in ("Free shipping on your next order", "A very long reward title " * 4):
        create_reward(
            rt.sessions, shop_id(rt), {"kind": "free_shipping", "title": title, "points_cost": 250}
        )
    frame = page.frame(name="app-iframe")
    frame.goto(f"{live_app}/members?embedded=1&shop={SHOP}")
    expect(app.locator("#members-table tbody tr")).to_have_count(4)
    assert frame.evaluate("window.innerWidth") <= 375
    for path in ("/members", "/rewards", "/members/7001"):
        frame.goto(f"{live_app}{path}?embedded=1&shop={SHOP}")
        expect(app.locator("s-page")).to_be_visible()
        page.wait_for_load_state("networkidle")
        scroll = frame.evaluate("document.documentElement.scrollWidth")
        assert scroll <= frame.evaluate("window.innerWidth"), path
        screenshot("admin-375" + path.replace("/", "-"))


def test_a_member_who_left_is_listed_without_a_link(page, live_app, fake_shopify, rt):
    """Leaving anonymises the row (its customer id becomes the row's negative id): the list
    leaves it out by default, and with "All, erased included" shows it as a former member,
    with nothing to open."""
    app = open_admin(page, fake_shopify)
    expect(app.get_by_role("heading", name="Klubb")).to_be_visible()
    kari = add_members(rt)
    with rt.sessions.begin() as s:
        row = s.get(Member, kari)
        row.status, row.customer_id = "anonymised", -kari
        row.first_name = row.last_name = row.email = row.phone = None
    page.get_by_role("link", name="Members").click()
    rows = app.locator("#members-table tbody tr")
    expect(rows).to_have_count(3)
    app.get_by_label("Status").select_option("all")
    expect(rows).to_have_count(4)
    erased = rows.filter(has_text="Former member, data erased")
    expect(erased).to_have_count(1)
    expect(erased.locator("s-link")).to_have_count(0)
    expect(rows.locator("s-link")).to_have_count(3)
    assert page.js_errors == []
