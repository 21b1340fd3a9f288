"""The welcome discount in the shopper's hands, in Chromium through the test storefront: the
promise before joining, the code once the welcome job made it in (the fake) Shopify, Copy and
"Use it in the cart", and gone from the panel once an order that used it reached Klubb."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.rewards import OTHER_CUSTOMER
from tests.support.shops import SHOP

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "promise": "Join and get 10% off your first order",
        "join": "Join the club",
        "title": "Your welcome discount",
        "terms": "10% off your first order.",
        "copy": "Copy code",
        "copied": "Code copied",
        "apply": "Use it in the cart",
    },
    "nb": {
        "promise": "Bli medlem og få 10\xa0% rabatt på første bestilling",
        "join": "Bli medlem",
        "title": "Velkomstrabatten din",
        "terms": "10\xa0% rabatt på første bestilling.",
        "copy": "Kopier koden",
        "copied": "Koden er kopiert",
        "apply": "Bruk den i handlekurven",
    },
}


def _text(locator: Any) -> str:
    return locator.inner_text().replace("\u202f", "\xa0")


@pytest.mark.parametrize(
    ("lang", "width"), [("en", 1280), ("nb", 375)], ids=["en-desktop", "nb-375px"]
)
def test_a_shopper_joins_sees_copies_and_uses_the_welcome_code(
    page: Any,
    app: Any,
    storefront: Any,
    fake_shop: Any,
    fake_shopify: Any,
    rewards: dict,
    open_panel: Any,
    screenshot: Any,
    lang: str,
    width: int,
) -> None:
    words = WORDS[lang]
    path = "/" if lang == "en" else "/nb/"
    page.set_viewport_size({"width": width, "height": 800})
    storefront.customer_id = OTHER_CUSTOMER
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=storefront.url)

    dialog = open_panel(path)
    assert dialog.locator(".klubb-body").get_attribute("data-view") == "non-member"
    assert _text(dialog.locator(".klubb-promise")) == words["promise"]
    assert_accessible(page)

    dialog.get_by_role("button", name=words["join"]).click()
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    drain(app)  # the worker: the welcome job makes the code in Shopify and records it
    box = dialog.locator("[data-code=welcome]")
    box.wait_for()
    code = box.locator(".klubb-code-value").inner_text()
    discount = fake_shop.discount_by_code(code)
    assert discount is not None and discount.customer_ids == [
        f"gid://shopify/Customer/{OTHER_CUSTOMER}"
    ]
    assert box.get_by_role("heading").inner_text() == words["title"]
    assert words["terms"] in _text(box)
    assert dialog.locator(".klubb-promise").count() == 0
    apply = box.get_by_role("link", name=words["apply"])
    assert apply.get_attribute("href") == f"/discount/{code}"
    screenshot(f"widget-welcome-{lang}-{width}px")
    assert_accessible(page)
    if width <= 375:
        assert page.evaluate(
            "(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))"
        ), "no sideways scrolling"

    box.get_by_role("button", name=words["copy"]).click()
    confirmation = box.get_by_role("status")
    confirmation.get_by_text(words["copied"]).wait_for()  # beside the button, announced
    assert page.evaluate("navigator.clipboard.readText()") == code
    screenshot(f"widget-welcome-copied-{lang}-{width}px")

    # The shopper checks out with the code; Shopify counts the use and sends the order.
    fake_shop.use_code(code, OTHER_CUSTOMER)
    order = order_body(6401, [Line(6401, "400.00")], customer_id=OTHER_CUSTOMER)
    order["discount_codes"] = [{"code": code, "amount": "40.00", "type": "percentage"}]
    assert fake_shopify.send_webhook("orders/paid", SHOP, order).status_code == 200
    drain(app)

    dialog = open_panel(path)
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    assert dialog.locator("[data-code=welcome]").count() == 0
    assert code not in dialog.inner_text()
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("lang", "width"), [("en", 375), ("nb", 1280)], ids=["en-375px", "nb-desktop"]
)
def test_a_guest_is_promised_the_shops_percentage_unless_there_is_none(
    page: Any,
    client: Any,
    storefront: Any,
    rewards: dict,
    open_panel: Any,
    screenshot: Any,
    lang: str,
    width: int,
) -> None:
    path = "/" if lang == "en" else "/nb/"
    page.set_viewport_size({"width": width, "height": 800})
    client.put("/api/settings", json={"welcome_discount_percent": 15}, headers=bearer(SHOP))
    dialog = open_panel(path)
    assert dialog.locator(".klubb-body").get_attribute("data-view") == "guest"
    promise = WORDS[lang]["promise"].replace("10", "15")
    assert _text(dialog.locator(".klubb-promise")) == promise
    screenshot(f"widget-welcome-promise-{lang}-{width}px")
    assert_accessible(page)

    client.put("/api/settings", json={"welcome_discount_percent": 0}, headers=bearer(SHOP))
    dialog = open_panel(path)
    assert dialog.locator(".klubb-body").get_attribute("data-view") == "guest"
    assert dialog.locator(".klubb-promise").count() == 0
    assert page.js_errors == []
