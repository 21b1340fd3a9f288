"""The panel's "Ways to earn": what each way pays, which are done, a follow linked out (a new tab)
and credited on click, in English and Norwegian, at 375 px and on the desktop, axe-checked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import LedgerEntry
from loyalty.points.settings import update_settings
from tests.support.axe import assert_accessible
from tests.support.rewards import CUSTOMER, balance

pytestmark = pytest.mark.browser

WAYS = {
    "birthday_reward": "points",
    "birthday_points": 250,
    "instagram_url": "https://www.instagram.com/klubbtest",
    "facebook_url": "https://www.facebook.com/klubbtest",
    "tiktok_url": "https://www.tiktok.com/@klubbtest",
    "newsletter_points": 100,
}
WORDS = {
    "en": {
        "title": "Ways to earn",
        "follow": "Follow us on Instagram: 50 points",
        "follow_fb": "Follow us on Facebook: 50 points",
        "birthday": "Your birthday month: 250 points",
        "newsletter": "Sign up for our newsletter: 100 points",
        "done": "Done",
        "earned": "You earned 50 points",
        "add_birthday": "Add your birthday",
    },
    "nb": {
        "title": "Slik tjener du poeng",
        "follow": "Følg oss på Instagram: 50 poeng",
        "follow_fb": "Følg oss på Facebook: 50 poeng",
        "birthday": "Bursdagsmåneden din: 250 poeng",
        "newsletter": "Meld deg på nyhetsbrevet vårt: 100 poeng",
        "done": "Fullført",
        "earned": "Du fikk 50 poeng",
        "add_birthday": "Legg inn bursdagen din",
    },
}


@pytest.fixture
def ways(rt: Any, shop_id: int) -> None:
    """The shop offers a birthday reward, three follows and the newsletter."""
    update_settings(rt.sessions, shop_id, WAYS)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_member_follows_the_shop_from_ways_to_earn_and_it_is_credited_once(
    page: Any,
    rt: Any,
    storefront: Any,
    member: int,
    ways: None,
    open_panel: Any,
    screenshot: Any,
    lang: str,
    width: int,
) -> None:
    words = WORDS[lang]
    page.set_viewport_size({"width": width, "height": 900})
    storefront.customer_id = CUSTOMER
    dialog = open_panel("/" if lang == "en" else "/nb/")
    section = dialog.locator("section.klubb-earn")
    section.get_by_role("heading", name=words["title"]).wait_for()
    text = section.inner_text()
    for key in ("follow", "follow_fb", "birthday", "newsletter"):
        assert words[key] in text, (key, text)
    assert section.get_by_role("button", name=words["add_birthday"]).count() == 1
    assert_accessible(page)

    link = section.get_by_role("link", name=words["follow"])
    assert link.get_attribute("href") == WAYS["instagram_url"]
    assert (link.get_attribute("target"), link.get_attribute("rel")) == (
        "_blank",
        "noopener noreferrer",
    )
    # The profile opens in a new tab (a stand-in page: the tests reach no internet).
    page.context.route(
        "https://www.instagram.com/**",
        lambda route: route.fulfill(body="<title>Instagram</title>", content_type="text/html"),
    )
    with page.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    assert opened.value.url == WAYS["instagram_url"]
    opened.value.close()
    page.get_by_role("status").get_by_text(words["earned"]).wait_for()
    instagram = section.locator("[data-way=follow_instagram]")
    assert words["done"] in instagram.inner_text()
    assert dialog.locator(".klubb-points").inner_text().replace("\u00a0", " ") in ("1,050", "1 050")
    assert balance(rt, member) == 1050
    # The focus stays on the link the shopper used, after the view is drawn again.
    assert page.evaluate("document.activeElement.dataset.key") == "way-follow_instagram"
    screenshot(f"widget-ways-to-earn-{lang}-{width}px")
    assert_accessible(page)
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")

    # Clicking the link again opens the profile, and pays nothing more.
    with page.context.expect_page() as again:
        instagram.get_by_role("link").click()
    again.value.close()
    assert balance(rt, member) == 1050
    with rt.sessions() as s:
        keys = s.scalars(
            select(LedgerEntry.source_key).where(LedgerEntry.reason_code == "social_follow")
        ).all()
    assert keys == [f"follow:instagram:{CUSTOMER}"]
    assert page.js_errors == []


def test_a_member_signs_up_for_the_newsletter_from_ways_to_earn(
    page: Any, rt: Any, storefront: Any, member: int, ways: None, open_panel: Any
) -> None:
    storefront.customer_id = CUSTOMER
    dialog = open_panel()
    newsletter = dialog.locator("[data-way=newsletter]")
    button = newsletter.get_by_role("button", name="Sign up")
    assert button.get_attribute("aria-describedby") == "klubb-d-way-newsletter"
    assert "Sign up for our newsletter: 100 points" in newsletter.inner_text()
    button.click()
    page.get_by_role("status").get_by_text("You earned 100 points").wait_for()
    assert "Done" in newsletter.inner_text()
    assert balance(rt, member) == 1100
    dialog.get_by_role("button", name="My data").click()
    assert dialog.get_by_label("Offers by email").is_checked()
    assert page.js_errors == []


def test_a_guest_sees_the_ways_to_earn_as_promises(
    page: Any, storefront: Any, ways: None, open_panel: Any
) -> None:
    dialog = open_panel()
    section = dialog.locator("section.klubb-earn")
    text = section.inner_text()
    assert "Get 100 points when you join" in text and "Follow us on TikTok: 50 points" in text
    assert "Done" not in text
    assert section.get_by_role("button").count() == 0  # nothing to claim before joining
    assert_accessible(page)
