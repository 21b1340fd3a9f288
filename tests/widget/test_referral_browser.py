"""Referrals in the shopper's hands, in Chromium through the test storefront: a member copies
their link, a friend arrives through it (the panel opens on the offer), signs up with their
email and consent, gets a first-order code, orders, and the member is paid once the waiting
period is over, as their panel then says. English and Norwegian, 375 px and desktop, axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from loyalty.core.types import utcnow
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.rewards import CUSTOMER
from tests.support.shops import SHOP

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "share": "Refer a friend",
        "copy": "Copy link",
        "copied": "Link copied",
        "offer": "A friend invited you",
        "email": "Your email",
        "submit": "Get my code",
        "code": "Your friend discount",
        "ordered": "Ordered, waiting",
        "earned": "You earned 500 points",
    },
    "nb": {
        "share": "Verv en venn",
        "copy": "Kopier lenken",
        "copied": "Lenken er kopiert",
        "offer": "En venn har invitert deg",
        "email": "E-postadressen din",
        "submit": "Få koden min",
        "code": "Vennerabatten din",
        "ordered": "Har bestilt, venter",
        "earned": "Du fikk 500 poeng",
    },
}


def _text(locator: Any) -> str:
    return locator.inner_text().replace("\u202f", "\xa0")


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate(
        "(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))"
    ), "no sideways scrolling"


@pytest.mark.parametrize(
    ("lang", "width"),
    [("en", 1280), ("nb", 375), ("en", 375), ("nb", 1280)],
    ids=["en-desktop", "nb-375px", "en-375px", "nb-desktop"],
)
def test_a_member_shares_a_friend_signs_up_and_orders_and_the_member_is_paid(
    page: Any,
    app: Any,
    client: Any,
    rt: Any,
    storefront: Any,
    fake_shop: Any,
    fake_shopify: Any,
    member: int,
    open_panel: Any,
    screenshot: Any,
    lang: str,
    width: int,
) -> None:
    words = WORDS[lang]
    path = "/" if lang == "en" else "/nb/"
    settings = {"referral_enabled": True, "referral_points": 500, "referral_discount_percent": 15}
    assert client.put("/api/settings", json=settings, headers=bearer(SHOP)).status_code == 200
    page.set_viewport_size({"width": width, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=storefront.url)

    # The member copies their link.
    storefront.customer_id = CUSTOMER
    dialog = open_panel(path)
    share = dialog.locator("section.klubb-share")
    share.get_by_role("heading", name=words["share"]).wait_for()
    share.get_by_role("button", name=words["copy"]).click()
    share.get_by_role("status").get_by_text(words["copied"]).wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert urlparse(link).netloc == SHOP and "?ref=" in link
    code = link.rsplit("=", 1)[1]
    assert_accessible(page)
    screenshot(f"widget-referral-share-{lang}-{width}px")
    if width <= 375:
        _no_sideways_scroll(page)

    # The friend, a guest, arrives through it: the panel opens on the offer.
    storefront.customer_id = None
    page.goto(f"{storefront.url}{path}?ref={code}")
    dialog = page.get_by_role("dialog")
    offer = dialog.locator("section.klubb-referral")
    offer.get_by_role("heading", name=words["offer"]).wait_for()
    assert "15" in _text(offer.locator(".klubb-promise"))
    assert_accessible(page)
    email = f"venn-{lang}-{width}@example.com"
    offer.get_by_label(words["email"]).fill(email)
    offer.get_by_role("checkbox").check()
    offer.get_by_role("button", name=words["submit"]).click()
    box = dialog.locator("[data-code=friend]")
    box.wait_for()
    assert box.get_by_role("heading").inner_text() == words["code"]
    friend_code = box.locator(".klubb-code-value").inner_text()
    friend = next(c for c in fake_shop.customers.values() if c.email == email)
    assert fake_shop.discount_by_code(friend_code).customer_ids == [friend.gid]
    assert_accessible(page)
    screenshot(f"widget-referral-friend-code-{lang}-{width}px")
    if width <= 375:
        _no_sideways_scroll(page)

    # The friend orders with the code; Shopify sends the paid order.
    placed = utcnow()
    order = order_body(6501, [Line(65010, "400.00")], customer_id=friend.id)
    order["created_at"] = order["processed_at"] = order["updated_at"] = placed.isoformat()
    order["discount_codes"] = [{"code": friend_code, "amount": "60.00", "type": "percentage"}]
    assert fake_shopify.send_webhook("orders/paid", SHOP, order).status_code == 200
    drain(app)
    rt.queue("webhooks").enqueue("jobs.referrals.settle_referrals", placed.isoformat())
    drain(app)

    storefront.customer_id = CUSTOMER
    dialog = open_panel(path)
    made = dialog.locator(".klubb-referrals li")
    assert words["ordered"] in _text(made.first)

    # The waiting period (14 days) passes; the hourly job pays the member.
    later = placed + timedelta(days=15)
    rt.queue("webhooks").enqueue("jobs.referrals.settle_referrals", later.isoformat())
    drain(app)
    dialog = open_panel(path)
    made = dialog.locator(".klubb-referrals li")
    assert words["earned"] in _text(made.first)
    assert made.first.get_attribute("data-state") == "rewarded"
    assert_accessible(page)
    screenshot(f"widget-referral-paid-{lang}-{width}px")
    assert page.js_errors == []
