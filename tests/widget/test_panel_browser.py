"""The storefront widget in headless Chromium, through the test storefront and its app proxy.

Every view is also checked with axe-core (no serious or critical violation).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import assert_accessible
from tests.support.rewards import CUSTOMER, OTHER_CUSTOMER, balance, redemption_rows

pytestmark = pytest.mark.browser


def test_guest_sees_the_program_and_rewards(
    page: Any, storefront: Any, rewards: dict, make_reward: Any, open_panel: Any, screenshot: Any
) -> None:
    """A guest opens the launcher: how to earn, the rewards, and Shopify's account links.

    Merchant text (a reward title with markup) is shown literally, never parsed as HTML.
    """
    markup = '<img src=x onerror="window.hacked=1"><b>Bold</b>'
    make_reward(title=markup, points_cost=2000)
    dialog = open_panel()
    assert dialog.get_attribute("aria-labelledby") == "klubb-d-title"
    assert dialog.locator("h2").inner_text() == "Rewards club"
    body = dialog.locator(".klubb-body")
    assert body.get_attribute("data-view") == "guest"
    text = body.inner_text()
    assert "Ways to earn" in text
    assert "Earn 1 point for every" in text
    assert "Get 100 points when you join" in text
    for title in ("50 kr off", "10 % off everything", "Free shipping"):
        assert title in text
    assert dialog.get_by_role("button", name="Redeem").count() == 0
    assert dialog.get_by_role("link", name="Sign in").get_attribute("href") == "/account/login"
    register = dialog.get_by_role("link", name="Create account")
    assert register.get_attribute("href") == "/account/register"
    assert markup in text
    assert dialog.locator(".klubb-body img, .klubb-body b").count() == 0
    assert page.evaluate("window.hacked") is None
    screenshot("widget-guest")
    assert_accessible(page)
    assert page.js_errors == []


def test_member_redeems_copies_the_code_and_a_double_click_redeems_once(
    page: Any,
    rt: Any,
    storefront: Any,
    member: int,
    rewards: dict,
    fake_shop: Any,
    open_panel: Any,
    screenshot: Any,
) -> None:
    """Balance, progress, Redeem (double-clicked), the real Shopify code, Copy and apply link."""
    storefront.customer_id = CUSTOMER
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=storefront.url)
    dialog = open_panel()
    assert dialog.locator(".klubb-body").get_attribute("data-view") == "member"
    assert dialog.locator(".klubb-points").inner_text() == "1,000"
    assert "500 points to go to Free shipping" in dialog.inner_text()
    assert dialog.locator("progress").get_attribute("value") == "1000"
    # 500 and 800 are affordable; free shipping (1500) is not.
    assert dialog.locator(".klubb-redeem").count() == 2
    screenshot("widget-member")
    assert_accessible(page)

    dialog.get_by_role("button", name="Redeem 50 kr off").dblclick()
    code_box = dialog.locator(".klubb-code-value")
    code_box.wait_for()
    code = code_box.inner_text()
    assert fake_shop.discount_by_code(code) is not None
    assert dialog.locator(".klubb-points").inner_text() == "500"
    assert balance(rt, member) == 500
    assert len(redemption_rows(rt, member)) == 1
    apply = dialog.get_by_role("link", name="Use it in the cart")
    assert apply.get_attribute("href") == f"/discount/{code}"
    screenshot("widget-redeemed")
    assert_accessible(page)

    dialog.get_by_role("button", name="Copy code").click()
    page.get_by_text("Code copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == code
    redeems = [c for c in storefront.proxied if c["method"] == "POST"]
    assert [c["status"] for c in redeems] == [201]

    apply.click()
    page.wait_for_url(f"**/discount/{code}")
    assert storefront.applied_codes == [code]
    assert page.js_errors == []


def test_a_signed_in_non_member_joins(
    page: Any, rt: Any, storefront: Any, rewards: dict, open_panel: Any, screenshot: Any
) -> None:
    """A signed-in customer who is not a member gets a Join button; joining shows the balance."""
    storefront.customer_id = OTHER_CUSTOMER
    dialog = open_panel()
    assert dialog.locator(".klubb-body").get_attribute("data-view") == "non-member"
    screenshot("widget-non-member")
    assert_accessible(page)
    assert "when you join" in dialog.inner_text()
    dialog.get_by_role("button", name="Join the club").click()
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    assert dialog.locator(".klubb-points").inner_text() == "100"

    # Leaving and coming back: the bonus, given once per customer, is not promised again.
    dialog.get_by_role("button", name="My data").click()
    dialog.get_by_role("button", name="Leave the club", exact=True).click()
    dialog.get_by_role("button", name="Yes, leave the club").click()
    dialog.locator(".klubb-body[data-view=non-member]").wait_for()
    assert "when you join" not in dialog.inner_text()
    assert page.js_errors == []


def test_keyboard_only(page: Any, storefront: Any, member: int, rewards: dict) -> None:
    """Tab reaches the launcher, Enter opens, Tab and Shift+Tab stay inside, Escape closes."""
    storefront.customer_id = CUSTOMER
    page.goto(storefront.url + "/")
    page.wait_for_function("window.KlubbLauncher === true")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('klubb-launcher')"):
            break
    else:
        pytest.fail("Tab never reached the launcher")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    assert page.locator(".klubb-launcher").get_attribute("aria-expanded") == "true"
    inside = "document.querySelector('dialog.klubb-panel').contains(document.activeElement)"
    assert page.evaluate(inside)
    seen = set()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
        seen.add(
            page.evaluate("document.activeElement.ariaLabel || document.activeElement.textContent")
        )
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)
    assert {"Close", "Redeem 50 kr off", "Redeem 10 % off everything"} <= seen
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('klubb-launcher')")
    assert page.locator(".klubb-launcher").get_attribute("aria-expanded") == "false"


def test_norwegian_storefront(
    page: Any, storefront: Any, member: int, rewards: dict, open_panel: Any, screenshot: Any
) -> None:
    """On a ``nb`` storefront the launcher and the panel speak Norwegian, numbers included."""
    storefront.customer_id = CUSTOMER
    page.goto(storefront.url + "/nb/")
    assert page.locator(".klubb-launcher").inner_text().strip() == "Fordeler"
    dialog = open_panel("/nb/")
    text = dialog.inner_text()
    assert "Fordelsklubb" in text
    assert "Dine poeng" in text
    assert "Løs inn" in text
    assert "Slik tjener du poeng" in text
    assert dialog.locator(".klubb-points").inner_text().replace("\xa0", " ") == "1 000"
    assert dialog.get_by_role("button", name="Lukk").count() == 1
    screenshot("widget-member-nb")
    assert_accessible(page)


def test_usable_at_320_px(
    page: Any, storefront: Any, member: int, rewards: dict, open_panel: Any, screenshot: Any
) -> None:
    """At 320 px wide the panel fits the screen: no sideways scrolling, buttons reachable."""
    storefront.customer_id = CUSTOMER
    page.set_viewport_size({"width": 320, "height": 640})
    dialog = open_panel()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")
    dialog.get_by_role("button", name="Redeem 50 kr off").scroll_into_view_if_needed()
    screenshot("widget-member-320px")


def test_loyalty_page_block_renders_inline(
    page: Any, storefront: Any, rewards: dict, screenshot: Any
) -> None:
    """The loyalty-page app block shows the same views inline, without opening anything."""
    page.goto(storefront.url + "/pages/loyalty")
    inline = page.locator("[data-klubb-page] .klubb-body[data-view=guest]")
    inline.wait_for()
    assert "50 kr off" in inline.inner_text()
    screenshot("widget-loyalty-page")
    assert_accessible(page, "[data-klubb-page]")
    assert_accessible(page, "#klubb-root")  # the launcher


def test_slow_shopify_the_widget_polls_until_the_code_exists(
    app: Any,
    page: Any,
    rt: Any,
    storefront: Any,
    fake_shopify: Any,
    member: int,
    rewards: dict,
    open_panel: Any,
    screenshot: Any,
) -> None:
    """Throttled Shopify: 202, the widget says it is working and polls; the job issues the code."""
    from tests.support.jobs import drain

    storefront.customer_id = CUSTOMER
    dialog = open_panel()
    fake_shopify.throttle(storefront.shop, available=0)
    with page.expect_response(
        lambda r: r.request.method == "POST" and "redemptions" in r.url
    ) as sent:
        dialog.get_by_role("button", name="Redeem 50 kr off").click()
    assert sent.value.status == 202
    page.get_by_text("Creating your code…").wait_for()
    assert dialog.locator(".klubb-points").inner_text() == "500", "points reserved"
    assert dialog.locator(".klubb-redeem").count() == 1
    assert dialog.locator(".klubb-redeem[disabled]").count() == 1, "no second redeem meanwhile"
    screenshot("widget-redeem-pending")

    # The code's job, and the coalesced sync of the reserved balance to Shopify's metafield.
    assert drain(app, ["shopify"]) == 2
    dialog.locator(".klubb-code-value").wait_for()
    assert dialog.locator(".klubb-points").inner_text() == "500"
    assert balance(rt, member) == 500
    assert page.js_errors == []
