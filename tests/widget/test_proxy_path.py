"""The blocks find the app proxy where the merchant put it (issue #24, item 15): a proxied
request's signed ``path_prefix`` is pushed to an app-data metafield that the Liquid reads as
``app.metafields.klubb.proxy_path.value``, falling back to ``/apps/klubb``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from devtools.fake_shopify.ids import gid
from devtools.storefront.server import Storefront
from loyalty.core.models import Shop
from tests.support.jobs import drain

BLOCKS = ("app-embed", "loyalty-page")


def rendered_proxy(front: Storefront, name: str) -> str:
    request = Request(EnvironBuilder(path="/").get_environ())
    html = front._render_block(request, "en", name, {})
    found = re.search(r'data-proxy="([^"]*)"', html)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize("name", BLOCKS)
def test_without_the_metafield_the_blocks_use_the_default_path(name):
    assert rendered_proxy(Storefront(app_url="http://127.0.0.1:1"), name) == "/apps/klubb"


@pytest.mark.parametrize("name", BLOCKS)
def test_the_metafield_moves_the_blocks_and_is_escaped(name):
    front = Storefront(app_url="http://127.0.0.1:1")
    front.app_metafields = {"klubb": {"proxy_path": {"value": "/apps/club"}}}
    assert rendered_proxy(front, name) == "/apps/club"
    front.app_metafields = {"klubb": {"proxy_path": {"value": '/a/x"><script>'}}}
    assert "<script>" not in rendered_proxy(front, name)


def test_a_moved_proxy_reaches_the_theme_once(app, rt, live_app, shop_id, fake_shop, fake_shopify):
    front = Storefront(app_url=live_app, proxy_prefix="/apps/club").start()
    try:
        assert front._http.get(f"{front.url}/apps/club/api/member").status_code == 200
        assert drain(app) == 1  # the push
        owner = gid("AppInstallation", fake_shopify.app_id)
        stored = fake_shop.metafield(owner, "klubb", "proxy_path")
        assert stored is not None and stored.value == "/apps/club"
        with rt.sessions() as s:
            assert s.scalar(select(Shop.proxy_path).where(Shop.id == shop_id)) == "/apps/club"

        assert front._http.get(f"{front.url}/apps/club/api/member").status_code == 200
        assert drain(app) == 0  # already known: nothing queued

        front.app_metafields = {"klubb": {"proxy_path": {"value": stored.value}}}
        assert rendered_proxy(front, "loyalty-page") == "/apps/club"
    finally:
        front.stop()


def test_a_path_that_is_no_proxy_path_is_not_pushed(app, live_app, shop_id, fake_shop):
    front = Storefront(app_url=live_app, proxy_prefix="/apps/club").start()
    try:
        front.proxy_prefix = "/../etc"  # signed as path_prefix; the routes stay at /apps/club
        front._http.get(f"{front.url}/apps/club/api/member")
        assert drain(app) == 0
    finally:
        front.stop()
