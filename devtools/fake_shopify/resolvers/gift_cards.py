"""Gift cards: the GiftCard object and ``giftCardCreate``, with Shopify's userErrors.

Shopify generates a 16-character code when none is given, answers the full code once (the
payload's ``giftCardCode``) and shows only its last four characters after that
(``lastCharacters``, ``maskedCode``). The fake keeps the full code so that tests can spend it.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601
from ..records import GiftCard
from .context import Context, ctx_of, iso_or_none, money, require
from .customers import customer_view

_ALPHABET = string.ascii_lowercase + string.digits
_CODE = re.compile(r"[A-Za-z0-9]+")


def gift_card_view(ctx: Context, card: GiftCard) -> dict[str, Any]:
    """A GiftCard as the Admin API serves it (the code masked)."""

    def customer(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        require(info, "read_customers")
        found = ctx.shop.customers.get(card.customer_gid or "")
        return customer_view(ctx, found) if found else None

    return {
        "__typename": "GiftCard",
        "id": card.gid,
        "balance": money(card.balance, card.currency),
        "initialValue": money(card.initial_value, card.currency),
        "createdAt": iso8601(card.created_at),
        "updatedAt": iso8601(card.created_at),
        "customer": customer,
        "deactivatedAt": iso_or_none(card.deactivated_at),
        "enabled": card.deactivated_at is None,
        "expiresOn": card.expires_on,
        "lastCharacters": card.last_characters,
        "maskedCode": f"•••• •••• •••• {card.last_characters}",
        "note": card.note,
        "templateSuffix": card.template_suffix,
    }


def _error(path: list[str], message: str, code: str) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code}


def _validate(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Shopify's userErrors for a GiftCardCreateInput (empty when acceptable)."""
    errors: list[dict[str, Any]] = []
    amount = data.get("initialAmount")
    if amount is None:
        errors.append(
            _error(["input", "initialAmount"], "Initial amount is required", "MISSING_ARGUMENT")
        )
    elif Decimal(amount["amount"]) <= 0:
        errors.append(
            _error(
                ["input", "initialAmount", "amount"],
                "Initial value must be greater than 0",
                "GREATER_THAN",
            )
        )
    code = data.get("code")
    if code is not None:
        if len(code) < 8:
            errors.append(
                _error(
                    ["input", "code"], "Code is too short (minimum is 8 characters)", "TOO_SHORT"
                )
            )
        elif len(code) > 20:
            errors.append(
                _error(["input", "code"], "Code is too long (maximum is 20 characters)", "TOO_LONG")
            )
        elif not _CODE.fullmatch(code):
            errors.append(
                _error(["input", "code"], "Code can only contain letters and numbers", "INVALID")
            )
        elif ctx.shop.gift_card_by_code(code) is not None:
            errors.append(_error(["input", "code"], "Code has already been taken", "TAKEN"))
    customer_id = data.get("customerId")
    if customer_id is not None and customer_id not in ctx.shop.customers:
        errors.append(_error(["input", "customerId"], "Customer not found", "CUSTOMER_NOT_FOUND"))
    expires = data.get("expiresOn")
    today = datetime.fromtimestamp(ctx.now, UTC).date().isoformat()
    if expires is not None and expires <= today:
        errors.append(_error(["input", "expiresOn"], "Expires on must be in the future", "INVALID"))
    return errors


def gift_card_create(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    """``giftCardCreate``: needs ``write_gift_cards`` (and ``write_customers`` to assign one)."""
    require(info, "write_gift_cards")
    if input.get("customerId") is not None:
        require(info, "write_customers")
    ctx = ctx_of(info)
    errors = _validate(ctx, input)
    if errors:
        return {"giftCard": None, "giftCardCode": None, "userErrors": errors}
    code = input.get("code") or "".join(secrets.choice(_ALPHABET) for _ in range(16))
    value = Decimal(input["initialAmount"]["amount"])
    card = GiftCard(
        id=ctx.fake.next_id(),
        code=code,
        initial_value=value,
        balance=value,
        currency=str(input["initialAmount"]["currencyCode"]),
        created_at=ctx.now,
        customer_gid=input.get("customerId"),
        expires_on=input.get("expiresOn"),
        note=input.get("note"),
        template_suffix=input.get("templateSuffix"),
    )
    ctx.shop.gift_cards[card.gid] = card
    return {"giftCard": gift_card_view(ctx, card), "giftCardCode": code, "userErrors": []}


def gift_card_query(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    """``giftCard(id:)``: needs ``read_gift_cards``."""
    require(info, "read_gift_cards")
    ctx = ctx_of(info)
    found = ctx.shop.gift_cards.get(id)
    return gift_card_view(ctx, found) if found else None
