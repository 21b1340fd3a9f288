"""The Program page: its live example earns what the server would, and a new rate earns by it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.core.models import LedgerEntry, LedgerKind
from loyalty.core.money import points_for
from tests.support.bodies import Line, order_body
from tests.support.jobs import drain

SHOP = "fjellsko.myshopify.com"
CUSTOMER = 820982911946154500
ORDER_ID = 5_600_000_000_001

# (rate, order amount, points): the server's rule and the page's example must agree on each.
# 1.15 x 100 is 114.99999999999999 in floating point: exact decimals give 115.
CASES = [
    ("2.5", "499", 1247),
    ("1.25", "499", 623),
    ("2.5", "199.90", 499),
    ("1.15", "100", 115),
    ("0.0001", "9999", 0),
    ("1000", "0.01", 10),
]


@pytest.mark.parametrize(("rate", "amount", "points"), CASES)
def test_the_servers_rule_gives_the_cases(rate, amount, points):
    assert points_for(Decimal(amount), Decimal(rate)) == points


def english_nok(amount: str) -> str:
    """NOK as Intl writes it in English, with the currency's two decimals: "NOK 1,234.50"."""
    return f"NOK {Decimal(amount):,.2f}"


def open_settings(page, fake_shopify, locale="en"):
    shop = fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale=locale)
    page.goto(fake_shopify.admin_app_url(SHOP, "/settings"))
    app = page.frame_locator("#app-iframe")
    expect(app.locator('s-number-field[name="earn_rate"] input')).to_have_value("1")
    return shop, app


@pytest.mark.browser
def test_the_live_example_earns_what_the_server_would(page, screenshot, live_app, fake_shopify):
    _, app = open_settings(page, fake_shopify)
    example = app.locator("#earn-example")
    expect(example).to_have_text("An order of NOK 499.00 earns 499 points")

    rate = app.get_by_label("Points per unit of currency")
    amount = app.get_by_label("Example order amount")
    for case_rate, case_amount, points in CASES:
        rate.fill(case_rate)
        amount.fill(case_amount)
        expect(example).to_have_text(
            f"An order of {english_nok(case_amount)} earns {points:,} points"
        )
    screenshot("admin-settings-example")

    # One point is one point; a rate the server would refuse gives no example.
    rate.fill("1")
    amount.fill("1.99")
    expect(example).to_have_text("An order of NOK 1.99 earns 1 point")
    for refused in ("0", "1000.5", "1.23456", "-1"):
        rate.fill(refused)
        expect(example).to_have_text(
            "Enter a rate and an order amount to see what the order earns."
        )
    # An amount with more decimals than the currency is rounded as Shopify's amounts are.
    rate.fill("2")
    amount.fill("10.005")
    expect(example).to_have_text("An order of NOK 10.01 earns 20 points")
    assert page.js_errors == []


@pytest.mark.browser
def test_the_live_example_in_norwegian(page, screenshot, live_app, fake_shopify):
    _, app = open_settings(page, fake_shopify, locale="nb")
    example = app.locator("#earn-example")
    app.get_by_label("Poeng per valutaenhet").fill("2.5")
    # Intl writes the amount "499,00 kr" and thousands with a no-break space.
    expect(example).to_have_text("En ordre på 499,00\u00a0kr gir 1\u00a0247 poeng")
    screenshot("admin-settings-example-nb")
    assert page.js_errors == []


@pytest.mark.browser
def test_a_new_earn_rate_earns_on_the_next_order(page, screenshot, live_app, fake_shopify, rt, app):
    shop, frame = open_settings(page, fake_shopify)
    shop.add_customer(CUSTOMER, "Kari", "Nordmann", "kari@example.com")

    frame.get_by_label("Points per unit of currency").fill("2.5")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Settings saved")
    expect(save_bar).to_be_hidden()

    # Shopify's signed orders/paid for a 499.00 order, then the worker.
    body = order_body(ORDER_ID, [Line(1, "499.00")], customer_id=CUSTOMER)
    body["name"] = "#1042"
    response = fake_shopify.send_webhook("orders/paid", SHOP, body)
    assert response.status_code == 200, response.text
    drain(app)
    earned = 1247  # floor(2.5 x 499.00)

    # The merchant finds the member by customer id (an order carries no profile).
    page.get_by_role("link", name="Members").click()
    frame.get_by_label("Search").fill(str(CUSTOMER))
    rows = frame.locator("#members-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{earned + 100:,}")  # and the signup bonus
    rows.first.get_by_role("link").click()
    expect(frame.locator("#member-balance")).to_have_text(f"{earned + 100:,}")
    order_row = frame.locator("#ledger-table tbody tr").filter(
        has=frame.get_by_role("link", name="#1042")  # the order as the merchant knows it
    )
    expect(order_row).to_contain_text(f"+{earned:,}")
    screenshot("admin-member-earned-at-new-rate")

    with rt.sessions() as s:
        entry = s.query(LedgerEntry).filter_by(order_id=ORDER_ID).one()
    assert (entry.kind, entry.points) == (LedgerKind.EARN, earned)
    assert page.js_errors == []
