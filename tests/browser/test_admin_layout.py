"""Shopify's "Built for Shopify" bar, page by page: a phone-wide frame, nothing popping up on
load, a back action on every page that is not in the app's navigation, and a warning before
unsaved changes are left behind."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from admin.pages import NAV
from loyalty.core.models import ProgramSettings, Shop
from tests.browser.admin_tour import MEMBER, PAGES, name_of, open_shop, visit
from tests.support.browser import admin_window
from tests.support.fjellsko import SHOP
from tests.support.jobs import beat_scheduler

pytestmark = pytest.mark.browser

PHONE = 375

# Whatever interrupts the merchant: Polaris and App Bridge modals, dialogs, banners.
POP_UPS = "s-banner, s-modal, ui-modal, dialog, [role=dialog], [role=alertdialog]"
VISIBLE_POP_UPS = f"""() => Array.from(document.querySelectorAll("{POP_UPS}"))
    .filter(el => el.checkVisibility())
    .map(el => el.outerHTML.slice(0, 120))"""


WIDER_THAN_THE_FRAME = """() => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((el) => !Array.from(el.children).some(
    (child) => child.getBoundingClientRect().right > window.innerWidth + 1))
  .map((el) => `${el.closest('[id]') ? el.closest('[id]').id + '>' : ''}${
    el.tagName.toLowerCase()}${el.className && typeof el.className === 'string'
    ? '.' + el.className.split(' ')[0] : ''} ${Math.round(el.getBoundingClientRect().right)}`)
  .slice(0, 8)"""


def overflow(frame) -> dict[str, int] | None:
    """The document's width and the frame's when the page scrolls sideways, else None."""
    width = frame.evaluate("document.scrollingElement.scrollWidth")
    inner = frame.evaluate("window.innerWidth")
    if width <= inner:
        return None
    # Name the widest elements that stick out, so a failure says where to look.
    culprits = frame.evaluate(WIDER_THAN_THE_FRAME)
    return {"scroll_width": width, "frame_width": inner, "culprits": culprits}


def phone_tour(page, screenshot, live_app, fake_shopify, rt, locale, paths):
    """Each of ``paths`` in a 375 px frame: the ones that scroll sideways, with their widths."""
    page.set_viewport_size({"width": admin_window(PHONE), "height": 800})
    open_shop(page, fake_shopify, rt, locale)
    app = page.frame_locator("#app-iframe")
    wide = {}
    for path in paths:
        frame = visit(page, live_app, path, locale)
        assert frame.evaluate("window.innerWidth") == PHONE
        wide[path] = overflow(frame)
        screenshot(f"admin-375-{locale}-{name_of(path)}")
        if path == "/rewards":
            app.locator("#reward-new").click()
            expect(app.locator("#reward-form")).to_be_visible()
            wide["/rewards (form)"] = overflow(frame)
            screenshot(f"admin-375-{locale}-rewards-form")
    assert page.js_errors == []
    return {path: w for path, w in wide.items() if w}


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_every_page_fits_a_phone_screen(page, screenshot, live_app, fake_shopify, rt, locale):
    paths = [path for path in PAGES if path != "/"]
    assert phone_tour(page, screenshot, live_app, fake_shopify, rt, locale, paths) == {}


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_the_home_page_fits_a_phone_screen(page, screenshot, live_app, fake_shopify, rt, locale):
    assert phone_tour(page, screenshot, live_app, fake_shopify, rt, locale, ["/"]) == {}


def test_no_page_opens_a_pop_up_or_banner_on_load(page, live_app, fake_shopify, rt):
    """A healthy app (its scheduler beating) opens no pop-up or banner on any page."""
    open_shop(page, fake_shopify, rt)
    beat_scheduler(rt)
    shown = {}
    for path in PAGES:
        frame = visit(page, live_app, path)
        shown[path] = frame.evaluate(VISIBLE_POP_UPS)
    assert {path: found for path, found in shown.items() if found} == {}
    # Nor in the admin around the app (App Bridge modals and toasts open there).
    assert page.evaluate("window.__fakeAdmin.toasts") == []
    assert page.evaluate(VISIBLE_POP_UPS) == []


def test_every_page_outside_the_navigation_has_a_back_action(page, live_app, fake_shopify, rt):
    """Pages reached from another page (not the app's sidebar) lead back in the page header."""
    open_shop(page, fake_shopify, rt)
    app = page.frame_locator("#app-iframe")
    top_level = {"/"} | {href for href, _label in NAV}
    sub_pages = [path for path in PAGES if path not in top_level]
    # Each one's way back, and what shows there once the list's data arrived (the way back
    # keeps the embedded context).
    back_to = {
        "/campaigns/new": ("Campaigns", "#campaigns-empty", None),
        f"/members/{MEMBER}": ("Members", "#members-table tbody tr", 4),
    }
    assert sub_pages == list(back_to)
    for path in sub_pages:
        visit(page, live_app, path)
        back = app.locator('s-page > [slot="breadcrumb-actions"]')
        expect(back).to_have_count(1)
        expect(back).to_be_visible()
        back.click()
        heading, shown, rows = back_to[path]
        expect(app.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        if rows is None:
            expect(app.locator(shown)).to_be_visible()
        else:
            expect(app.locator(shown)).to_have_count(rows)

    # The reward form is a view of the Rewards page, opened from its list: it has its own back.
    visit(page, live_app, "/rewards")
    app.locator("#reward-new").click()
    expect(app.locator("#reward-form")).to_be_visible()
    app.get_by_role("button", name="← Rewards").click()
    expect(app.locator("#reward-form")).to_be_hidden()
    expect(app.locator("#rewards-table")).to_be_visible()
    assert page.js_errors == []


def test_the_admin_sidebar_goes_straight_through_when_nothing_is_unsaved(
    page, live_app, fake_shopify, rt
):
    open_shop(page, fake_shopify, rt)
    app = page.frame_locator("#app-iframe")
    page.get_by_role("link", name="Program settings").click()
    expect(app.get_by_label("Signup bonus")).to_have_value("100")
    page.get_by_role("link", name="Rewards").click()
    expect(app.get_by_role("heading", name="Rewards")).to_be_visible()
    assert page.evaluate("window.__fakeAdmin.leaveConfirmations") == 0


def test_leaving_unsaved_settings_by_the_admin_sidebar_asks_first(page, live_app, fake_shopify, rt):
    open_shop(page, fake_shopify, rt)
    app = page.frame_locator("#app-iframe")
    page.get_by_role("link", name="Program settings").click()
    bonus = app.get_by_label("Signup bonus")
    expect(bonus).to_have_value("100")
    bonus.fill("250")
    expect(page.get_by_role("region", name="Unsaved changes")).to_be_visible()

    leave = page.get_by_role("dialog", name="Leave page with unsaved changes?")
    page.get_by_role("link", name="Rewards").click()
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="Stay").click()
    expect(leave).to_be_hidden()
    expect(app.get_by_role("heading", name="Program settings")).to_be_visible()
    expect(bonus).to_have_value("250")

    page.get_by_role("link", name="Rewards").click()
    leave.get_by_role("button", name="Leave page").click()
    expect(app.get_by_role("heading", name="Rewards")).to_be_visible()
    assert settings_bonus(rt) == 100
    assert page.js_errors == []


def test_leaving_an_unsaved_reward_by_its_back_action_asks_first(page, live_app, fake_shopify, rt):
    """The form's own back asks App Bridge (saveBar.leaveConfirmation) before closing."""
    open_shop(page, fake_shopify, rt)
    app = page.frame_locator("#app-iframe")
    visit(page, live_app, "/rewards")
    app.locator("#reward-new").click()
    app.get_by_label("Title").fill("Half price")
    save_bar = page.get_by_role("region", name="Unsaved changes")
    expect(save_bar).to_be_visible()

    leave = page.get_by_role("dialog", name="Leave page with unsaved changes?")
    app.get_by_role("button", name="← Rewards").click()
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="Stay").click()
    expect(app.get_by_label("Title")).to_have_value("Half price")

    app.get_by_role("button", name="← Rewards").click()
    leave.get_by_role("button", name="Leave page").click()
    expect(app.locator("#reward-form")).to_be_hidden()
    expect(app.locator("#rewards-table")).to_be_visible()
    expect(save_bar).to_be_hidden()
    assert page.js_errors == []


def settings_bonus(rt) -> int:
    with rt.sessions() as s:
        shop = s.query(Shop).filter_by(domain=SHOP).one()
        return s.get(ProgramSettings, shop.id).signup_bonus


# Where each card's content ends, and how tall the card is (Polaris cards hug their content).
CARD_SLACK = """(selector) => Array.from(document.querySelectorAll(selector)).map((card) => {
  const box = card.getBoundingClientRect();
  const bottoms = Array.from(card.children).map((child) => child.getBoundingClientRect().bottom);
  return {top: Math.round(box.top), blank: Math.round(box.bottom - Math.max(...bottoms))};
})"""


def test_cards_on_a_desktop_screen_sit_side_by_side_and_hug_their_content(
    page, screenshot, live_app, fake_shopify, rt
):
    """A block stack gives its children its full width: the member page's four top cards form
    one row with no tall blank below their content, and the dashboard's From/To fields sit right
    under the "Club performance" heading."""
    open_shop(page, fake_shopify, rt)
    frame = visit(page, live_app, f"/members/{MEMBER}")
    screenshot("admin-layout-member")
    cards = frame.evaluate(CARD_SLACK, ".k-grid > s-section")
    assert len(cards) == 4  # balance, profile, welcome discount, marketing consent
    assert len({card["top"] for card in cards}) == 1, cards
    # 16 px of card padding, and the shorter cards stretch to the tallest one's content.
    assert min(card["blank"] for card in cards) <= 16, cards

    frame = visit(page, live_app, "/")
    heading_to_form = frame.evaluate(
        """() => document.querySelector('label[for=period-from]').getBoundingClientRect().top -
                 document.getElementById('dashboard').getBoundingClientRect().top"""
    )
    # The card's padding and its heading (16 + about 20 + 12 px), not a wrapped column's gap.
    assert heading_to_form < 60
    assert page.js_errors == []


def test_the_last_row_of_a_table_has_no_line_under_any_of_its_cells(
    page, live_app, fake_shopify, rt
):
    """Row headers (th) included: the members and non-members table ends without a stray
    line under its first column."""
    open_shop(page, fake_shopify, rt)
    frame = visit(page, live_app, "/")
    last_row = frame.evaluate(
        """() => Array.from(document.querySelectorAll('#comparison tbody tr:last-child > *'))
            .map((cell) => [cell.tagName, getComputedStyle(cell).borderBottomWidth])"""
    )
    assert last_row[0] == ["TH", "0px"]
    assert {width for _tag, width in last_row} == {"0px"}
    above = frame.evaluate(
        """() => getComputedStyle(document.querySelector(
            '#comparison tbody tr:first-child > th')).borderBottomWidth"""
    )
    assert above == "1px"


def test_progress_bars_span_their_card(page, live_app, fake_shopify, rt):
    """The backfill's progress bar is as wide as the import's (its card, up to 480 px), not the
    browser's default 160 px."""
    open_shop(page, fake_shopify, rt)
    frame = visit(page, live_app, "/backfill")
    width = frame.evaluate("() => document.getElementById('backfill-bar').offsetWidth")
    assert width >= 400
    assert page.js_errors == []
