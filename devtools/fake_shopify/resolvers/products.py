"""Products and their variants (``productVariant(id:)``, ``read_products``), as a discount's
items and as a free-product reward reads them."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from ..records import Product, Variant
from .context import Context, ctx_of, decimal_text, require


def product_view(product: Product) -> dict[str, Any]:
    """A Product."""
    return {
        "__typename": "Product",
        "id": product.gid,
        "title": product.title,
        "handle": product.handle,
        "status": product.status,
    }


def variant_view(product: Product, variant: Variant) -> dict[str, Any]:
    """A ProductVariant; ``price`` is a Money scalar (a decimal string, shop currency)."""
    return {
        "__typename": "ProductVariant",
        "id": variant.gid,
        "title": variant.title,
        "displayName": f"{product.title} - {variant.title}",
        "price": decimal_text(variant.price),
        "product": product_view(product),
    }


def variant_by_gid(ctx: Context, variant_gid: str) -> dict[str, Any] | None:
    """The variant as the API serves it, or None (deleted, or never there)."""
    found = ctx.shop.variant(variant_gid)
    return variant_view(*found) if found else None


def product_variant(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``productVariant(id:)``."""
    require(info, "read_products")
    return variant_by_gid(ctx_of(info), id)
