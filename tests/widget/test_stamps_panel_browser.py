"""A shopper sees each stamp card as a row of stamps ("6 of 10 stamps"), what a full card gives
and the rewards earned, in the panel and on the loyalty page.

English and Norwegian storefronts, 375 px and desktop wide, axe clean. The café's coffee card
takes 10 stamps for a free coffee; Kari has bought 6 coffees; the cake card (5 stamps, 20 % off)
filled once already and shows its code.
"""

from __future__ import annotations

from typing import Any

import pytest

from loyalty.club.stamp_cards import create_card
from loyalty.points.orders import apply_order
from tests.support.axe import assert_accessible
from tests.support.bodies import Line, order_body
from tests.support.browser import plain
from tests.support.rewards import CUSTOMER

pytestmark = pytest.mark.browser

COFFEE, CAKE = 501, 502
TEXTS = {
    "en": ("Stamp cards", "6 of 10 stamps", "Full card: a free item", "Rewards earned: 1"),
    "nb": (
        "Stempelkort",
        "6 av 10 stempler",
        "Fullt kort: en gratis vare",
        "Belønninger opptjent: 1",
    ),
}
PERCENT = {"en": "Full card: 20% off", "nb": "Fullt kort: 20 % rabatt"}


@pytest.fixture
def kari_with_stamps(rt: Any, shop_id: int) -> None:
    for name, product, required, reward in (
        ("Coffee", COFFEE, 10, {"kind": "free_product", "product_id": str(COFFEE)}),
        ("Cake", CAKE, 5, {"kind": "percentage", "percentage": 20}),
    ):
        create_card(
            rt.sessions,
            shop_id,
            {
                "name": name,
                "product_ids": [str(product)],
                "stamps_required": required,
                "reward": reward,
            },
            actor=None,
        )
    lines = [Line(44010, "45.00", 6, product_id=COFFEE), Line(44011, "60.00", 5, product_id=CAKE)]
    apply_order(rt.sessions, shop_id, order_body(4401, lines, customer_id=CUSTOMER), hash_key=b"s")


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "desktop"])
@pytest.mark.parametrize("language", ["en", "nb"])
def test_a_member_sees_their_stamp_cards(
    page: Any,
    storefront: Any,
    kari_with_stamps: None,
    open_panel: Any,
    screenshot: Any,
    language: str,
    width: int,
) -> None:
    storefront.customer_id = CUSTOMER
    page.set_viewport_size({"width": width, "height": 800})
    dialog = open_panel("/" if language == "en" else "/nb/")
    heading, six, free, earned = TEXTS[language]
    dialog.get_by_role("heading", name=heading).scroll_into_view_if_needed()
    row = dialog.get_by_role("img", name=six)
    assert row.count() == 1
    assert row.locator(".klubb-stamp-on").count() == 6
    assert row.locator(".klubb-stamp").count() == 10
    text = plain(dialog.inner_text())
    assert free in text and PERCENT[language] in text and earned in text
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.querySelector('dialog'))")
    screenshot(f"widget-stamps-{language}-{width}")
    assert_accessible(page)
    assert page.js_errors == []


def test_a_guest_sees_the_cards_empty(
    page: Any, storefront: Any, kari_with_stamps: None, open_panel: Any
) -> None:
    dialog = open_panel()
    assert dialog.get_by_role("img", name="0 of 10 stamps").count() == 1
    assert_accessible(page)
