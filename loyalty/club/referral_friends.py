"""The referred friend in Shopify: found by email, or made with ``customerCreate``.

The friend arrives with no account yet, so the sign-up looks the email up among the shop's
customers (``customers(query: "email:…")``): a customer found is the friend, with their order
count and phone (for the guards of :mod:`loyalty.club.referral_signup`); none found, the app
creates one (email only, tagged ``klubb-referral``), and Shopify's ``customers/create`` webhook
then makes the friend a member as for anyone else. A create refused because the email was taken
meanwhile (a racing sign-up, or Shopify's own checkout) looks the customer up again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loyalty.backfill.apply import gid_number
from loyalty.core.errors import ValidationError
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyError

TAG = "klubb-referral"
FIND = (
    "query KlubbReferralFriend($query: String!) { customers(first: 1, query: $query) {"
    " nodes { id numberOfOrders defaultPhoneNumber { phoneNumber } } } }"
)
CREATE = (
    "mutation KlubbReferralFriendCreate($input: CustomerInput!) { customerCreate(input: $input)"
    " { customer { id numberOfOrders } userErrors { field message } } }"
)


@dataclass(frozen=True)
class Friend:
    """The friend's Shopify customer: id, orders Shopify counts, phone, and whether we made it."""

    customer_id: int
    orders: int
    phone: str | None
    created: bool


def _friend(node: dict[str, Any], created: bool) -> Friend | None:
    customer_id = gid_number(node.get("id"))
    if customer_id is None:
        return None
    phone = (node.get("defaultPhoneNumber") or {}).get("phoneNumber")
    try:
        orders = int(node.get("numberOfOrders") or 0)
    except (TypeError, ValueError):
        orders = 0
    return Friend(customer_id, orders, phone if isinstance(phone, str) else None, created)


def find_friend(client: ShopifyClient, shop: str, token: str, email: str) -> Friend | None:
    """The shop's customer with this email, or None."""
    query = f'email:"{email}"'
    data = client.graphql(shop, token, FIND, {"query": query}).get("customers") or {}
    nodes = data.get("nodes") or []
    return _friend(nodes[0], created=False) if nodes else None


def find_or_create_friend(
    client: ShopifyClient, shop: str, token: str, email: str, locale: str | None
) -> Friend:
    """The friend's customer, made if the shop has none with this email.

    Raises :class:`ValidationError` (field ``email``) if Shopify refuses the email, and the
    client's errors (unavailable, throttled) as they come.
    """
    found = find_friend(client, shop, token, email)
    if found is not None:
        return found
    data: dict[str, Any] = {"email": email, "tags": [TAG]}
    if locale:
        data["locale"] = locale
    payload = client.graphql(shop, token, CREATE, {"input": data}).get("customerCreate") or {}
    errors = payload.get("userErrors") or []
    if any("taken" in str(e.get("message", "")) for e in errors):
        again = find_friend(client, shop, token, email)
        if again is not None:
            return again
    if errors:
        raise ValidationError({"email": "Shopify did not accept this email address."})
    made = _friend(payload.get("customer") or {}, created=True)
    if made is None:
        raise ShopifyError("customerCreate answered no customer")
    return made
