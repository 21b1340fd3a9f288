"""A gift card after it was issued: found by its code, its balance, debited and credited.

Shopify's ``giftCardDeactivate`` cannot be undone, so a card that must be paused (a spend
voucher whose qualifying spend was refunded, :mod:`loyalty.club.voucher_sync`) is debited of
its remaining value (``giftCardDebit``) and credited again (``giftCardCredit``) to restore it.
Scopes: ``read_gift_cards`` for the look-ups (implied by ``write_gift_cards``) and
``write_gift_card_transactions`` for debits and credits.

Errors, besides the client's (:mod:`loyalty.shopify.errors`)::

    ShopifyError
    └── GiftCardTransactionRejected   userErrors (``codes``: ``INSUFFICIENT_FUNDS``…)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyError, ShopifyUnavailable

_CARD = "id lastCharacters enabled balance { amount currencyCode }"
FIND = (
    "query KlubbFindGiftCard($query: String!) { giftCards(first: 5, query: $query) {"
    f" nodes {{ {_CARD} }} }} }}"
)
READ = f"query KlubbGiftCard($id: ID!) {{ giftCard(id: $id) {{ {_CARD} }} }}"
_ERRORS = "userErrors { field code message }"
DEBIT = (
    "mutation KlubbGiftCardDebit($id: ID!, $input: GiftCardDebitInput!) {"
    f" giftCardDebit(id: $id, debitInput: $input) {{ giftCardDebitTransaction {{ id }} {_ERRORS} }} }}"
)
CREDIT = (
    "mutation KlubbGiftCardCredit($id: ID!, $input: GiftCardCreditInput!) {"
    f" giftCardCredit(id: $id, creditInput: $input) {{ giftCardCreditTransaction {{ id }}"
    f" {_ERRORS} }} }}"
)


class GiftCardTransactionRejected(ShopifyError):
    """Shopify refused the debit or credit; ``codes`` are its userError codes."""

    code = "gift_card_transaction_rejected"

    def __init__(self, message: str, codes: list[str]) -> None:
        super().__init__(message)
        self.codes = codes


@dataclass(frozen=True)
class GiftCardState:
    """A gift card as Shopify holds it now."""

    id: str
    last_characters: str
    balance: Decimal
    currency: str
    enabled: bool


def _state(node: dict[str, Any]) -> GiftCardState:
    balance = node.get("balance") or {}
    return GiftCardState(
        id=str(node["id"]),
        last_characters=str(node.get("lastCharacters") or ""),
        balance=Decimal(str(balance.get("amount", "0"))),
        currency=str(balance.get("currencyCode") or ""),
        enabled=bool(node.get("enabled", True)),
    )


def find_gift_card(client: ShopifyClient, shop: str, token: str, code: str) -> GiftCardState | None:
    """The shop's gift card with exactly this code (Shopify's search also matches other
    fields, so a hit is kept only if its last characters agree), or None."""
    data = client.graphql(shop, token, FIND, {"query": code})
    for node in (data.get("giftCards") or {}).get("nodes") or []:
        if str(node.get("lastCharacters") or "").casefold() == code[-4:].casefold():
            return _state(node)
    return None


def read_gift_card(
    client: ShopifyClient, shop: str, token: str, card_id: str
) -> GiftCardState | None:
    """The gift card with this id now, or None if Shopify has none."""
    node = client.graphql(shop, token, READ, {"id": card_id}).get("giftCard")
    return _state(node) if node else None


def _transaction(
    client: ShopifyClient,
    shop: str,
    token: str,
    card_id: str,
    amount: Decimal,
    currency: str,
    note: str,
    debit: bool,
) -> str:
    name, field = ("giftCardDebit", "debitAmount") if debit else ("giftCardCredit", "creditAmount")
    variables = {
        "id": card_id,
        "input": {field: {"amount": str(amount), "currencyCode": currency}, "note": note},
    }
    payload = client.graphql(shop, token, DEBIT if debit else CREDIT, variables).get(name) or {}
    errors = payload.get("userErrors") or []
    codes = [str(e.get("code") or "INVALID") for e in errors]
    if "INTERNAL_ERROR" in codes:
        raise ShopifyUnavailable(f"{name} for {shop}: INTERNAL_ERROR")
    made = payload.get(f"{name}Transaction") or {}
    if errors or not made.get("id"):
        raise GiftCardTransactionRejected(f"{name} for {shop}: {', '.join(codes)}", codes)
    return str(made["id"])


def debit_gift_card(
    client: ShopifyClient,
    shop: str,
    token: str,
    card_id: str,
    amount: Decimal,
    currency: str,
    note: str,
) -> str:
    """Take ``amount`` off the card; the transaction's id."""
    return _transaction(client, shop, token, card_id, amount, currency, note, debit=True)


def credit_gift_card(
    client: ShopifyClient,
    shop: str,
    token: str,
    card_id: str,
    amount: Decimal,
    currency: str,
    note: str,
) -> str:
    """Put ``amount`` back on the card; the transaction's id."""
    return _transaction(client, shop, token, card_id, amount, currency, note, debit=False)
