"""The loyalty page at the proxy root (``/proxy`` ← Shopify's ``/apps/klubb``): signed, Liquid,
both languages, the panel's content per view, and merchant text that can become neither HTML
nor Liquid."""

from __future__ import annotations

import time
from typing import Any

import pytest
from liquid import Environment

from loyalty.rewards.catalogue import create_reward
from tests.support.http import bearer
from tests.support.rewards import give_points
from tests.support.shops import SHOP_A

TRAP = "{{ shop.secret }}{% assign x = 1 %}<img src=x onerror=alert(1)>"


def _render(liquid: str, iso_code: str) -> str:
    """Render the page's Liquid as Shopify would for a storefront in ``iso_code``."""
    return (
        Environment()
        .from_string(liquid)
        .render(
            request={"locale": {"iso_code": iso_code}},
            routes={"account_login_url": "/nb/account/login", "account_register_url": "/reg"},
            shop={"secret": "LEAKED"},
        )
    )


@pytest.fixture
def catalogue(rt: Any, shop_a: int) -> None:
    for title, cost in (("50 kr off", 500), (TRAP, 2000)):
        create_reward(
            rt.sessions,
            shop_a,
            {"kind": "fixed_amount", "title": title, "points_cost": cost, "value": "50"},
        )


def test_the_page_is_signed_liquid_and_never_cached(proxy: Any, shop_a: int) -> None:
    response = proxy("GET", "/proxy", shop=SHOP_A)
    assert response.status_code == 200
    # Exactly this type, as Shopify's own app libraries send it.
    assert response.headers["Content-Type"] == "application/liquid"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert proxy("GET", "/proxy/", shop=SHOP_A).status_code == 200


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ({"secret": "x" * 32}, "invalid_signature"),
        ({"timestamp": int(time.time()) - 3600}, "stale_request"),
        ({"tamper": {"logged_in_customer_id": "8"}}, "invalid_signature"),
        ({"shop": "other.myshopify.com"}, "shop_not_installed"),
    ],
)
def test_an_unsigned_stale_tampered_or_unknown_request_is_refused(
    proxy: Any, shop_a: int, how: dict, code: str
) -> None:
    response = proxy("GET", "/proxy", **{"shop": SHOP_A, **how})
    assert response.status_code in (401, 404)
    assert response.get_json()["error"]["code"] == code


def test_a_guest_reads_the_program_in_the_storefronts_language(
    proxy: Any, shop_a: int, catalogue: None
) -> None:
    liquid = proxy("GET", "/proxy", shop=SHOP_A).get_data(as_text=True)
    english = _render(liquid, "en")
    assert 'data-view="guest"' in english
    for text in ("Rewards club", "Ways to earn", "Earn 1 point for every", "50 kr off", "Sign in"):
        assert text in english
    assert "Slik tjener du poeng" not in english
    assert 'href="/nb/account/login"' in english  # Shopify's route, from Liquid
    norwegian = _render(liquid, "nb-NO")
    for text in ("Fordelsklubb", "Slik tjener du poeng", "Logg inn", "Få 100 poeng når du blir"):
        assert text in norwegian
    assert "Ways to earn" not in norwegian


def test_merchant_text_becomes_neither_html_nor_liquid(
    proxy: Any, shop_a: int, catalogue: None
) -> None:
    liquid = proxy("GET", "/proxy", shop=SHOP_A).get_data(as_text=True)
    assert "<img" not in liquid and "shop.secret }}" not in liquid
    html = _render(liquid, "en")
    assert "LEAKED" not in html
    assert "&#123;&#123; shop.secret &#125;&#125;&#123;% assign x = 1 %&#125;&lt;img" in html


def test_a_member_sees_balance_progress_and_what_is_missing(
    rt: Any, proxy: Any, shop_a: int, catalogue: None
) -> None:
    give_points(rt, shop_a, 7, 800)
    html = _render(proxy("GET", "/proxy", shop=SHOP_A, customer_id=7).get_data(as_text=True), "en")
    assert 'data-view="member"' in html
    assert "Your points" in html and ">800<" in html
    assert "1,200 points to go to" in html
    assert '<progress max="2000" value="800"' in html
    assert "1,200 points more needed" in html
    norwegian = _render(
        proxy("GET", "/proxy", shop=SHOP_A, customer_id=7).get_data(as_text=True), "nb"
    )
    assert "1\xa0200 poeng igjen til" in norwegian


def test_a_signed_in_non_member_is_asked_to_join(proxy: Any, shop_a: int) -> None:
    html = _render(proxy("GET", "/proxy", shop=SHOP_A, customer_id=8).get_data(as_text=True), "en")
    assert 'data-view="non-member"' in html
    assert "Join the club to start earning points." in html


def test_the_saved_appearance_colours_the_page(client: Any, proxy: Any, shop_a: int) -> None:
    client.put("/api/appearance", json={"accent_color": "#0b3d2e"}, headers=bearer(SHOP_A))
    html = _render(proxy("GET", "/proxy", shop=SHOP_A).get_data(as_text=True), "en")
    assert "--klubb-accent:#0b3d2e;" in html


def _welcome(rt: Any, shop_id: int, customer_id: int, **facts: Any) -> None:
    """The member's welcome code as the welcome job records it (plus any later facts)."""
    from loyalty.core.models import Member, WelcomeCode
    from loyalty.core.types import utcnow

    with rt.sessions.begin() as s:
        member = s.query(Member).filter_by(shop_id=shop_id, customer_id=customer_id).one()
        s.add(
            WelcomeCode(
                shop_id=shop_id,
                member_id=member.id,
                code="WELCOME-3F9A0C1B7D2E",
                percentage=15,
                issued_at=utcnow(),
                **facts,
            )
        )


@pytest.mark.embedded
def test_a_member_sees_their_welcome_code_until_it_is_used(
    rt: Any, proxy: Any, shop_a: int
) -> None:
    from datetime import timedelta

    from loyalty.core.types import utcnow

    give_points(rt, shop_a, 7, 10)
    _welcome(rt, shop_a, 7, ends_at=utcnow() + timedelta(days=30))
    liquid = proxy("GET", "/proxy", shop=SHOP_A, customer_id=7).get_data(as_text=True)
    english, norwegian = _render(liquid, "en"), _render(liquid, "nb")
    assert "Your welcome discount" in english and "WELCOME-3F9A0C1B7D2E" in english
    assert "15% off your first order." in english and "Use it by " in english
    assert 'href="/discount/WELCOME-3F9A0C1B7D2E"' in english
    assert "Velkomstrabatten din" in norwegian and "15\xa0% rabatt på første" in norwegian

    from loyalty.core.models import WelcomeCode

    with rt.sessions.begin() as s:
        s.query(WelcomeCode).update({"used_at": utcnow(), "order_id": 6301})
    html = _render(proxy("GET", "/proxy", shop=SHOP_A, customer_id=7).get_data(as_text=True), "en")
    assert "WELCOME-3F9A0C1B7D2E" not in html and "Your welcome discount" not in html


@pytest.mark.embedded
def test_guests_and_non_members_are_promised_the_shops_welcome_discount(
    client: Any, proxy: Any, shop_a: int
) -> None:
    for customer_id in (None, 8):
        liquid = proxy("GET", "/proxy", shop=SHOP_A, customer_id=customer_id)
        html = _render(liquid.get_data(as_text=True), "en")
        assert "Join and get 10% off your first order" in html
        assert "Bli medlem og få 10\xa0% rabatt" in _render(liquid.get_data(as_text=True), "nb")
    client.put("/api/settings", json={"welcome_discount_percent": 0}, headers=bearer(SHOP_A))
    html = _render(proxy("GET", "/proxy", shop=SHOP_A).get_data(as_text=True), "en")
    assert "Join and get" not in html
