"""Store credit: ``storeCreditAccountCredit`` for a customer (the optional scope
``write_store_credit_account_transactions``; a shop that has not granted it has no store-credit
rewards, :func:`has_store_credit`).

Crediting is not idempotent and Shopify has no lookup by our own key: a call that timed out may
have credited, so callers must not simply call again.

Errors, besides the client's (:mod:`loyalty.shopify.errors`)::

    ShopifyError
    └── StoreCreditRejected  userErrors: Shopify will not credit (``codes``)
"""

from __future__ import annotations

from decimal import Decimal

from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyRefused, user_error_codes

SCOPE = "write_store_credit_account_transactions"
CREDIT = (
    "mutation KlubbStoreCredit($id: ID!, $input: StoreCreditAccountCreditInput!) {"
    " storeCreditAccountCredit(id: $id, creditInput: $input) {"
    " storeCreditAccountTransaction { id } userErrors { field code message } } }"
)


class StoreCreditRejected(ShopifyRefused):
    """Shopify answered ``storeCreditAccountCredit`` with userErrors (``codes``)."""

    code = "store_credit_rejected"


def has_store_credit(granted_scopes: str) -> bool:
    """Whether the shop granted the store-credit scope (``Shop.scopes``)."""
    return SCOPE in {s.strip() for s in granted_scopes.split(",")}


def credit_customer(
    client: ShopifyClient,
    shop: str,
    token: str,
    *,
    customer_id: int,
    amount: Decimal,
    currency: str,
) -> str:
    """Credit ``amount`` to the customer's store credit; the transaction's id."""
    variables = {
        "id": f"gid://shopify/Customer/{customer_id}",
        "input": {"creditAmount": {"amount": str(amount), "currencyCode": currency}},
    }
    payload = client.graphql(shop, token, CREDIT, variables).get("storeCreditAccountCredit") or {}
    codes = user_error_codes(payload)
    transaction = payload.get("storeCreditAccountTransaction") or {}
    if codes or not transaction.get("id"):
        raise StoreCreditRejected(
            f"storeCreditAccountCredit for {shop}: {', '.join(codes) or 'no transaction'}", codes
        )
    return str(transaction["id"])
