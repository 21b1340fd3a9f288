"""A strict fake Shopify for Klubb's tests and ``flask --app app dev``.

Use::

    from devtools.fake_shopify import FakeShopify

    fake = FakeShopify(api_key="key", api_secret="secret", app_url="http://127.0.0.1:8000")
    fake.start()
    shop = fake.add_shop("demo-shop.myshopify.com", name="Demo", currency="NOK")
    ...
    fake.stop()

The app reaches it only through ``SHOPIFY_SHOP_URL_TEMPLATE`` = ``fake.shop_url_template``.
Modules: ``clock``, ``ids``, ``records`` and ``state`` (the clock and the data), ``oauth``
(authorize, install), ``token_endpoint`` + ``tokens`` (the token endpoint's grants, minting),
``signatures`` (HMACs, ``host``, session tokens), ``graphql_api`` + ``gql_*`` (schema, cost,
variables, error shapes and paths) + ``resolvers/`` + ``bulk`` (the Admin GraphQL API),
``admin_page`` (the admin that frames the app), ``webhooks`` (signed deliveries), ``server``
(HTTP wiring), ``cdn/`` (App Bridge and Polaris stand-ins).
"""

from __future__ import annotations

from pathlib import Path

from .clock import FakeClock
from .fake import DEFAULT_SCOPES, FakeShopify
from .signatures import host_param, query_hmac, query_hmac_message, verify_query_hmac
from .state import FakeShop
from .webhooks import sign_webhook

CDN_DIR = Path(__file__).with_name("cdn")
"""Where ``app-bridge.js`` and ``polaris.js`` live (for Playwright routes on cdn.shopify.com)."""

__all__ = [
    "CDN_DIR",
    "DEFAULT_SCOPES",
    "FakeClock",
    "FakeShop",
    "FakeShopify",
    "host_param",
    "query_hmac",
    "query_hmac_message",
    "sign_webhook",
    "verify_query_hmac",
]
