"""The demo shop's reward catalogue: an amount off, a free product and a gift card.

``flask --app app dev`` calls :func:`seed_demo_rewards` after the install: the fake shop gets a
product (wool socks, 199 kr), and the catalogue, once (a restart finds it), gets 50 kr off,
the socks for free (one pair: a code for their price, once per order) and a 200 kr gift card.
The free product is read from the fake Shopify as the admin's ``/api/rewards`` would.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from loyalty.core.errors import LoyaltyError
from loyalty.rewards.catalogue import create_reward, list_rewards
from loyalty.shopify.products import variant_lookup
from loyalty.shopify.shops import get_installed_shop

if TYPE_CHECKING:
    from devtools.fake_shopify import FakeShopify
    from runtime import Runtime

log = logging.getLogger(__name__)

SOCKS_PRODUCT, SOCKS_VARIANT = 8_001, 9_001
REWARDS: tuple[dict[str, Any], ...] = (
    {"kind": "fixed_amount", "title": "50 kr i rabatt", "points_cost": 500, "value": "50"},
    {
        "kind": "free_product",
        "title": "Gratis ullsokker",
        "points_cost": 1200,
        "variant_id": str(SOCKS_VARIANT),
        "on_price_change": "follow",
    },
    {"kind": "gift_card", "title": "Gavekort på 200 kr", "points_cost": 2000, "value": "200"},
)


def seed_demo_rewards(runtime: Runtime, fake: FakeShopify, domain: str) -> int:
    """Give the demo shop its product and rewards (once); how many rewards were made."""
    from loyalty.shopify.shops import access_token
    from runtime import token_lock

    shop = fake.shop(domain)
    if shop.variant(f"gid://shopify/ProductVariant/{SOCKS_VARIANT}") is None:
        shop.add_product_variants(
            SOCKS_PRODUCT, "Ullsokker", [(SOCKS_VARIANT, "Grå, 39-42", "199.00")]
        )
    installed = get_installed_shop(runtime.sessions, domain)
    if installed is None or list_rewards(runtime.sessions, installed.id):
        return 0
    client = runtime.shopify_client

    def token(shop_domain: str) -> str:
        lock = token_lock(runtime)
        return access_token(runtime.sessions, runtime.token_cipher, client, lock, shop_domain)

    lookup = variant_lookup(client, token)
    try:
        for reward in REWARDS:
            create_reward(runtime.sessions, installed.id, reward, lookup)
    except LoyaltyError as err:  # the demo goes on without them
        log.warning("demo rewards not made (%s)", err.code)
        return 0
    return len(REWARDS)
