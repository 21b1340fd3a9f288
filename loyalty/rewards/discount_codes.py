"""Shopify's code discounts: the mutations that create, find and delete them.

Each redemption becomes one Shopify code discount (SHOPIFY.md §8): ``discountCodeBasicCreate``
(amount or percentage off; a free product's price off its one variant) or
``discountCodeFreeShippingCreate``, for that one customer
(``context.customers.add``), ``usageLimit: 1``, ``appliesOncePerCustomer``, from the
redemption's time to its ``expires_at``, with the reward's minimum subtotal. A spend voucher's
code is paused and resumed with ``discountCodeDeactivate`` / ``discountCodeActivate``. Its title ends in
``(Klubb #<redemption id>)``: that is how a code found in Shopify is recognised as ours
(:mod:`loyalty.rewards.issuing` carries a redemption through these mutations).

Errors, besides the client's (:mod:`loyalty.shopify.errors`)::

    ShopifyError
    └── DiscountRejected     userErrors: Shopify will not create this discount (``codes``)
        └── CodeTaken        the code exists already; try another
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from loyalty.core.errors import LoyaltyError
from loyalty.core.models import RewardKind
from loyalty.core.payloads import parse_time
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import (
    GraphQLError,
    ShopifyRefused,
    ShopifyThrottled,
    ShopifyUnavailable,
    user_error_codes,
)

AccessToken = Callable[[str], str]
"""``access_token(shop_domain)``: a valid Admin API token for the shop."""

_PAYLOAD = "codeDiscountNode { id } userErrors { field code message }"
CREATE_BASIC = (
    "mutation KlubbRewardCode($input: DiscountCodeBasicInput!) {"
    f" discountCodeBasicCreate(basicCodeDiscount: $input) {{ {_PAYLOAD} }} }}"
)
CREATE_FREE_SHIPPING = (
    "mutation KlubbShippingCode($input: DiscountCodeFreeShippingInput!) {"
    f" discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {{ {_PAYLOAD} }} }}"
)
DELETE = (
    "mutation KlubbDeleteCode($id: ID!) { discountCodeDelete(id: $id) {"
    " deletedCodeDiscountId userErrors { field code message } } }"
)
ACTIVATE = (
    "mutation KlubbActivateCode($id: ID!) { discountCodeActivate(id: $id) {"
    " codeDiscountNode { id } userErrors { field code message } } }"
)
DEACTIVATE = (
    "mutation KlubbDeactivateCode($id: ID!) { discountCodeDeactivate(id: $id) {"
    " codeDiscountNode { id } userErrors { field code message } } }"
)
_FOUND = "title startsAt endsAt asyncUsageCount"
FIND = (
    "query KlubbFindCode($code: String!) { codeDiscountNodeByCode(code: $code) { id"
    f" codeDiscount {{ ... on DiscountCodeBasic {{ {_FOUND}"
    " customerGets { value { ... on DiscountPercentage { percentage } } } }"
    f" ... on DiscountCodeFreeShipping {{ {_FOUND} }} }}"
    " } }"
)


class DiscountRejected(ShopifyRefused):
    """Shopify answered the mutation with userErrors; ``codes`` are theirs (``TAKEN``…)."""

    code = "discount_rejected"


class CodeTaken(DiscountRejected):
    """A discount with this code exists already in the shop."""

    code = "code_taken"


@dataclass(frozen=True)
class CodeSpec:
    """One customer's single-use code discount; with ``customer_id`` None, a code any customer
    may use once (a campaign's shared code: no limit in total)."""

    kind: str
    code: str
    title: str
    customer_id: int | None
    starts_at: datetime
    ends_at: datetime | None = None
    amount: Decimal | None = None  # fixed amount off, in the shop's currency
    fraction: Decimal | None = None  # percentage off, 0..1
    minimum_subtotal: Decimal | None = None
    variant_id: int | None = None  # free_product: the one variant the amount comes off
    product_ids: tuple[int, ...] = ()  # only these products (a free product); () = all items


@dataclass(frozen=True)
class FoundCode:
    """A code discount found in Shopify by its code: its title, dates and how often it was used
    (Shopify's ``asyncUsageCount``, counted a little after each order); ``fraction`` is a
    percentage discount's value (0..1)."""

    id: str
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_count: int = 0
    fraction: Decimal | None = None


def discount_input(spec: CodeSpec) -> dict[str, Any]:
    """The mutation's input for ``spec``: one customer, one use, its dates and minimum."""
    data: dict[str, Any] = {
        "title": spec.title,
        "code": spec.code,
        "startsAt": spec.starts_at.isoformat(),
        "endsAt": spec.ends_at.isoformat() if spec.ends_at else None,
        "context": {"customers": {"add": [f"gid://shopify/Customer/{spec.customer_id}"]}},
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
    }
    if spec.customer_id is None:
        data["context"] = {"all": "ALL"}
        del data["usageLimit"]
    if spec.minimum_subtotal:
        data["minimumRequirement"] = {
            "subtotal": {"greaterThanOrEqualToSubtotal": str(spec.minimum_subtotal)}
        }
    if spec.kind == RewardKind.FREE_SHIPPING:
        data["destination"] = {"all": True}
        return data
    if spec.kind == RewardKind.PERCENTAGE and spec.fraction is not None:
        # GraphQL's Float: a fraction like 0.1, not money.
        value: dict[str, Any] = {"percentage": float(spec.fraction)}
    elif spec.kind == RewardKind.FIXED_AMOUNT and spec.amount is not None:
        value = {"discountAmount": {"amount": str(spec.amount), "appliesOnEachItem": False}}
    elif spec.kind == RewardKind.FREE_PRODUCT and spec.amount and spec.variant_id:
        # One unit free: the variant's price off that variant, once per order (not per item).
        value = {"discountAmount": {"amount": str(spec.amount), "appliesOnEachItem": False}}
        variant = f"gid://shopify/ProductVariant/{spec.variant_id}"
        data["customerGets"] = {
            "value": value,
            "items": {"products": {"productVariantsToAdd": [variant]}},
        }
        return data
    else:
        raise DiscountRejected(f"reward kind {spec.kind!r} without its value", ["INVALID"])
    items: dict[str, Any] = {"all": True}
    if spec.product_ids:
        products = [f"gid://shopify/Product/{p}" for p in spec.product_ids]
        items = {"products": {"productsToAdd": products}}
    data["customerGets"] = {"value": value, "items": items}
    return data


def create_code(client: ShopifyClient, shop: str, token: str, spec: CodeSpec) -> str:
    """Create the code discount; its id (``gid://shopify/DiscountCodeNode/…``).

    Raises :class:`CodeTaken`, :class:`DiscountRejected`, or the client's errors.
    """
    free_shipping = spec.kind == RewardKind.FREE_SHIPPING
    name = "discountCodeFreeShippingCreate" if free_shipping else "discountCodeBasicCreate"
    query = CREATE_FREE_SHIPPING if free_shipping else CREATE_BASIC
    payload = client.graphql(shop, token, query, {"input": discount_input(spec)}).get(name) or {}
    codes = user_error_codes(payload)
    if "TAKEN" in codes:
        raise CodeTaken(f"{name} for {shop}: code taken", codes)
    if "INTERNAL_ERROR" in codes:
        raise ShopifyUnavailable(f"{name} for {shop}: INTERNAL_ERROR")
    node = payload.get("codeDiscountNode")
    if codes or not node or not node.get("id"):
        raise DiscountRejected(f"{name} for {shop}: {', '.join(codes) or 'no node'}", codes)
    return str(node["id"])


def create_once(client: ShopifyClient, shop: str, token: str, spec: CodeSpec) -> tuple[str, bool]:
    """Create ``spec``'s code unless the shop has our discount with that code and title already
    (made by a run that crashed before it could say so, or by one racing this); the discount's
    id and whether it was made now. Raises :class:`CodeTaken` when another discount holds the
    code, :class:`DiscountRejected`, or the client's errors."""
    found = find_code(client, shop, token, spec.code)
    if found is not None and found.title == spec.title:
        return found.id, False
    try:
        return create_code(client, shop, token, spec), True
    except CodeTaken:
        found = find_code(client, shop, token, spec.code)
        if found is not None and found.title == spec.title:
            return found.id, False
        raise


def find_code(client: ShopifyClient, shop: str, token: str, code: str) -> FoundCode | None:
    """The shop's code discount with this code, or None."""
    node = client.graphql(shop, token, FIND, {"code": code}).get("codeDiscountNodeByCode")
    if not node:
        return None
    found = node.get("codeDiscount") or {}
    value = (found.get("customerGets") or {}).get("value") or {}
    percentage = value.get("percentage")
    usage = found.get("asyncUsageCount")
    return FoundCode(
        id=str(node["id"]),
        title=str(found.get("title")),
        starts_at=parse_time(found.get("startsAt")),
        ends_at=parse_time(found.get("endsAt")),
        usage_count=usage if isinstance(usage, int) and not isinstance(usage, bool) else 0,
        fraction=Decimal(str(percentage)) if isinstance(percentage, int | float) else None,
    )


def delete_code(client: ShopifyClient, shop: str, token: str, discount_id: str) -> bool:
    """Delete a code discount; False if Shopify had no such discount."""
    payload = client.graphql(shop, token, DELETE, {"id": discount_id}).get("discountCodeDelete")
    return bool((payload or {}).get("deletedCodeDiscountId"))


def set_code_active(
    client: ShopifyClient, shop: str, token: str, discount_id: str, active: bool
) -> None:
    """Activate (``discountCodeActivate``) or pause (``discountCodeDeactivate``) a code
    discount; doing either twice is harmless. Raises :class:`DiscountRejected`."""
    name = "discountCodeActivate" if active else "discountCodeDeactivate"
    query = ACTIVATE if active else DEACTIVATE
    payload = client.graphql(shop, token, query, {"id": discount_id}).get(name) or {}
    errors = payload.get("userErrors") or []
    codes = [str(e.get("code") or "INVALID") for e in errors]
    if "INTERNAL_ERROR" in codes:
        raise ShopifyUnavailable(f"{name} for {shop}: INTERNAL_ERROR")
    if errors or not payload.get("codeDiscountNode"):
        raise DiscountRejected(f"{name} for {shop}: {', '.join(codes) or 'no node'}", codes)


def is_transient(err: LoyaltyError) -> bool:
    """Whether trying again later may succeed (no answer, 5xx, throttled, Shopify's own fault)."""
    if isinstance(err, ShopifyUnavailable | ShopifyThrottled):
        return True
    return isinstance(err, GraphQLError) and "INTERNAL_SERVER_ERROR" in err.codes
