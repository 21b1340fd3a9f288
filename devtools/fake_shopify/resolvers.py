"""Resolvers for the fake Admin GraphQL API, over the in-memory state of one shop.

Objects are served as dicts; a value that needs arguments (or is costly) is a callable
``(info, **args)``, which graphql-core's default resolver calls. ``__typename`` in a dict
resolves unions and interfaces.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from graphql import GraphQLError, GraphQLResolveInfo

from .clock import iso8601, parse_iso8601
from .ids import cursor_id, gid, opaque_cursor, parse_gid
from .records import AccessToken, Consent, Customer, Discount, Metafield, Order, RedeemCode
from .state import FakeShop

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .fake import FakeShopify

ACCESS_DOCS = "https://shopify.dev/api/usage/access-scopes"
MAX_PAGE = 250
INT_MAX = 2_147_483_647
METAFIELDS_MAX = 25
DAY = 86400.0


@dataclass
class Context:
    """Per-request context handed to every resolver."""

    fake: FakeShopify
    shop: FakeShop
    token: AccessToken
    now: float
    scopes: set[str]
    connection_inner: dict[int, int] = field(default_factory=dict)
    savings: int = 0
    bulk: bool = False

    @property
    def app_namespace(self) -> str:
        """The app-reserved metafield namespace: ``app--<app id>``."""
        return f"app--{self.fake.app_id}"

    def resolve_namespace(self, namespace: str | None) -> str:
        """``$app`` / ``$app:x`` / omitted namespaces as Shopify resolves them."""
        return self.shop.resolve_namespace(namespace)


def ctx_of(info: GraphQLResolveInfo) -> Context:
    """The request context."""
    return info.context  # type: ignore[no-any-return]


def access_denied(field_name: str, scope: str) -> GraphQLError:
    """Shopify's ACCESS_DENIED error for a field that needs ``scope``."""
    return GraphQLError(
        f"Access denied for {field_name} field. Required access: `{scope}` access scope.",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": ACCESS_DOCS,
            "requiredAccess": f"`{scope}` access scope.",
        },
    )


def require(info: GraphQLResolveInfo, scope: str) -> None:
    """Raise ACCESS_DENIED unless the token has ``scope`` (``write_x`` implies ``read_x``)."""
    if scope not in ctx_of(info).scopes:
        raise access_denied(info.field_name, scope)


def decimal_text(value: Decimal) -> str:
    """Decimal as Shopify's GraphQL renders it: ``5.0``, ``12.5``, ``0.1``."""
    normalized = value.normalize()
    text = format(normalized, "f")
    if "." not in text:
        text += ".0"
    return text


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """A MoneyV2."""
    return {"amount": decimal_text(amount), "currencyCode": currency}


# ---------------------------------------------------------------------------------------
# Connections


def connection(
    info: GraphQLResolveInfo,
    items: Iterable[Any],
    view: Callable[[Any], dict[str, Any]],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over ``items`` (ordered by their numeric ``id``)."""
    ctx = ctx_of(info)
    if not ctx.bulk:
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        for name, value in (("first", first), ("last", last)):
            if value is not None and (value < 0 or value > MAX_PAGE):
                raise GraphQLError(
                    f"The {name} argument must be between 0 and {MAX_PAGE}.",
                    extensions={"code": "BAD_REQUEST"},
                )
    seq = sorted(items, key=lambda x: x.id, reverse=reverse)
    if after and (pivot := cursor_id(after)) is not None:
        seq = [x for x in seq if (x.id < pivot if reverse else x.id > pivot)]
    if before and (pivot := cursor_id(before)) is not None:
        seq = [x for x in seq if (x.id > pivot if reverse else x.id < pivot)]
    has_next = has_prev = False
    if first is not None and not ctx.bulk:
        has_next = len(seq) > first
        page = seq[:first]
        requested = first
    elif last is not None and not ctx.bulk:
        has_prev = len(seq) > last
        page = seq[-last:] if last else []
        requested = last
    else:
        page = seq
        requested = len(seq)
    inner = ctx.connection_inner.get(id(info.field_nodes[0]), 0)
    ctx.savings += max(0, requested - len(page)) * inner
    edges = [{"cursor": opaque_cursor(x.id), "node": view(x)} for x in page]
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev or bool(after),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


# ---------------------------------------------------------------------------------------
# Views


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
        "metafield": lambda info, key, namespace=None: _metafield_lookup(
            info, shop.gid, namespace, key
        ),
    }


def _metafield_lookup(
    info: GraphQLResolveInfo, owner: str, namespace: str | None, key: str
) -> dict[str, Any] | None:
    ctx = ctx_of(info)
    found = ctx.shop.metafield(owner, ctx.resolve_namespace(namespace), key)
    return metafield_view(found) if found else None


def metafield_view(m: Metafield) -> dict[str, Any]:
    """A Metafield."""
    return {
        "__typename": "Metafield",
        "id": m.gid,
        "namespace": m.namespace,
        "key": m.key,
        "type": m.type,
        "value": m.value,
        "compareDigest": m.compare_digest,
        "jsonValue": _json_value(m),
        "createdAt": iso8601(m.created_at),
        "updatedAt": iso8601(m.updated_at),
        "ownerType": "SHOP" if m.owner_gid.startswith("gid://shopify/Shop/") else "CUSTOMER",
    }


def _json_value(m: Metafield) -> Any:
    if m.type == "number_integer":
        return int(m.value)
    if m.type == "number_decimal":
        return m.value
    if m.type == "boolean":
        return m.value == "true"
    if m.type == "json" or m.type.startswith("list."):
        return json.loads(m.value)
    return m.value


def customer_view(ctx: Context, c: Customer) -> dict[str, Any]:
    """A Customer."""

    def metafields(
        info: GraphQLResolveInfo,
        namespace: str | None = None,
        keys: list[str] | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        wanted_ns = ctx.resolve_namespace(namespace) if namespace is not None else None
        rows = [
            m
            for (owner, ns, key), m in ctx.shop.metafields.items()
            if owner == c.gid
            and (wanted_ns is None or ns == wanted_ns)
            and (keys is None or f"{ns}.{key}" in keys or key in keys)
        ]
        return connection(info, rows, metafield_view, **page)

    def orders(info: GraphQLResolveInfo, **page: Any) -> dict[str, Any]:
        require(info, "read_orders")
        rows = [o for o in _visible_orders(info) if o.customer_gid == c.gid]
        return connection(info, rows, lambda o: order_view(ctx, o), **page)

    return {
        "__typename": "Customer",
        "id": c.gid,
        "legacyResourceId": str(c.id),
        "firstName": c.first_name,
        "lastName": c.last_name,
        "displayName": c.display_name,
        "email": c.email,
        "phone": c.phone,
        "tags": sorted(c.tags),
        "locale": c.locale,
        "note": c.note,
        "state": c.state,
        "verifiedEmail": c.email is not None,
        "createdAt": iso8601(c.created_at),
        "updatedAt": iso8601(c.updated_at),
        "numberOfOrders": str(c.number_of_orders),
        "amountSpent": money(c.amount_spent, ctx.shop.currency),
        "defaultEmailAddress": _email_address(c),
        "defaultPhoneNumber": _phone_number(c),
        "emailMarketingConsent": _consent_state(c.email_consent) if c.email else None,
        "smsMarketingConsent": _sms_state(c.sms_consent) if c.phone else None,
        "metafield": lambda info, key, namespace=None: _metafield_lookup(
            info, c.gid, namespace, key
        ),
        "metafields": metafields,
        "orders": orders,
    }


def _email_address(c: Customer) -> dict[str, Any] | None:
    if not c.email:
        return None
    state = c.email_consent.state
    return {
        "emailAddress": c.email,
        "marketingState": state if state != "REDACTED" else "NOT_SUBSCRIBED",
        "marketingOptInLevel": c.email_consent.opt_in_level,
        "marketingUpdatedAt": _iso_or_none(c.email_consent.updated_at),
        "validFormat": "@" in c.email,
    }


def _phone_number(c: Customer) -> dict[str, Any] | None:
    if not c.phone:
        return None
    return {
        "phoneNumber": c.phone,
        "marketingState": c.sms_consent.state,
        "marketingOptInLevel": c.sms_consent.opt_in_level,
        "marketingUpdatedAt": _iso_or_none(c.sms_consent.updated_at),
        "marketingCollectedFrom": c.sms_consent.collected_from,
    }


def _consent_state(consent: Consent) -> dict[str, Any]:
    return {
        "marketingState": consent.state,
        "marketingOptInLevel": consent.opt_in_level,
        "consentUpdatedAt": _iso_or_none(consent.updated_at),
    }


def _sms_state(consent: Consent) -> dict[str, Any]:
    return {
        "marketingState": consent.state,
        "marketingOptInLevel": consent.opt_in_level or "UNKNOWN",
        "consentUpdatedAt": _iso_or_none(consent.updated_at),
        "consentCollectedFrom": consent.collected_from,
    }


def _iso_or_none(ts: float | None) -> str | None:
    return None if ts is None else iso8601(ts)


def order_view(ctx: Context, o: Order) -> dict[str, Any]:
    """An Order."""

    def bag(amount: Decimal) -> dict[str, Any]:
        m = money(amount, o.currency)
        return {"shopMoney": m, "presentmentMoney": m}

    def customer(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        if o.customer_gid is None:
            return None
        require(info, "read_customers")
        found = ctx.shop.customers.get(o.customer_gid)
        return customer_view(ctx, found) if found else None

    return {
        "__typename": "Order",
        "id": o.gid,
        "legacyResourceId": str(o.id),
        "name": o.name,
        "createdAt": iso8601(o.created_at),
        "processedAt": iso8601(o.processed_at),
        "updatedAt": iso8601(o.updated_at),
        "cancelledAt": _iso_or_none(o.cancelled_at),
        "currencyCode": o.currency,
        "customer": customer,
        "displayFinancialStatus": o.financial_status,
        "sourceName": o.source_name,
        "test": o.test,
        "subtotalPriceSet": bag(o.subtotal),
        "currentSubtotalPriceSet": bag(o.current_subtotal),
        "totalPriceSet": bag(o.total),
    }


_ORDER_TIME_TERM = re.compile(
    r"\b(processed_at|created_at|updated_at):(>=|<=|>|<)?'?([0-9T:.+\-Z]+)'?"
)
_COMPARE: dict[str | None, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    None: lambda a, b: a == b,
}


def _order_matches(o: Order, query: str | None) -> bool:
    """The time terms of Shopify's order search (``processed_at:>='2026-01-01T00:00:00Z'``).

    Other terms are not filtered on (the fake matches them all).
    """
    for name, op, value in _ORDER_TIME_TERM.findall(query or ""):
        try:
            bound = parse_iso8601(value if "T" in value else f"{value}T00:00:00Z")
        except ValueError:
            continue
        if not _COMPARE[op or None](getattr(o, name), bound):
            return False
    return True


def _visible_orders(info: GraphQLResolveInfo) -> list[Order]:
    """Orders the token may read: the last 60 days unless it has ``read_all_orders``."""
    ctx = ctx_of(info)
    orders = list(ctx.shop.orders.values())
    if "read_all_orders" in ctx.scopes:
        return orders
    return [o for o in orders if o.processed_at >= ctx.now - 60 * DAY]


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
        "endsAt": _iso_or_none(d.ends_at),
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
            "items": {"__typename": "AllDiscountItems", "allItems": True},
            "value": value,
        }
    return {"__typename": "DiscountCodeNode", "id": d.gid, "codeDiscount": inner}


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
        parts = [
            f"{decimal_text(d.amount or Decimal(0))} {currency} off one-time purchase products"
        ]
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


# ---------------------------------------------------------------------------------------
# Queries


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
        rows = [c for c in ctx.shop.customers.values() if _customer_matches(c, query)]
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
        rows = [o for o in _visible_orders(info) if _order_matches(o, query)]
        return connection(info, rows, lambda o: order_view(ctx, o), **page)

    def order(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        require(info, "read_orders")
        found = next((o for o in _visible_orders(info) if o.gid == id), None)
        return order_view(ctx, found) if found else None

    def node(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        return node_by_id(info, id)

    def current_bulk_operation(
        info: GraphQLResolveInfo, type: str = "QUERY"
    ) -> dict[str, Any] | None:
        from .bulk import bulk_view, latest_operation

        op = latest_operation(ctx) if type == "QUERY" else None
        return bulk_view(ctx, op) if op else None

    def bulk_operation(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
        from .bulk import bulk_view

        op = ctx.shop.bulk_operations.get(id)
        return bulk_view(ctx, op) if op else None

    return {
        "shop": lambda info: shop_view(ctx),
        "customer": customer,
        "customers": customers,
        "codeDiscountNode": code_discount_node,
        "codeDiscountNodeByCode": code_discount_node_by_code,
        "discountNode": discount_node,
        "orders": orders,
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
    if kind == "Order":
        require(info, "read_orders")
        found_o = next((o for o in _visible_orders(info) if o.gid == node_id), None)
        return order_view(ctx, found_o) if found_o else None
    if kind == "Shop" and node_id == ctx.shop.gid:
        return shop_view(ctx)
    if kind == "BulkOperation":
        from .bulk import bulk_view

        op = ctx.shop.bulk_operations.get(node_id)
        return bulk_view(ctx, op) if op else None
    return None


def _customer_matches(c: Customer, query: str | None) -> bool:
    """A tiny subset of Shopify's search syntax: ``email:``, ``tag:``, ``phone:``, free text.

    Terms side by side must all match (an implied AND); the connective ``OR`` between groups
    of terms matches either (Shopify's search syntax, "Connectives").
    """
    if not query:
        return True
    return any(_customer_matches_all(c, group) for group in re.split(r"\s+OR\s+", query))


def _customer_matches_all(c: Customer, query: str) -> bool:
    for term in query.split():
        if ":" in term:
            name, _, value = term.partition(":")
            value = value.strip("'\"").casefold()
            if name == "email" and (c.email or "").casefold() != value:
                return False
            if name == "phone" and (c.phone or "") != value:
                return False
            if name == "tag" and value not in {t.casefold() for t in c.tags}:
                return False
        elif term.casefold() not in c.display_name.casefold() + (c.email or "").casefold():
            return False
    return True


# ---------------------------------------------------------------------------------------
# Mutations: discounts


def _user_error(path: list[str], message: str, code: str | None) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code, "extraInfo": None}


def _bad_request(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})


def _validate_discount(
    ctx: Context, arg: str, data: dict[str, Any], kind: str
) -> list[dict[str, Any]]:
    """Shopify's userErrors for a code discount input (empty when it is acceptable)."""
    errors: list[dict[str, Any]] = []
    if data.get("startsAt") is None:
        errors.append(_user_error([arg, "startsAt"], "Starts at can't be blank", "BLANK"))
    title = data.get("title")
    if title is None or not str(title).strip():
        errors.append(_user_error([arg, "title"], "Title can't be blank", "BLANK"))
    elif len(title) > 255:
        errors.append(
            _user_error([arg, "title"], "Title is too long (maximum is 255 characters)", "TOO_LONG")
        )
    code = data.get("code")
    if code is None:
        errors.append(_user_error([arg, "code"], "Code can't be blank", "BLANK"))
    elif code == "":
        errors.append(
            _user_error([arg, "code"], "Code is too short (minimum is 1 character)", "TOO_SHORT")
        )
    elif len(code) > 255:
        errors.append(
            _user_error([arg, "code"], "Code is too long (maximum is 255 characters)", "TOO_LONG")
        )
    elif "\n" in code or "\r" in code:
        errors.append(
            _user_error([arg, "code"], "Code cannot contain newline characters.", "INVALID")
        )
    elif ctx.shop.discount_by_code(code) is not None:
        errors.append(
            _user_error([arg, "code"], "Code must be unique. Please try a different code.", "TAKEN")
        )
    starts, ends = data.get("startsAt"), data.get("endsAt")
    if starts is not None and ends is not None and ends <= starts:
        errors.append(
            _user_error([arg, "endsAt"], "Ends at needs to be after starts_at", "INVALID")
        )
    limit = data.get("usageLimit")
    if limit is not None and limit <= 0:
        errors.append(
            _user_error([arg, "usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN")
        )
    context, selection = data.get("context"), data.get("customerSelection")
    if context is not None and selection is not None:
        errors.append(
            _user_error(
                [arg, "context"],
                "Only one of context or customerSelection can be provided.",
                "INVALID",
            )
        )
    elif context is None and selection is None:
        errors.append(_user_error([arg, "context"], "Context can't be blank", "BLANK"))
    else:
        errors.extend(_validate_buyers(ctx, arg, context, selection))
    minimum = data.get("minimumRequirement") or {}
    if minimum.get("subtotal") is not None and minimum.get("quantity") is not None:
        errors.append(
            _user_error(
                [arg, "minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"],
                "Minimum subtotal cannot be defined when minimum quantity is.",
                "CONFLICT",
            )
        )
        errors.append(
            _user_error(
                [arg, "minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"],
                "Minimum quantity cannot be defined when minimum subtotal is.",
                "CONFLICT",
            )
        )
    if kind == "basic":
        errors.extend(_validate_customer_gets(arg, data.get("customerGets")))
    return errors


def _validate_buyers(
    ctx: Context, arg: str, context: dict[str, Any] | None, selection: dict[str, Any] | None
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    source, name = (context, "context") if context is not None else (selection, "customerSelection")
    assert source is not None
    for unsupported in ("customerSegments", "markets"):
        ids = (source.get(unsupported) or {}).get("add") or []
        kind = "Segment" if unsupported == "customerSegments" else "Market"
        for value in ids:
            number = (parse_gid(value) or ("", 0))[1]
            errors.append(
                _user_error(
                    [arg, name, unsupported, "add"],
                    f"{kind} with id: {number} is invalid",
                    "INVALID",
                )
            )
    for value in (source.get("customers") or {}).get("add") or []:
        parsed = parse_gid(value)
        if parsed is None or parsed[0] != "Customer" or value not in ctx.shop.customers:
            number = parsed[1] if parsed else value
            errors.append(
                _user_error(
                    [arg, name, "customers", "add"],
                    f"Customer with id: {number} is invalid",
                    "INVALID",
                )
            )
    return errors


def _validate_customer_gets(arg: str, gets: dict[str, Any] | None) -> list[dict[str, Any]]:
    base = [arg, "customerGets"]
    if gets is None:
        return [_user_error(base, "Customer gets can't be blank", "BLANK")]
    errors: list[dict[str, Any]] = []
    value = gets.get("value")
    if value is None:
        errors.append(_user_error([*base, "value"], "Value can't be blank", "BLANK"))
    else:
        kinds = [
            k
            for k in ("percentage", "discountOnQuantity", "discountAmount")
            if value.get(k) is not None
        ]
        if len(kinds) > 1:
            raise _bad_request(
                "A discount can only have one of percentage, discountOnQuantity or discountAmount."
            )
        if not kinds:
            errors.append(_user_error([*base, "value"], "Value can't be blank", "BLANK"))
        elif kinds[0] == "percentage" and not 0.0 <= value["percentage"] <= 1.0:
            errors.append(
                _user_error(
                    [*base, "value", "percentage"],
                    "Value must be between 0.0 and 1.0",
                    "VALUE_OUTSIDE_RANGE",
                )
            )
        elif kinds[0] == "discountAmount":
            amount = value["discountAmount"].get("amount")
            if amount is None:
                errors.append(
                    _user_error(
                        [*base, "value", "discountAmount", "amount"],
                        "Value can't be blank",
                        "BLANK",
                    )
                )
            elif Decimal(amount) < 0:
                # Shopify stores amounts negated; its message reads accordingly.
                errors.append(
                    _user_error(
                        [*base, "value", "discountAmount", "amount"],
                        "Value must be less than or equal to 0",
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                )
        elif kinds[0] == "discountOnQuantity":
            errors.append(
                _user_error(
                    [*base, "value", "discountOnQuantity"],
                    "discountOnQuantity is only permitted with bxgy discounts.",
                    "INVALID",
                )
            )
    items = gets.get("items")
    if items is None:
        errors.append(_user_error([*base, "items"], "Items can't be blank", "BLANK"))
    else:
        for key, label, sub in (
            ("products", "Product", "productsToAdd"),
            ("products", "Product variant", "productVariantsToAdd"),
            ("collections", "Collection", "add"),
        ):
            for value_id in (items.get(key) or {}).get(sub) or []:
                number = (parse_gid(value_id) or ("", value_id))[1]
                errors.append(
                    _user_error(
                        [*base, "items", key, sub],
                        f"{label} with id: {number} is invalid",
                        "INVALID",
                    )
                )
        if not items.get("all") and not errors:
            errors.append(_user_error([*base, "items"], "Items can't be blank", "BLANK"))
    return errors


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
    )
    ctx.shop.discounts[discount.gid] = discount
    return discount


def _discount_create(kind: str, arg: str) -> Callable[..., dict[str, Any]]:
    def resolve(info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        require(info, "write_discounts")
        ctx = ctx_of(info)
        data = args[arg]
        errors = _validate_discount(ctx, arg, data, kind)
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        discount = _create_discount(ctx, kind, data)
        return {"codeDiscountNode": discount_view(ctx, discount), "userErrors": []}

    return resolve


def _discount_delete(info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    require(info, "write_discounts")
    ctx = ctx_of(info)
    if ctx.shop.discounts.pop(id, None) is None:
        return {
            "deletedCodeDiscountId": None,
            "userErrors": [_user_error(["id"], "Code discount does not exist.", "INVALID")],
        }
    return {"deletedCodeDiscountId": id, "userErrors": []}


# ---------------------------------------------------------------------------------------
# Mutations: metafields


KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
RESERVED_NAMESPACES = ("shopify_standard", "protected", "shopify-l10n-fields")
SUPPORTED_TYPES = {
    "single_line_text_field",
    "multi_line_text_field",
    "number_integer",
    "number_decimal",
    "boolean",
    "json",
    "date",
    "date_time",
    "url",
    "color",
}
INTEGER_LIMIT = 9_007_199_254_740_991
NAMESPACE_NOT_ALLOWED = (
    "Access to this namespace and key on Metafields for this resource type is not allowed."
)


def _mf_error(path: list[str], message: str, code: str | None) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code, "elementIndex": None}


def _owner_exists(ctx: Context, owner: str) -> bool:
    return owner == ctx.shop.gid or owner in ctx.shop.customers


def _owner_scope(owner: str) -> str | None:
    return "write_customers" if owner.startswith("gid://shopify/Customer/") else None


def _check_value(kind: str, value: str) -> str | None:
    """The problem with ``value`` for a metafield of type ``kind``, or None."""
    if value == "" and kind not in ("single_line_text_field", "multi_line_text_field"):
        return "Value can't be blank."
    if kind == "number_integer":
        if not re.fullmatch(r"-?\d+", value):
            return "Value must be an integer."
        if abs(int(value)) > INTEGER_LIMIT:
            return f"Value can't exceed {INTEGER_LIMIT}."
    elif kind == "number_decimal":
        try:
            Decimal(value)
        except InvalidOperation:
            return "Value must be a decimal."
    elif kind == "boolean" and value not in ("true", "false"):
        return "Value must be true or false."
    elif kind == "json":
        try:
            json.loads(value)
        except ValueError as exc:
            return f"Value is invalid JSON: {exc}."
    elif kind == "single_line_text_field" and ("\n" in value or "\r" in value):
        return "Value must be a single line text string."
    elif kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "Value must be in YYYY-MM-DD format."
    elif kind == "date_time":
        try:
            parse_iso8601(value)
        except ValueError:
            return "Value must be in “YYYY-MM-DDTHH:MM:SS” format. For example: 2022-06-01T15:30:00"
    elif kind == "color" and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return "Value must be a hex color code."
    elif kind == "url" and not re.match(r"^(https?|mailto|sms|tel):", value):
        return "Value must be a valid link."
    return None


def _metafields_set(info: GraphQLResolveInfo, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    ctx = ctx_of(info)
    if len(metafields) > METAFIELDS_MAX:
        return {
            "metafields": [],
            "userErrors": [
                _mf_error(
                    ["metafields"],
                    f"Exceeded the maximum metafields input limit of {METAFIELDS_MAX}.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ],
        }
    for item in metafields:
        scope = _owner_scope(item["ownerId"])
        if scope is not None:
            require(info, scope)
    errors: list[dict[str, Any]] = []
    plan: list[tuple[dict[str, Any], str, Metafield | None]] = []
    for index, item in enumerate(metafields):
        base = ["metafields", str(index)]
        raw_ns = item.get("namespace")
        namespace = ctx.resolve_namespace(raw_ns)
        key, owner = item["key"], item["ownerId"]
        before = len(errors)
        if not _owner_exists(ctx, owner):
            errors.append(_mf_error([*base, "ownerId"], "Owner does not exist.", "INVALID_VALUE"))
        if len(namespace) < 3:
            errors.append(
                _mf_error(
                    [*base, "namespace"],
                    "Namespace is too short (minimum is 3 characters)",
                    "TOO_SHORT",
                )
            )
        elif len(namespace) > 255:
            errors.append(
                _mf_error(
                    [*base, "namespace"],
                    "Namespace is too long (maximum is 255 characters)",
                    "TOO_LONG",
                )
            )
        elif namespace in RESERVED_NAMESPACES:
            errors.append(
                _mf_error(
                    [*base, "namespace"], f"Namespace {namespace} is a reserved namespace", None
                )
            )
        elif namespace.startswith("app--") and not (
            namespace == ctx.app_namespace or namespace.startswith(ctx.app_namespace + "--")
        ):
            errors.append(
                _mf_error(
                    base,
                    NAMESPACE_NOT_ALLOWED,
                    "APP_NOT_AUTHORIZED",
                )
            )
        if len(key) < 2:
            errors.append(
                _mf_error([*base, "key"], "Key is too short (minimum is 2 characters)", "TOO_SHORT")
            )
        elif len(key) > 64:
            errors.append(
                _mf_error([*base, "key"], "Key is too long (maximum is 64 characters)", "TOO_LONG")
            )
        elif not KEY_RE.match(key):
            errors.append(
                _mf_error([*base, "key"], "Key contains one or more invalid characters.", "INVALID")
            )
        existing = ctx.shop.metafield(owner, namespace, key)
        kind = item.get("type") or (existing.type if existing else None)
        if kind is None:
            errors.append(_mf_error([*base, "type"], "Type can't be blank", "BLANK"))
        elif kind not in SUPPORTED_TYPES:
            errors.append(
                _mf_error([*base, "type"], f"Type {kind} is not a valid type.", "INVALID_TYPE")
            )
        elif (problem := _check_value(kind, item["value"])) is not None:
            errors.append(_mf_error([*base, "value"], problem, "INVALID_VALUE"))
        if "compareDigest" in item and len(errors) == before:
            digest = item["compareDigest"]
            if existing is None and digest is not None:
                errors.append(
                    _mf_error(base, "Invalid `compareDigest` value.", "INVALID_COMPARE_DIGEST")
                )
            elif existing is not None and digest != existing.compare_digest:
                errors.append(
                    _mf_error(
                        base,
                        "The resource has been updated since it was loaded. Try again with an "
                        "updated `compareDigest` value.",
                        "STALE_OBJECT",
                    )
                )
        plan.append((item, namespace, existing))
    if errors:
        return {"metafields": [], "userErrors": errors}
    written: list[dict[str, Any]] = []
    for item, namespace, existing in plan:
        if existing is None:
            existing = Metafield(
                id=ctx.fake.next_id(),
                owner_gid=item["ownerId"],
                namespace=namespace,
                key=item["key"],
                type=item.get("type") or "",
                value=item["value"],
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            ctx.shop.metafields[(existing.owner_gid, namespace, existing.key)] = existing
        else:
            existing.value = item["value"]
            existing.type = item.get("type") or existing.type
            existing.updated_at = ctx.now
            existing.version += 1
        written.append(metafield_view(existing))
    return {"metafields": written, "userErrors": []}


def _metafields_delete(
    info: GraphQLResolveInfo, metafields: list[dict[str, Any]]
) -> dict[str, Any]:
    ctx = ctx_of(info)
    for item in metafields:
        scope = _owner_scope(item["ownerId"])
        if scope is not None:
            require(info, scope)
    deleted: list[dict[str, Any] | None] = []
    for item in metafields:
        namespace = ctx.resolve_namespace(item.get("namespace"))
        own = namespace == ctx.app_namespace or namespace.startswith(ctx.app_namespace + "--")
        if namespace.startswith("app--") and not own:
            return {
                "deletedMetafields": [],
                "userErrors": [
                    {
                        "field": ["metafields"],
                        "message": NAMESPACE_NOT_ALLOWED,
                    }
                ],
            }
        found = ctx.shop.metafields.pop((item["ownerId"], namespace, item["key"]), None)
        deleted.append(
            {"ownerId": item["ownerId"], "namespace": namespace, "key": item["key"]}
            if found
            else None
        )
    return {"deletedMetafields": deleted, "userErrors": []}


# ---------------------------------------------------------------------------------------
# Mutations: tags and consent


def _split_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        out.extend(t.strip() for t in tag.split(",") if t.strip())
    return out


def _tags_mutation(adding: bool) -> Callable[..., dict[str, Any]]:
    def resolve(info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict[str, Any]:
        ctx = ctx_of(info)
        parsed = parse_gid(id)
        kind = parsed[0] if parsed else "Resource"
        if kind == "Customer":
            require(info, "write_customers")
        customer = ctx.shop.customers.get(id) if kind == "Customer" else None
        if customer is None:
            return {
                "node": None,
                "userErrors": [{"field": ["id"], "message": f"{kind} does not exist"}],
            }
        wanted = _split_tags(tags)
        too_long = [t for t in wanted if len(t) > 255]
        if too_long:
            return {
                "node": None,
                "userErrors": [
                    {"field": ["tags"], "message": "Tags is too long (maximum is 255 characters)"}
                ],
            }
        current = {t.casefold(): t for t in customer.tags}
        if adding:
            for tag in wanted:
                current.setdefault(tag.casefold(), tag)
            if len(current) > 250:
                return {
                    "node": None,
                    "userErrors": [{"field": ["tags"], "message": "Tags cannot be more than 250"}],
                }
        else:
            for tag in wanted:
                current.pop(tag.casefold(), None)
        customer.tags = sorted(current.values())
        customer.updated_at = ctx.now
        return {"node": customer_view(ctx, customer), "userErrors": []}

    return resolve


def _consent_mutation(channel: str) -> Callable[..., dict[str, Any]]:
    consent_key = "emailMarketingConsent" if channel == "email" else "smsMarketingConsent"

    def resolve(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        require(info, "write_customers")
        ctx = ctx_of(info)
        consent = input[consent_key]
        state = consent["marketingState"]
        if state in ("NOT_SUBSCRIBED", "REDACTED", "INVALID"):
            raise GraphQLError(
                f"Cannot specify {state} as a marketing state input", extensions={"code": "INVALID"}
            )
        customer = ctx.shop.customers.get(input["customerId"])
        base = ["input", consent_key]

        def fail(path: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
            return {
                "customer": None,
                "userErrors": [{"field": path, "message": message, "code": code}],
            }

        if customer is None:
            if channel == "email":
                return fail(["input", "customerId"], "Customer not found", "INVALID")
            return fail(None, "Customer not found", None)
        level = consent.get("marketingOptInLevel")
        if level is None:
            return fail(
                [*base, "marketingOptInLevel"],
                "Marketing opt in level must exist",
                "MISSING_ARGUMENT",
            )
        if state == "PENDING" and level != "CONFIRMED_OPT_IN":
            return fail(
                [*base, "marketingOptInLevel"],
                "Marketing opt in level must be confirmed opt-in for pending consent state",
                "INVALID",
            )
        when = consent.get("consentUpdatedAt")
        if when is not None and when > ctx.now:
            return fail(
                [*base, "consentUpdatedAt"],
                "Consent updated at must not be in the future",
                "INVALID",
            )
        if channel == "sms" and not customer.phone:
            return fail(base, "A phone number is required to set the SMS consent state.", "INVALID")
        if channel == "email" and not customer.email:
            return {"customer": customer_view(ctx, customer), "userErrors": []}
        target = customer.email_consent if channel == "email" else customer.sms_consent
        target.state = state
        target.opt_in_level = level
        target.updated_at = when if when is not None else ctx.now
        if channel == "sms":
            target.collected_from = "OTHER"
        customer.updated_at = ctx.now
        return {"customer": customer_view(ctx, customer), "userErrors": []}

    return resolve


def mutation_root(ctx: Context) -> dict[str, Any]:
    """The root value for mutations."""
    from .bulk import run_query

    return {
        "discountCodeBasicCreate": _discount_create("basic", "basicCodeDiscount"),
        "discountCodeFreeShippingCreate": _discount_create(
            "free_shipping", "freeShippingCodeDiscount"
        ),
        "discountCodeDelete": _discount_delete,
        "metafieldsSet": _metafields_set,
        "metafieldsDelete": _metafields_delete,
        "tagsAdd": _tags_mutation(adding=True),
        "tagsRemove": _tags_mutation(adding=False),
        "customerEmailMarketingConsentUpdate": _consent_mutation("email"),
        "customerSmsMarketingConsentUpdate": _consent_mutation("sms"),
        "bulkOperationRunQuery": run_query,
    }
