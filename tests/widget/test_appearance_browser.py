"""The admin's Widget appearance page (issue 7) in the (fake) Shopify admin, and its effect on the
storefront widget: live preview, the contrast warning as the merchant types, the save bar."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from loyalty.core.models import Shop, WidgetAppearance
from loyalty.members.appearance import contrast_ratio, update_appearance
from tests.support.axe import assert_accessible
from tests.support.rewards import CUSTOMER

SHOP = "fjellsko.myshopify.com"
PAIRS = [
    ("#767676", "#ffffff"),
    ("#ffeb3b", "#ffffff"),
    ("#1f5f3f", "#fdfbf7"),
    ("#000000", "#123456"),
]

pytestmark = pytest.mark.browser


def _row(rt: Any) -> WidgetAppearance | None:
    with rt.sessions() as s:
        shop = s.query(Shop).filter_by(domain=SHOP).one()
        return s.get(WidgetAppearance, shop.id)


def test_merchant_sets_the_widgets_look_with_a_preview_and_a_contrast_warning(
    page: Any, screenshot: Any, live_app: str, fake_shopify: Any, rt: Any
) -> None:
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK")
    page.goto(fake_shopify.admin_app_url(SHOP, "/appearance"))
    app = page.frame_locator("#app-iframe")
    accent = app.get_by_label("Accent (buttons, header)", exact=True)
    expect(accent).to_have_value("#1f5f3f")
    warning = app.locator("#contrast-warning")
    expect(warning).to_be_hidden()
    head = app.locator(".k-preview-head")
    expect(head).to_have_css("background-color", "rgb(31, 95, 63)")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    expect(save_bar).to_be_hidden()
    screenshot("admin-appearance")
    frame = page.locator("#app-iframe").element_handle().content_frame()
    assert_accessible(frame, "s-page")
    # The preview's contrast formula is the API's.
    for pair in PAIRS:
        in_js = frame.evaluate("p => window.KlubbContrast.ratio(p[0], p[1])", list(pair))
        assert in_js == pytest.approx(contrast_ratio(*pair), abs=1e-9)

    # A pale accent: the preview follows as it is typed, and the warning names both pairs.
    accent.fill("#ffeb3b")
    expect(head).to_have_css("background-color", "rgb(255, 235, 59)")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Button and header text: contrast 1.22:1 is below WCAG AA")
    expect(warning).to_contain_text("Buttons and progress bar: contrast 1.22:1")
    expect(save_bar).to_be_visible()
    screenshot("admin-appearance-contrast-warning")

    # A bad hex code is refused by the API beside its field; nothing is stored.
    app.get_by_label("Panel text", exact=True).fill("black")
    save_bar.get_by_role("button", name="Save").click()
    text_field = app.locator('s-text-field[name="text_color"]')
    expect(text_field).to_have_attribute("error", "Enter a colour as a hex code, like #1f5f3f.")
    expect(page.locator("#toasts")).to_contain_text("Appearance not saved")
    assert _row(rt) is None

    # Good values: a dark accent, Norwegian launcher text, left side; saved and previewed.
    accent.fill("#0b3d2e")
    expect(warning).to_be_hidden()
    app.get_by_label("Panel text", exact=True).fill("#222222")
    app.get_by_label("Launcher text in Norwegian").fill("Klubbfordeler")
    app.get_by_label("Launcher position").select_option("left")
    app.get_by_label("Preview language").select_option("nb")
    expect(app.locator("#preview-launcher")).to_have_text("Klubbfordeler")
    expect(app.locator("#preview")).to_have_class("k-preview k-left")
    save_bar.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Appearance saved")
    expect(save_bar).to_be_hidden()
    expect(text_field).not_to_have_attribute("error", "Enter a colour as a hex code, like #1f5f3f.")
    screenshot("admin-appearance-saved")
    row = _row(rt)
    assert row is not None
    assert (row.accent_color, row.text_color, row.position) == ("#0b3d2e", "#222222", "left")
    assert row.launcher_text == {"nb": "Klubbfordeler"}

    page.reload()
    expect(app.get_by_label("Launcher text in Norwegian")).to_have_value("Klubbfordeler")
    expect(app.get_by_label("Accent (buttons, header)", exact=True)).to_have_value("#0b3d2e")
    assert page.js_errors == []


def test_the_widget_applies_the_saved_appearance_over_the_theme_editors(
    page: Any,
    rt: Any,
    storefront: Any,
    shop_id: int,
    member: int,
    open_panel: Any,
    screenshot: Any,
) -> None:
    """Once the program is fetched, the admin's colours, side and launcher text are used."""
    update_appearance(
        rt.sessions,
        shop_id,
        {
            "accent_color": "#5b2a86",
            "position": "left",
            "launcher_text": {"en": "Club perks", "nb": "Klubbfordeler"},
        },
    )
    storefront.customer_id = CUSTOMER
    dialog = open_panel()
    head = dialog.locator(".klubb-head")
    assert head.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(91, 42, 134)"
    assert page.locator("#klubb-root").get_attribute("class").split()[-1] == "klubb-left"
    assert page.locator(".klubb-launcher span").inner_text() == "Club perks"
    box = dialog.bounding_box()
    assert box["x"] < 100, "the panel opens on the left"
    screenshot("widget-appearance-applied")
    assert_accessible(page)


def test_the_preview_speaks_the_preview_language_with_its_numbers(
    page: Any, screenshot: Any, live_app: str, fake_shopify: Any, rt: Any
) -> None:
    """In a Norwegian admin the preview starts in Norwegian; English switches the whole panel,
    and its numbers are grouped and its money written the way each language does."""
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale="nb")
    page.goto(fake_shopify.admin_app_url(SHOP, "/appearance"))
    app = page.frame_locator("#app-iframe")
    preview = app.locator("#preview")
    expect(app.get_by_label("Språk i forhåndsvisningen")).to_have_value("nb")
    expect(preview.locator(".k-preview-head")).to_have_text("Fordelsklubb")
    expect(preview.locator(".k-preview-balance")).to_have_text("Dine poeng 1\u00a0250")
    expect(preview).to_contain_text("250 poeng igjen til 50\u00a0kr rabatt")
    expect(preview.locator(".k-preview-button")).to_have_text("Løs inn")
    expect(app.locator("#preview-launcher")).to_have_text("Fordeler")
    screenshot("admin-appearance-preview-nb")

    app.get_by_label("Språk i forhåndsvisningen").select_option("en")
    expect(preview.locator(".k-preview-head")).to_have_text("Rewards club")
    expect(preview.locator(".k-preview-balance")).to_have_text("Your points 1,250")
    expect(preview).to_contain_text("250 points to go to NOK\u00a050 off")
    expect(preview.locator(".k-preview-button")).to_have_text("Redeem")
    expect(app.locator("#preview-launcher")).to_have_text("Rewards")
    screenshot("admin-appearance-preview-en")
    assert page.js_errors == []
