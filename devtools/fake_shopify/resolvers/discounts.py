"""Code discounts: the DiscountCodeNode object, and the create and delete mutations."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601
from ..ids import gid
from ..records import Discount, RedeemCode
from .context import Context, connection, ctx_of, decimal_text, iso_or_none, money, require
from .customers import customer_view
from .discount_inputs import user_error, validate_discount
from .products import product_view, variant_view

if TYPE_CHECKING:
    from collections.abc import Callable


def discount_view(ctx: Context, d: Discount) -> dict[str, Any]:
    """A DiscountCodeNode with its DiscountCodeBasic / DiscountCodeFreeShipping."""
    currency = ctx.shop.currency

    def codes(info: GraphQLResolveInfo, **page: Any) -> dict[str, Any]:
        return connection(info, d.codes, _redeem_code_view, **page)

    def context(info: GraphQLResolveInfo) -> dict[str, Any]:
        if d.customer_ids is None:
            return {"__typename": "DiscountBuyerSelectionAll", "all": "ALL"}
        return {"__typename": "DiscountCustomers", "customers": lambda info: _customers_of(info)}

    def _customers_of(info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        require(info, "read_customers")
        found = [ctx.shop.customers.get(g) for g in d.customer_ids or []]
        return [customer_view(ctx, c) for c in found if c is not None]

    minimum: dict[str, Any] | None = None
    if d.minimum_subtotal is not None:
        minimum = {
            "__typename": "DiscountMinimumSubtotal",
            "greaterThanOrEqualToSubtotal": money(d.minimum_subtotal, currency),
        }
    elif d.minimum_quantity is not None:
        minimum = {
            "__typename": "DiscountMinimumQuantity",
            "greaterThanOrEqualToQuantity": str(d.minimum_quantity),
        }
    inner: dict[str, Any] = {
        "__typename": "DiscountCodeBasic" if d.kind == "basic" else "DiscountCodeFreeShipping",
        "title": d.title,
        "status": d.status(ctx.now),
        "summary": _summary(d, currency),
        "startsAt": iso8601(d.starts_at),
        "endsAt": iso_or_none(d.ends_at),
        "createdAt": iso8601(d.created_at),
        "updatedAt": iso8601(d.updated_at),
        "asyncUsageCount": sum(c.usage_count for c in d.codes),
        "appliesOncePerCustomer": d.applies_once_per_customer,
        "usageLimit": d.usage_limit,
        "tags": list(d.tags),
        "codesCount": {"count": len(d.codes), "precision": "EXACT"},
        "codes": codes,
        "combinesWith": {
            "orderDiscounts": d.combines_with.get("orderDiscounts", False),
            "productDiscounts": d.combines_with.get("productDiscounts", False),
            "shippingDiscounts": d.combines_with.get("shippingDiscounts", False),
        },
        "context": context,
        "minimumRequirement": minimum,
        "maximumShippingPrice": (
            money(d.maximum_shipping_price, currency) if d.maximum_shipping_price else None
        ),
    }
    if d.kind == "basic":
        if d.percentage is not None:
            value: dict[str, Any] = {"__typename": "DiscountPercentage", "percentage": d.percentage}
        else:
            value = {
                "__typename": "DiscountAmount",
                "amount": money(d.amount or Decimal(0), currency),
                "appliesOnEachItem": d.applies_on_each_item,
            }
        inner["customerGets"] = {
            "appliesOnOneTimePurchase": True,
            "appliesOnSubscription": False,
            "items": _items_view(ctx, d),
            "value": value,
        }
    return {"__typename": "DiscountCodeNode", "id": d.gid, "codeDiscount": inner}


def _items_view(ctx: Context, d: Discount) -> dict[str, Any]:
    if not d.variant_ids and not d.product_gids:
        return {"__typename": "AllDiscountItems", "allItems": True}
    found = [f for f in (ctx.shop.variant(v) for v in d.variant_ids) if f is not None]
    chosen = [ctx.shop.products[p] for p in d.product_gids if p in ctx.shop.products]

    def variants(info: GraphQLResolveInfo, **page: Any) -> dict[str, Any]:
        require(info, "read_products")
        return connection(info, [v for _, v in found], lambda v: _variant_of(v), **page)

    def _variant_of(variant: Any) -> dict[str, Any]:
        return next(variant_view(ctx, p, v) for p, v in found if v is variant)

    def products(info: GraphQLResolveInfo, **page: Any) -> dict[str, Any]:
        require(info, "read_products")
        return connection(info, chosen, lambda p: product_view(ctx, p), **page)

    return {"__typename": "DiscountProducts", "productVariants": variants, "products": products}


def _redeem_code_view(code: RedeemCode) -> dict[str, Any]:
    return {
        "id": gid("DiscountRedeemCode", code.id),
        "code": code.code,
        "asyncUsageCount": code.usage_count,
    }


def _summary(d: Discount, currency: str) -> str:
    if d.kind == "free_shipping":
        parts = ["Free shipping on all products"]
    elif d.percentage is not None:
        pct = f"{d.percentage * 100:.2f}".rstrip("0").rstrip(".")
        parts = [f"{pct}% off one-time purchase products"]
    else:
        which = (
            "one-time purchase products"
            if not d.variant_ids
            else (f"{len(d.variant_ids)} variant{'s' if len(d.variant_ids) > 1 else ''}")
        )
        parts = [f"{decimal_text(d.amount or Decimal(0))} {currency} off {which}"]
    if d.minimum_subtotal is not None:
        parts.append(f"Minimum purchase of {decimal_text(d.minimum_subtotal)} {currency}")
    if d.minimum_quantity is not None:
        parts.append(f"Minimum quantity of {d.minimum_quantity}")
    if d.customer_ids is not None:
        n = len(d.customer_ids)
        parts.append("For 1 customer" if n == 1 else f"For {n} customers")
    if d.applies_once_per_customer:
        parts.append("One use per customer")
    if d.usage_limit is not None:
        parts.append(f"Limit of {d.usage_limit} uses")
    return " • ".join(parts)


def _create_discount(ctx: Context, kind: str, data: dict[str, Any]) -> Discount:
    now = ctx.now
    context = data.get("context") or data.get("customerSelection") or {}
    customers = (context.get("customers") or {}).get("add")
    every = context.get("all") in ("ALL", True)
    combines = data.get("combinesWith") or {}
    minimum = data.get("minimumRequirement") or {}
    gets = data.get("customerGets") or {}
    value = gets.get("value") or {}
    amount = value.get("discountAmount") or {}
    subtotal = (minimum.get("subtotal") or {}).get("greaterThanOrEqualToSubtotal")
    quantity = (minimum.get("quantity") or {}).get("greaterThanOrEqualToQuantity")
    discount = Discount(
        id=ctx.fake.next_id(),
        kind=kind,
        title=data["title"],
        codes=[RedeemCode(id=ctx.fake.next_id(), code=data["code"])],
        starts_at=data["startsAt"],
        ends_at=data.get("endsAt"),
        created_at=now,
        updated_at=now,
        usage_limit=data.get("usageLimit"),
        applies_once_per_customer=bool(data.get("appliesOncePerCustomer")),
        percentage=value.get("percentage"),
        amount=Decimal(amount["amount"]) if amount.get("amount") is not None else None,
        applies_on_each_item=bool(amount.get("appliesOnEachItem")),
        customer_ids=None if every or not customers else list(dict.fromkeys(customers)),
        combines_with={k: bool(v) for k, v in combines.items() if isinstance(v, bool)},
        minimum_subtotal=Decimal(subtotal) if subtotal is not None else None,
        minimum_quantity=int(quantity) if quantity is not None else None,
        maximum_shipping_price=(
            Decimal(data["maximumShippingPrice"]) if data.get("maximumShippingPrice") else None
        ),
        tags=list(data.get("tags") or []),
        variant_ids=list(
            ((gets.get("items") or {}).get("products") or {}).get("productVariantsToAdd") or []
        ),
        product_gids=list(
            ((gets.get("items") or {}).get("products") or {}).get("productsToAdd") or []
        ),
    )
    ctx.shop.discounts[discount.gid] = discount
    return discount


def discount_create(kind: str, arg: str) -> Callable[..., dict[str, Any]]:
    """A ``discountCode*Create`` resolver for discounts of ``kind``, input argument ``arg``."""

    def resolve(info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        require(info, "write_discounts")
        ctx = ctx_of(info)
        data = args[arg]
        errors = validate_discount(ctx, arg, data, kind)
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        discount = _create_discount(ctx, kind, data)
        return {"codeDiscountNode": discount_view(ctx, discount), "userErrors": []}

    return resolve


def discount_delete(info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    """``discountCodeDelete``."""
    require(info, "write_discounts")
    ctx = ctx_of(info)
    if ctx.shop.discounts.pop(id, None) is None:
        return {
            "deletedCodeDiscountId": None,
            "userErrors": [user_error(["id"], "Code discount does not exist.", "INVALID")],
        }
    return {"deletedCodeDiscountId": id, "userErrors": []}
