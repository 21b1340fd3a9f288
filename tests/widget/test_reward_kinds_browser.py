"""A member redeems a free product and a gift card in the panel, in Chromium through the test
storefront against the fake Shopify: the free product's code, the gift card's confirmation
(it cannot be returned), its code shown once, then only its last characters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import assert_accessible
from tests.support.http import bearer
from tests.support.rewards import CUSTOMER
from tests.support.shops import SHOP

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "mug_line": "Free: Klubb mug - Blue",
        "redeem_mug": "Redeem Free mug",
        "redeem_card": "Redeem 100 kr gift card",
        "no_return": "Gift cards and store credit cannot be returned for points.",
        "yes": "Yes, redeem for 500 points",
        "card_title": "Your gift card",
        "once": "the full code is shown only this once",
        "apply": "Use it in the cart",
        "ending": "Gift card ending in {last}",
    },
    "nb": {
        "mug_line": "Gratis: Klubb mug - Blue",
        "redeem_mug": "Løs inn Free mug",
        "redeem_card": "Løs inn 100 kr gift card",
        "no_return": "Gavekort og butikkreditt kan ikke byttes tilbake til poeng.",
        "yes": "Ja, løs inn for 500 poeng",
        "card_title": "Gavekortet ditt",
        "once": "hele koden vises bare denne ene gangen",
        "apply": "Bruk den i handlekurven",
        "ending": "Gavekort som slutter på {last}",
    },
}


def _text(locator: Any) -> str:
    return locator.inner_text().replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def kinds(client: Any, fake_shop: Any, shop_id: int) -> dict[str, str]:
    """A free mug (400 points) and a 100 kr gift card (500 points), made through /api."""
    fake_shop.add_product_variants(11, "Klubb mug", [(21, "Blue", "149.00")])
    mug = {"kind": "free_product", "title": "Free mug", "points_cost": 400, "variant_id": "21"}
    card = {"kind": "gift_card", "title": "100 kr gift card", "points_cost": 500, "value": "100"}
    made = {}
    for name, body in (("mug", mug), ("card", card)):
        response = client.post("/api/rewards", json=body, headers=bearer(SHOP))
        assert response.status_code == 201, response.get_json()
        made[name] = response.get_json()["id"]
    return made


@pytest.mark.parametrize(
    ("lang", "width"), [("en", 1280), ("nb", 375)], ids=["en-desktop", "nb-375px"]
)
def test_a_member_redeems_a_free_product_and_a_gift_card(
    page: Any,
    storefront: Any,
    fake_shop: Any,
    member: int,
    kinds: dict[str, str],
    open_panel: Any,
    screenshot: Any,
    lang: str,
    width: int,
) -> None:
    words = WORDS[lang]
    path = "/" if lang == "en" else "/nb/"
    page.set_viewport_size({"width": width, "height": 900})
    storefront.customer_id = CUSTOMER

    dialog = open_panel(path)
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    assert words["mug_line"] in _text(dialog.locator(".klubb-reward").first)
    assert_accessible(page)

    # The free product: a code for one unit of the mug.
    dialog.get_by_role("button", name=words["redeem_mug"]).click()
    box = dialog.locator("[data-code=code]")
    box.wait_for()
    code = box.locator(".klubb-code-value").inner_text()
    discount = fake_shop.discount_by_code(code)
    assert discount.variant_ids == ["gid://shopify/ProductVariant/21"]
    assert not discount.applies_on_each_item
    screenshot(f"widget-free-product-{lang}-{width}px")
    assert_accessible(page)

    # The gift card: the confirmation says it cannot be returned; then its code, once.
    dialog.get_by_role("button", name=words["redeem_card"]).click()
    yes = dialog.get_by_role("button", name=words["yes"])
    yes.wait_for()
    assert words["no_return"] in _text(dialog.locator(".klubb-confirm"))
    screenshot(f"widget-gift-card-confirm-{lang}-{width}px")
    assert_accessible(page)
    yes.click()
    card_box = dialog.locator("[data-code=code]").filter(has_text=words["card_title"])
    card_box.wait_for()
    card_code = card_box.locator(".klubb-code-value").inner_text()
    assert fake_shop.gift_card_by_code(card_code).customer_gid == (
        f"gid://shopify/Customer/{CUSTOMER}"
    )
    assert words["once"] in _text(card_box)
    assert card_box.get_by_role("link", name=words["apply"]).count() == 0
    screenshot(f"widget-gift-card-{lang}-{width}px")
    assert_accessible(page)
    if width <= 375:
        assert page.evaluate(
            "(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))"
        ), "no sideways scrolling"

    # Opened again: the gift card by its last characters only.
    dialog = open_panel(path)
    dialog.locator(".klubb-body[data-view=member]").wait_for()
    assert words["ending"].format(last=card_code[-4:]) in _text(dialog)
    assert card_code not in dialog.inner_text()
    assert_accessible(page)
    assert page.js_errors == []
