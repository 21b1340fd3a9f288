"""The Shop object."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..ids import gid
from .context import Context
from .metafields import metafield_lookup


def shop_view(ctx: Context) -> dict[str, Any]:
    """The Shop object."""
    shop = ctx.shop
    domain = shop.primary_domain or shop.domain
    try:
        abbreviation = datetime.now(ZoneInfo(shop.timezone)).strftime("%Z")
    except (KeyError, ValueError):
        abbreviation = "UTC"
    return {
        "__typename": "Shop",
        "id": shop.gid,
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "currencyCode": shop.currency,
        "ianaTimezone": shop.timezone,
        "timezoneAbbreviation": abbreviation,
        "myshopifyDomain": shop.domain,
        "url": f"https://{domain}",
        "taxesIncluded": shop.taxes_included,
        "primaryDomain": {
            "__typename": "Domain",
            "id": gid("Domain", shop.id),
            "host": domain,
            "url": f"https://{domain}",
            "sslEnabled": True,
        },
        "plan": {
            "partnerDevelopment": shop.plan == "partner_test",
            "publicDisplayName": {"partner_test": "Development", "plus": "Shopify Plus"}.get(
                shop.plan, shop.plan.title()
            ),
            "shopifyPlus": shop.plan == "plus",
        },
        "metafield": lambda info, key, namespace=None: metafield_lookup(
            info, shop.gid, namespace, key
        ),
    }
