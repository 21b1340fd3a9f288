"""The admin home in the (fake) Shopify admin: the seeded shop's figures, charts and embed status."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loyalty.core.config import DEMO_API_KEY
from tests.analytics import seed
from tests.support.axe import assert_accessible
from tests.support.shops import SHOP

pytestmark = pytest.mark.browser


def nok(amount: str) -> str:
    """A NOK amount as the page shows it in English ("NOK 1,234" or "NOK 50.50")."""
    value = Decimal(amount)
    return f"NOK {value:,.0f}" if value == value.to_integral() else f"NOK {value:,.2f}"


def open_home(page, fake_shopify, *, embed: str, locale: str = "en"):
    shop = fake_shopify.add_shop(
        SHOP, name="Klubb Test", currency="NOK", timezone="Europe/Oslo", locale=locale
    )
    shop.theme_blocks["app-embed"] = embed
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.locator("#dashboard[data-loaded]")).to_have_count(1)
    return app


def test_the_dashboard_shows_the_seeded_figures_in_charts_and_tables(
    seeded, page, screenshot, live_app, fake_shopify
):
    app = open_home(page, fake_shopify, embed="available")
    today = seeded.today
    want = seed.expected(today, today - timedelta(days=29), today, seeded.expired)
    screenshot("admin-dashboard")
    frame = page.locator("#app-iframe").element_handle().content_frame()
    assert_accessible(frame, "s-page")

    # The launcher is off: the page says so and links to the theme editor to turn it on.
    status = app.locator("#embed-status")
    expect(status).to_have_attribute("data-status", "off")
    expect(status).to_contain_text("off in your live theme")
    link = app.get_by_role("link", name="Turn it on in the theme editor")
    expect(link).to_have_attribute(
        "href",
        f"https://{SHOP}/admin/themes/current/editor?context=apps"
        f"&activateAppId={DEMO_API_KEY}/app-embed",
    )
    expect(link).to_have_attribute("target", "_top")

    comparison = app.locator("#comparison")
    revenue = comparison.locator('tr[data-row="revenue"] td')
    expect(revenue).to_have_text(
        [nok(want[s]["revenue"]) for s in ("members", "non_members", "all")]
    )
    orders = comparison.locator('tr[data-row="orders"] td')
    expect(orders).to_have_text([str(want[s]["orders"]) for s in ("members", "non_members", "all")])
    customers = comparison.locator('tr[data-row="customers"] td')
    expect(customers).to_have_text(
        [str(want[s]["customers"]) for s in ("members", "non_members", "all")]
    )
    outstanding = app.locator('[data-metric="outstanding"]')
    expect(outstanding.locator(".k-value")).to_have_text(f"{want['points']['outstanding']} points")
    expect(outstanding.locator(".k-note")).to_have_text(
        f"worth {nok(want['points']['outstanding_value'])}"
    )

    # Every chart is drawn (Chart.js arrives after the figures), and its table holds each day's.
    expect(app.locator("#dashboard[data-charts]")).to_have_count(1)
    for chart in ("revenue", "orders", "new_members", "points"):
        canvas = app.locator(f"#chart-{chart}")
        expect(canvas).to_be_visible()
        assert canvas.evaluate("c => window.Chart.getChart(c) !== undefined")
    for day in want["days"]:
        row = app.locator(f'#table-revenue tr[data-day="{day["day"]}"] td')
        expect(row).to_have_text([nok(day["member_revenue"]), nok(day["guest_revenue"])])
        row = app.locator(f'#table-orders tr[data-day="{day["day"]}"] td')
        expect(row).to_have_text([str(day["member_orders"]), str(day["guest_orders"])])
    points_today = app.locator(f'#table-points tr[data-day="{today.isoformat()}"] td')
    day = want["days"][-1]
    expect(points_today).to_have_text(
        [
            f"{day[k]:,}"
            for k in ("points_issued", "points_redeemed", "points_expired", "outstanding_points")
        ]
    )
    app.locator(".k-chart-table summary").first.click()
    expect(app.locator("#table-revenue")).to_be_visible()
    screenshot("admin-dashboard-table")

    # A chart's CSV download is its table's figures.
    with page.expect_download() as download:
        app.locator('.k-csv[data-chart="orders"]').click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "day,member_orders,guest_orders"
    assert lines[-1] == f"{today.isoformat()},{day['member_orders']},{day['guest_orders']}"

    # Another period: yesterday alone (the late refund's day).
    yesterday = (today - timedelta(days=1)).isoformat()
    app.locator("#period-from").fill(yesterday)
    app.locator("#period-to").fill(yesterday)
    app.get_by_role("button", name="Show").click()
    expect(app.locator("#dashboard")).to_have_attribute("data-loaded", f"{yesterday}/{yesterday}")
    one_day = seed.expected(today, today - timedelta(days=1), today - timedelta(days=1), 0)
    expect(revenue).to_have_text(
        [nok(one_day[s]["revenue"]) for s in ("members", "non_members", "all")]
    )
    assert page.js_errors == []


def test_a_bad_period_is_marked_beside_its_field(seeded, page, live_app, fake_shopify):
    app = open_home(page, fake_shopify, embed="active")
    app.locator("#period-from").fill("2026-03-02")
    app.locator("#period-to").fill("2026-03-01")
    app.get_by_role("button", name="Show").click()
    error = app.locator("#period-to-error")
    expect(error).to_have_text("Choose a day on or after the start of the period.")
    expect(app.locator("#period-to")).to_have_attribute("aria-invalid", "true")


def test_an_enabled_launcher_is_reported_on_without_a_link(seeded, page, live_app, fake_shopify):
    app = open_home(page, fake_shopify, embed="active")
    expect(app.locator("#embed-status")).to_have_attribute("data-status", "on")
    expect(app.locator("#embed-status")).to_contain_text("on in your live theme")
    expect(app.locator("#embed-link")).to_be_hidden()


def test_a_norwegian_admin_sees_the_dashboard_in_norwegian(
    seeded, page, screenshot, live_app, fake_shopify
):
    app = open_home(page, fake_shopify, embed="available", locale="nb")
    expect(app.get_by_role("heading", name="Klubbens resultater")).to_be_visible()
    expect(app.locator("#embed-status")).to_contain_text("Klubb-knappen er slått av")
    expect(app.get_by_role("link", name="Slå den på i temaredigeringen")).to_be_visible()
    expect(app.locator("#table-orders thead th")).to_have_text(
        ["Dag", "Medlemmenes ordrer", "Ikke-medlemmers ordrer"]
    )
    # The program's rules in words, from the seeded shop's settings (no welcome discount).
    # Money as everywhere else in the Norwegian admin ("1 kr", not "NOK 1").
    expect(app.locator('[data-summary="earn_rate"]')).to_have_text(
        "1 poeng per 1\u00a0kr handlet for"
    )
    expect(app.locator('[data-summary="signup_bonus"]')).to_have_text("100 poeng")
    expect(app.locator('[data-summary="welcome_discount_percent"]')).to_have_text("ingen")
    expect(app.locator('[data-summary="expiry_months"]')).to_have_text(
        "etter 12 måneder uten aktivitet"
    )
    screenshot("admin-dashboard-nb")


# Each chart's y-axis: its ticks as drawn, and how the axis would label 1400.
AXES = """() => Object.fromEntries(["revenue", "orders", "new_members", "points"].map((name) => {
  const y = window.Chart.getChart(document.getElementById("chart-" + name)).scales.y;
  return [name, {
    ticks: y.ticks.map((tick) => tick.value),
    label_1400: y.options.ticks.callback.call(y, 1400, 0, y.ticks),
  }];
}))"""


def test_the_chart_axes_group_numbers_like_the_tables_and_count_in_whole_numbers(
    seeded, page, live_app, fake_shopify
):
    """A Norwegian admin reads "1 400" on the axes as in the tables, and orders and new
    members per day are counted in whole numbers, never 0.5."""
    open_home(page, fake_shopify, embed="available", locale="nb")
    frame = page.locator("#app-iframe").element_handle().content_frame()
    axes = frame.evaluate(AXES)
    assert {name: axis["label_1400"] for name, axis in axes.items()} == dict.fromkeys(
        axes, "1\u00a0400"
    )
    for name in ("orders", "new_members"):
        assert all(float(value).is_integer() for value in axes[name]["ticks"]), axes[name]
    assert page.js_errors == []
