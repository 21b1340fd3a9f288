"""Where the app proxy lives in the shop's storefront, for the theme's Liquid to call.

Shopify puts the proxy at ``/{prefix}/{subpath}`` (``/apps/klubb`` by default) and lets the
merchant change the subpath; Liquid has no object naming it. Every proxied request carries the
current one, signed, as ``path_prefix``. When it differs from the one the shop last pushed
(``Shop.proxy_path``), :func:`push_proxy_path` writes it to an app-data metafield (owner: the
app's installation, ``klubb.proxy_path``), which the blocks read as
``app.metafields.klubb.proxy_path.value`` (shopify.dev: the Liquid ``app`` object, app-data
metafields), and only then stores it: a push that failed leaves the difference in place, so the
next proxied request asks again. The blocks fall back to ``/apps/klubb`` until then.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Shop
from loyalty.rewards.discount_codes import AccessToken
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.member_sync import run_graphql

log = logging.getLogger(__name__)

NAMESPACE = "klubb"
KEY = "proxy_path"
# Shopify's prefixes (apps, a, community, tools) and a subpath of letters, digits and dashes.
PATH = re.compile(r"/(apps|a|community|tools)/[A-Za-z0-9-]{1,60}")

INSTALLATION = "query KlubbInstallation { currentAppInstallation { id } }"
SET = """
mutation KlubbProxyPath($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field code message }
  }
}
"""


def valid_path(path_prefix: str) -> bool:
    """Whether ``path_prefix`` has the shape of a Shopify app-proxy path."""
    return PATH.fullmatch(path_prefix) is not None


def needs_push(held: str | None, path_prefix: str) -> bool:
    """Whether a request's signed ``path_prefix`` is a proxy path the shop has not pushed."""
    return valid_path(path_prefix) and path_prefix != held


def push_proxy_path(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    shop_id: int,
    path_prefix: str,
) -> str:
    """Write ``path_prefix`` to the app-data metafield, then store it; an outcome word to log."""
    if not valid_path(path_prefix):
        return "not a proxy path"
    with sessions() as s:
        domain = s.scalar(select(Shop.domain).where(Shop.id == shop_id))
    if domain is None:
        return "no such shop"
    data = run_graphql(client, access_token, domain, INSTALLATION, {})
    if data is None:
        return "shop not installed"
    owner = data["currentAppInstallation"]["id"]
    item = {
        "ownerId": owner,
        "namespace": NAMESPACE,
        "key": KEY,
        "type": "single_line_text_field",
        "value": path_prefix,
    }
    result = run_graphql(client, access_token, domain, SET, {"metafields": [item]})
    if result is None:
        return "shop not installed"
    errors = (result.get("metafieldsSet") or {}).get("userErrors") or []
    if errors:
        log.warning("proxy path of shop %s: Shopify refused (%d errors)", shop_id, len(errors))
        return "refused"
    with sessions.begin() as s:
        s.execute(update(Shop).where(Shop.id == shop_id).values(proxy_path=path_prefix))
    return "pushed"
