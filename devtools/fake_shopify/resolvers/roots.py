"""The root values: every query field the fake serves, ``node(id:)``, and every mutation."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from ..ids import gid, parse_gid
from .context import Context, connection, ctx_of, require
from .customer_create import customer_create
from .customer_updates import consent_mutation, tags_mutation
from .customers import customer_matches, customer_view, order_matches, order_view, visible_orders
from .discount_activation import discount_activation
from .discounts import discount_create, discount_delete, discount_view
from .gift_card_search import gift_cards_query
from .gift_card_transactions import gift_card_transaction
from .gift_cards import gift_card_create, gift_card_query, gift_card_view
from .metafields import metafields_delete, metafields_set
from .products import (
    collection_view,
    product_roots,
    product_variant,
    product_view,
    variant_by_gid,
)
from .shop import shop_view
from .store_credit import store_credit_account_credit


def query_root(ctx: Context) -> dict[str, Any]:
    """The root value for queries."""

    def customer(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_customers")
        found = ctx.shop.customers.get(id)
        return customer_view(ctx, found) if found else None

    def customers(
        info: GraphQLResolveInfo, query: str | None = None, **page: Any
    ) -> dict[str, Any]:
        require(info, "read_customers")
        rows = [c for c in ctx.shop.customers.values() if customer_matches(c, query)]
        return connection(info, rows, lambda c: customer_view(ctx, c), **page)

    def code_discount_node(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_discounts")
        found = ctx.shop.discounts.get(id)
        return discount_view(ctx, found) if found else None

    def discount_node(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_discounts")
        found = ctx.shop.discounts.get(id.replace("/DiscountNode/", "/DiscountCodeNode/"))
        if found is None:
            return None
        view = discount_view(ctx, found)
        return {"__typename": "DiscountNode", "id": view["id"], "discount": view["codeDiscount"]}

    def code_discount_node_by_code(info: GraphQLResolveInfo, code: str) -> dict[str, Any] | None:
        require(info, "read_discounts")
        found = ctx.shop.discount_by_code(code)
        return discount_view(ctx, found) if found else None

    def orders(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> dict[str, Any]:
        require(info, "read_orders")
        page.pop("sortKey", None)
        page.pop("savedSearchId", None)
        rows = [o for o in visible_orders(info) if order_matches(o, query)]
        return connection(info, rows, lambda o: order_view(ctx, o), **page)

    def order(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_orders")
        found = next((o for o in visible_orders(info) if o.gid == id), None)
        return order_view(ctx, found) if found else None

    def node(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        return node_by_id(info, id)

    def current_bulk_operation(
        info: GraphQLResolveInfo, type: str = "QUERY"
    ) -> dict[str, Any] | None:
        from ..bulk import bulk_view, latest_operation

        op = latest_operation(ctx) if type == "QUERY" else None
        return bulk_view(ctx, op) if op else None

    def bulk_operation(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        from ..bulk import bulk_view

        op = ctx.shop.bulk_operations.get(id)
        return bulk_view(ctx, op) if op else None

    return {
        "shop": lambda info: shop_view(ctx),
        "customer": customer,
        "customers": customers,
        "codeDiscountNode": code_discount_node,
        "codeDiscountNodeByCode": code_discount_node_by_code,
        "discountNode": discount_node,
        "giftCard": gift_card_query,
        "giftCards": gift_cards_query,
        "orders": orders,
        "productVariant": product_variant,
        "order": order,
        "node": node,
        "currentAppInstallation": lambda info: {
            "id": gid("AppInstallation", ctx.fake.app_id),
            "accessScopes": [
                {"handle": s, "description": s.replace("_", " ")}
                for s in ctx.token.scope.split(",")
                if s
            ],
        },
        "currentBulkOperation": current_bulk_operation,
        "bulkOperation": bulk_operation,
        **product_roots(ctx),
    }


def node_by_id(info: GraphQLResolveInfo, node_id: str) -> dict[str, Any] | None:
    """Resolve ``node(id:)`` for the types the fake serves."""
    ctx = ctx_of(info)
    parsed = parse_gid(node_id)
    if parsed is None:
        raise GraphQLError(
            f"Invalid global id '{node_id}'", extensions={"code": "argumentLiteralsIncompatible"}
        )
    kind, _number = parsed
    if kind == "Customer":
        require(info, "read_customers")
        found_c = ctx.shop.customers.get(node_id)
        return customer_view(ctx, found_c) if found_c else None
    if kind == "DiscountCodeNode":
        require(info, "read_discounts")
        found_d = ctx.shop.discounts.get(node_id)
        return discount_view(ctx, found_d) if found_d else None
    if kind == "ProductVariant":
        require(info, "read_products")
        return variant_by_gid(ctx, node_id)
    if kind == "GiftCard":
        require(info, "read_gift_cards")
        found_g = ctx.shop.gift_cards.get(node_id)
        return gift_card_view(ctx, found_g) if found_g else None
    if kind == "Order":
        require(info, "read_orders")
        found_o = next((o for o in visible_orders(info) if o.gid == node_id), None)
        return order_view(ctx, found_o) if found_o else None
    if kind in ("Product", "Collection"):
        require(info, "read_products")
        if kind == "Product":
            found_p = ctx.shop.products.get(node_id)
            return product_view(ctx, found_p) if found_p else None
        found_col = ctx.shop.collections.get(node_id)
        return collection_view(ctx, found_col) if found_col else None
    if kind == "Shop" and node_id == ctx.shop.gid:
        return shop_view(ctx)
    if kind == "BulkOperation":
        from ..bulk import bulk_view

        op = ctx.shop.bulk_operations.get(node_id)
        return bulk_view(ctx, op) if op else None
    return None


def mutation_root(ctx: Context) -> dict[str, Any]:
    """The root value for mutations."""
    from ..bulk import run_query

    return {
        "discountCodeBasicCreate": discount_create("basic", "basicCodeDiscount"),
        "discountCodeFreeShippingCreate": discount_create(
            "free_shipping", "freeShippingCodeDiscount"
        ),
        "discountCodeDelete": discount_delete,
        "discountCodeActivate": discount_activation(active=True),
        "discountCodeDeactivate": discount_activation(active=False),
        "giftCardCreate": gift_card_create,
        "giftCardCredit": gift_card_transaction(debit=False),
        "giftCardDebit": gift_card_transaction(debit=True),
        "metafieldsSet": metafields_set,
        "storeCreditAccountCredit": store_credit_account_credit,
        "metafieldsDelete": metafields_delete,
        "tagsAdd": tags_mutation(adding=True),
        "tagsRemove": tags_mutation(adding=False),
        "customerCreate": customer_create,
        "customerEmailMarketingConsentUpdate": consent_mutation("email"),
        "customerSmsMarketingConsentUpdate": consent_mutation("sms"),
        "bulkOperationRunQuery": run_query,
    }
