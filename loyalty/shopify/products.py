"""A product variant as a free-product reward needs it: its price and titles (``read_products``).

:func:`find_variant` answers None when Shopify has no such variant any more (the product was
deleted); the client's errors otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from loyalty.shopify.client import ShopifyClient

VARIANT = (
    "query KlubbVariant($id: ID!) { productVariant(id: $id) {"
    " id displayName price product { id title status } } }"
)


@dataclass(frozen=True)
class VariantFacts:
    """A variant's price in the shop's currency, its product and its display name."""

    variant_id: int
    product_id: int
    price: Decimal
    title: str  # "Product - Variant"
    product_title: str
    status: str  # ACTIVE, ARCHIVED, DRAFT


def _number(gid: object) -> int:
    return int(str(gid).rsplit("/", 1)[-1])


def find_variant(
    client: ShopifyClient, shop: str, token: str, variant_id: int
) -> VariantFacts | None:
    """The variant's facts, or None when the shop has no such variant (deleted)."""
    variables = {"id": f"gid://shopify/ProductVariant/{variant_id}"}
    node = client.graphql(shop, token, VARIANT, variables).get("productVariant")
    if not node:
        return None
    product = node.get("product") or {}
    try:
        price = Decimal(str(node.get("price")))
    except InvalidOperation:
        return None
    return VariantFacts(
        variant_id=_number(node["id"]),
        product_id=_number(product.get("id")),
        price=price,
        title=str(node.get("displayName") or ""),
        product_title=str(product.get("title") or ""),
        status=str(product.get("status") or "ACTIVE"),
    )


def variant_lookup(
    client: ShopifyClient, access_token: Callable[[str], str]
) -> Callable[[str, int], VariantFacts | None]:
    """``lookup(shop_domain, variant_id)`` over this client and the shops' tokens."""

    def lookup(shop: str, variant_id: int) -> VariantFacts | None:
        return find_variant(client, shop, access_token(shop), variant_id)

    return lookup
