"""The Import page in the (fake) Shopify admin: check a file, see each row's fate, apply it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from loyalty.core.models import Member, Shop
from tests.imports.helpers import FILES
from tests.support.axe import assert_accessible

SHOP = "fjellsko.myshopify.com"

pytestmark = pytest.mark.browser


def balances(rt):
    with rt.sessions() as s:
        shop_id = s.scalar(select(Shop.id).where(Shop.domain == SHOP))
        rows = s.execute(
            select(Member.email, Member.points_balance).where(Member.shop_id == shop_id)
        ).all()
    return dict(rows)


def test_import_a_smile_file_then_a_rivo_template_each_with_one_bad_row(
    page, screenshot, live_app, fake_shopify, rt
):
    shop = fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale="en")
    shop.add_customer(101, "Kari", "Nordmann", "kari@example.com")
    shop.add_customer(102, "Ola", "Hansen", "ola@example.com")
    page.set_viewport_size({"width": 1280, "height": 1500})  # the screenshots show the rows
    page.goto(fake_shopify.admin_app_url(SHOP, "/import"))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Import members and points")).to_be_visible()
    toasts = page.locator("#toasts")

    # Checking without a file names the file field.
    app.get_by_role("button", name="Check file").click()
    expect(app.locator("#import-file-error")).to_have_text("Choose a CSV file.")
    big = {"name": "big.csv", "mimeType": "text/csv", "buffer": b"x" * (4 * 1024 * 1024 + 1)}
    app.get_by_label("CSV file").set_input_files(big)
    app.get_by_role("button", name="Check file").click()
    expect(app.locator("#import-file-error")).to_have_text("The file is larger than 4 MB.")

    app.get_by_label("CSV file").set_input_files(str(FILES / "smile.csv"))
    app.get_by_role("button", name="Check file").click()
    expect(toasts).to_contain_text("File checked: nothing has changed yet")
    expect(app.locator("#import-source")).to_contain_text("File from Smile.io")
    mapping = app.locator("#import-mapping tbody tr")
    expect(mapping).to_have_count(2)
    expect(mapping.nth(1)).to_contain_text("points")
    expect(mapping.nth(1)).to_contain_text("Points")
    rows = app.locator("#import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("New member")
    expect(rows.nth(1)).to_contain_text("1,200")
    bad = app.locator('#import-rows tr[data-line="4"]')
    expect(bad).to_contain_text("Error")
    expect(bad).to_contain_text("not-an-email")
    expect(bad.locator(".k-problem")).to_have_text("This is not an email address.")
    expect(app.locator("#import-counts")).to_contain_text("2 new members")
    screenshot("admin-import-smile-dry-run")
    assert balances(rt) == {}  # a dry run changes nothing
    frame = page.locator("#app-iframe").element_handle().content_frame()
    assert_accessible(frame, "s-page")

    app.get_by_role("button", name="Apply import").click()
    expect(toasts).to_contain_text("Import applied")
    expect(app.get_by_role("heading", name="Import applied: what changed")).to_be_visible()
    expect(bad.locator(".k-problem")).to_have_text("This is not an email address.")
    assert balances(rt) == {"kari@example.com": 500, "ola@example.com": 1200}
    expect(app.get_by_role("button", name="Apply import")).to_be_hidden()

    # A Rivo template resets the balances; its bad row (negative points) is shown beside it.
    app.get_by_role("button", name="Import another file").click()
    app.get_by_label("CSV file").set_input_files(str(FILES / "rivo_template.csv"))
    app.get_by_label("The points in the file").select_option("reset")
    app.get_by_role("button", name="Check file").click()
    expect(app.locator("#import-source")).to_contain_text("File from Rivo (template)")
    kari = app.locator('#import-rows tr[data-line="2"]')
    expect(kari).to_contain_text("Balance changes")
    # The badge stays on one line, however narrow the table gets.
    page.set_viewport_size({"width": 900, "height": 1500})
    assert kari.locator("s-badge").bounding_box()["height"] < 28
    page.set_viewport_size({"width": 1280, "height": 1500})
    expect(kari).to_contain_text("500")
    expect(kari).to_contain_text("640")
    negative = app.locator('#import-rows tr[data-line="4"]')
    expect(negative.locator(".k-problem")).to_have_text("Points cannot be negative.")
    screenshot("admin-import-rivo-dry-run")
    assert balances(rt) == {"kari@example.com": 500, "ola@example.com": 1200}

    app.get_by_role("button", name="Apply import").click()
    expect(app.get_by_role("heading", name="Import applied: what changed")).to_be_visible()
    expect(kari).to_contain_text("640")
    expect(kari).to_contain_text("Balance changed")  # said in the past once applied
    expect(app.locator("#import-counts")).to_contain_text("balances changed")
    assert balances(rt) == {"kari@example.com": 640, "ola@example.com": 52620}
    screenshot("admin-import-rivo-applied")

    # The same file again: nothing changes, and the page says it was imported before.
    app.get_by_role("button", name="Import another file").click()
    app.get_by_label("CSV file").set_input_files(str(FILES / "rivo_template.csv"))
    app.get_by_label("The points in the file").select_option("reset")
    app.get_by_role("button", name="Check file").click()
    expect(app.locator("#import-earlier")).to_be_visible()
    expect(app.locator("#import-counts")).to_contain_text("0 balances change")
    expect(kari.locator(".k-problem")).to_have_text("Already imported.")

    assert page.js_errors == []


def test_the_import_page_fits_a_375px_screen(page, screenshot, live_app):
    """The document alone at phone width (the fake admin's own chrome is not responsive)."""
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(f"{live_app}/import?embedded=1&shop={SHOP}")
    expect(page.get_by_role("button", name="Check file")).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    screenshot("admin-import-375px")
