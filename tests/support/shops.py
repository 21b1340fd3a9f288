"""Installed shops: one factory, ``installed_shop``, and the shops most tests act as.

``installed_shop(domain, ...)`` stores a shop with its program settings, installed a day ago, and
returns the row (detached; its columns stay readable). ``tokens=True`` also installs it on the
fake Shopify, with a real expiring token the app stores (:func:`install_with_fake_token`), and
gives the app a Shopify client that backs off 10 ms between retries instead of half a second.
Folders add what is theirs on top (customers on the fake, members, rewards) in thin fixtures.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loyalty.core.models import ProgramSettings, Shop
from loyalty.core.types import utcnow

SHOP = "klubb-test.myshopify.com"
"""The test shop: the default of the factory, the signed helpers and the fake Shopify's calls."""
SHOP_A = "alpha.myshopify.com"
SHOP_B = "bravo.myshopify.com"
"""Two shops for the admin's tests: A is the one acting, B the one whose data A must not reach."""

_numbers = itertools.count(1)


@pytest.fixture
def installed_shop(request: pytest.FixtureRequest, rt: Any) -> Callable[..., Shop]:
    """``installed_shop(domain=SHOP, *, tokens=False, settings=None, **columns)``: a stored shop.

    ``domain=None`` makes a fresh ``shop-N.myshopify.com`` (for tests that make many shops);
    ``installed=False`` or ``uninstalled=True`` store a shop that never installed, or left;
    ``settings`` are program settings (``{"earn_rate": Decimal("3")}``), other keywords the
    shop's own columns (``currency``, ``timezone``, ``locale``, ``name``); ``tokens=True``
    installs it on the fake Shopify too (``scopes``: with other scopes than the app's). Its
    theme already knows where the app proxy is (``proxy_path="/apps/klubb"``, as after the first
    proxied request), so proxy calls queue no push; ``proxy_path=None`` is a shop never reached.
    """

    def make(
        domain: str | None = SHOP,
        *,
        tokens: bool = False,
        scopes: str | None = None,
        installed: bool = True,
        uninstalled: bool = False,
        settings: Mapping[str, Any] | None = None,
        **columns: Any,
    ) -> Shop:
        domain = domain or f"shop-{next(_numbers)}.myshopify.com"
        columns.setdefault("proxy_path", "/apps/klubb")
        row = store_shop(
            rt.sessions,
            domain,
            installed=installed,
            uninstalled=uninstalled,
            settings=settings,
            **columns,
        )
        if not tokens:
            return row
        _install_on_fake_shopify(request, rt, row, scopes)
        with rt.sessions() as s:
            query = select(Shop).where(Shop.id == row.id).options(selectinload(Shop.settings))
            return s.scalars(query).one()

    return make


def store_shop(
    sessions: Any,
    domain: str,
    *,
    installed: bool = True,
    uninstalled: bool = False,
    settings: Mapping[str, Any] | None = None,
    **columns: Any,
) -> Shop:
    """Store a shop as :func:`installed_shop` does (without tokens), through ``sessions``:
    for fixtures wider than one test, which cannot use the factory fixture."""
    now = utcnow()
    with sessions.begin() as s:
        row = Shop(
            domain=domain,
            name=columns.pop("name", domain.split(".")[0].replace("-", " ").title()),
            installed_at=now - timedelta(days=1) if installed else None,
            uninstalled_at=now if uninstalled else None,
            **columns,
        )
        row.settings = ProgramSettings(**(settings or {}))
        s.add(row)
    return row


def _install_on_fake_shopify(
    request: pytest.FixtureRequest, rt: Any, row: Shop, scopes: str | None
) -> None:
    """Install the stored shop on the fake (adding it there if needed) and store its token."""
    from loyalty.shopify.client import ShopifyClient
    from tests.support.shopify import install_with_fake_token

    fake = request.getfixturevalue("fake_shopify")
    config = request.getfixturevalue("config")
    if row.domain not in fake.shops:
        fake.add_shop(
            row.domain,
            name=row.name,
            currency=row.currency,
            timezone=row.timezone,
            locale=row.locale,
            installed=True,
        )
    if scopes:
        fake.install(row.domain, scopes)
    install_with_fake_token(rt, fake, config, row.domain)
    request.getfixturevalue("app").extensions["klubb"].shopify_client = ShopifyClient(
        config, backoff=0.01
    )


@pytest.fixture
def shop(installed_shop: Callable[..., Shop]) -> Shop:
    """The test shop (``SHOP``): installed, default program settings, no tokens."""
    return installed_shop()


@pytest.fixture
def shop_id(shop: Shop) -> int:
    """The test shop's id (folders whose shop holds a token from the fake Shopify override it)."""
    return shop.id


@pytest.fixture
def shop_a(installed_shop: Callable[..., Shop]) -> int:
    """Shop A, the one the admin's tests act as (Norwegian kroner, Norwegian admin); its id."""
    return installed_shop(SHOP_A, currency="NOK", locale="nb").id


@pytest.fixture
def shop_b(installed_shop: Callable[..., Shop]) -> int:
    """Shop B, whose data shop A must never reach (Swedish kronor, 3 points a krona); its id."""
    return installed_shop(SHOP_B, currency="SEK", settings={"earn_rate": Decimal("3")}).id


def stored_shop(rt: Any, domain: str = SHOP) -> Shop | None:
    """The shop's row as stored now."""
    with rt.sessions() as s:
        return s.scalars(select(Shop).where(Shop.domain == domain)).one_or_none()
