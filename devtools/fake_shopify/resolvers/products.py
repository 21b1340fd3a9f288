"""Products, their variants and collections: ``product``, ``products``, ``productVariant``,
``collection``, ``collections`` and the connections between them (``Product.collections``,
``Collection.products``), behind ``read_products`` as on Shopify; a discount's items and a
free-product reward read variants, stamp cards and the resource picker read products and
collections. ``query`` on the lists matches a title's words (the resource picker's search);
Shopify's other search terms are not modelled.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from ..records import Collection, Product, Variant
from .context import Context, connection, ctx_of, decimal_text, require


def _matches(title: str, query: str | None) -> bool:
    words = [w for w in (query or "").lower().replace("title:", "").split() if w != "*"]
    return all(w.strip("*") in title.lower() for w in words)


def product_view(ctx: Context, product: Product) -> dict[str, Any]:
    """The Product object."""

    def collections(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> Any:
        rows = [
            c
            for c in ctx.shop.collections.values()
            if product.id in c.product_ids and _matches(c.title, query)
        ]
        return connection(info, rows, lambda c: collection_view(ctx, c), **page)

    return {
        "__typename": "Product",
        "id": product.gid,
        "title": product.title,
        "handle": product.handle,
        "status": product.status,
        "collections": collections,
    }


def variant_view(ctx: Context, product: Product, variant: Variant) -> dict[str, Any]:
    """A ProductVariant; ``price`` is a Money scalar (a decimal string, shop currency)."""
    return {
        "__typename": "ProductVariant",
        "id": variant.gid,
        "title": variant.title,
        "displayName": f"{product.title} - {variant.title}",
        "price": decimal_text(variant.price),
        "product": product_view(ctx, product),
    }


def variant_by_gid(ctx: Context, variant_gid: str) -> dict[str, Any] | None:
    """The variant as the API serves it, or None (deleted, or never there)."""
    found = ctx.shop.variant(variant_gid)
    return variant_view(ctx, *found) if found else None


def product_variant(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``productVariant(id:)``."""
    require(info, "read_products")
    return variant_by_gid(ctx_of(info), id)


def collection_view(ctx: Context, collection: Collection) -> dict[str, Any]:
    """The Collection object."""

    def products(info: GraphQLResolveInfo, **page: Any) -> Any:
        rows = [p for p in ctx.shop.products.values() if p.id in collection.product_ids]
        return connection(info, rows, lambda p: product_view(ctx, p), **page)

    return {
        "__typename": "Collection",
        "id": collection.gid,
        "title": collection.title,
        "handle": collection.handle,
        "products": products,
    }


def product_roots(ctx: Context) -> dict[str, Any]:
    """The query root's product and collection fields."""

    def product(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_products")
        found = ctx.shop.products.get(id)
        return product_view(ctx, found) if found else None

    def products(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> Any:
        require(info, "read_products")
        rows = [p for p in ctx.shop.products.values() if _matches(p.title, query)]
        return connection(info, rows, lambda p: product_view(ctx, p), **page)

    def collection(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_products")
        found = ctx.shop.collections.get(id)
        return collection_view(ctx, found) if found else None

    def collections(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> Any:
        require(info, "read_products")
        rows = [c for c in ctx.shop.collections.values() if _matches(c.title, query)]
        return connection(info, rows, lambda c: collection_view(ctx, c), **page)

    return {
        "product": product,
        "products": products,
        "collection": collection,
        "collections": collections,
    }
