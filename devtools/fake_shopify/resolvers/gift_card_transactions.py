"""``giftCardDebit`` and ``giftCardCredit``: money off and onto an issued gift card.

As Shopify: the amount must be positive (``NEGATIVE_OR_ZERO_AMOUNT``) and in the card's
currency (``MISMATCHING_CURRENCY``); a debit cannot exceed the balance
(``INSUFFICIENT_FUNDS``); an unknown card is ``GIFT_CARD_NOT_FOUND``. Each answers the
transaction (a debit's amount negative). Scope ``write_gift_card_transactions``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601
from ..ids import gid
from .context import ctx_of, money, require
from .gift_cards import gift_card_view


def _error(path: list[str], message: str, code: str) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code}


def gift_card_transaction(debit: bool) -> Callable[..., dict[str, Any]]:
    """The resolver of ``giftCardDebit`` (``debit``) or ``giftCardCredit``."""
    name = "Debit" if debit else "Credit"
    arg, field = ("debitInput", "debitAmount") if debit else ("creditInput", "creditAmount")
    payload_key = f"giftCard{name}Transaction"

    def resolve(info: GraphQLResolveInfo, id: str, **args: Any) -> dict[str, Any]:
        require(info, "write_gift_card_transactions")
        ctx = ctx_of(info)
        data = args[arg]
        card = ctx.shop.gift_cards.get(id)
        amount = Decimal(str(data[field]["amount"]))
        currency = str(data[field]["currencyCode"])
        errors = []
        if card is None:
            errors.append(_error(["id"], "Gift card not found", "GIFT_CARD_NOT_FOUND"))
        elif amount <= 0:
            path = [arg, field, "amount"]
            errors.append(_error(path, "A positive amount must be used", "NEGATIVE_OR_ZERO_AMOUNT"))
        elif currency != card.currency:
            path = [arg, field, "currencyCode"]
            errors.append(
                _error(path, "Currency does not match the gift card", "MISMATCHING_CURRENCY")
            )
        elif debit and amount > card.balance:
            errors.append(
                _error([arg, field, "amount"], "Insufficient funds", "INSUFFICIENT_FUNDS")
            )
        if errors or card is None:
            return {payload_key: None, "userErrors": errors}
        card.balance += -amount if debit else amount
        transaction = {
            "__typename": f"GiftCard{name}Transaction",
            "id": gid(f"GiftCard{name}Transaction", ctx.fake.next_id()),
            "amount": money(-amount if debit else amount, currency),
            "giftCard": gift_card_view(ctx, card),
            "note": data.get("note"),
            "processedAt": data.get("processedAt") or iso8601(ctx.now),
        }
        card.transactions.append(transaction)
        return {payload_key: transaction, "userErrors": []}

    return resolve
