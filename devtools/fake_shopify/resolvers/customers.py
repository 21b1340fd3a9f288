"""Customers and their orders: the Customer and Order objects, and the search terms
``customers(query:)`` and ``orders(query:)`` filter on."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601, parse_iso8601
from ..records import Consent, Customer, Order
from .context import Context, connection, ctx_of, iso_or_none, money, require
from .metafields import metafield_lookup, metafield_view

if TYPE_CHECKING:
    from collections.abc import Callable

DAY = 86400.0


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
        rows = [o for o in visible_orders(info) if o.customer_gid == c.gid]
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
        "metafield": lambda info, key, namespace=None: metafield_lookup(
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
        "marketingUpdatedAt": iso_or_none(c.email_consent.updated_at),
        "validFormat": "@" in c.email,
    }


def _phone_number(c: Customer) -> dict[str, Any] | None:
    if not c.phone:
        return None
    return {
        "phoneNumber": c.phone,
        "marketingState": c.sms_consent.state,
        "marketingOptInLevel": c.sms_consent.opt_in_level,
        "marketingUpdatedAt": iso_or_none(c.sms_consent.updated_at),
        "marketingCollectedFrom": c.sms_consent.collected_from,
    }


def _consent_state(consent: Consent) -> dict[str, Any]:
    return {
        "marketingState": consent.state,
        "marketingOptInLevel": consent.opt_in_level,
        "consentUpdatedAt": iso_or_none(consent.updated_at),
    }


def _sms_state(consent: Consent) -> dict[str, Any]:
    return {
        "marketingState": consent.state,
        "marketingOptInLevel": consent.opt_in_level or "UNKNOWN",
        "consentUpdatedAt": iso_or_none(consent.updated_at),
        "consentCollectedFrom": consent.collected_from,
    }


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
        "cancelledAt": iso_or_none(o.cancelled_at),
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


def order_matches(o: Order, query: str | None) -> bool:
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


def visible_orders(info: GraphQLResolveInfo) -> list[Order]:
    """Orders the token may read: the last 60 days unless it has ``read_all_orders``."""
    ctx = ctx_of(info)
    orders = list(ctx.shop.orders.values())
    if "read_all_orders" in ctx.scopes:
        return orders
    return [o for o in orders if o.processed_at >= ctx.now - 60 * DAY]


def customer_matches(c: Customer, query: str | None) -> bool:
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
