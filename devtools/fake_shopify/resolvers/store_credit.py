"""Store credit: ``storeCreditAccountCredit`` (scope ``write_store_credit_account_transactions``).

The ``id`` argument is a store credit account or its owner (a customer); crediting an owner
without an account in that currency opens one, as Shopify does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601
from ..ids import gid, parse_gid
from ..records import StoreCredit
from .context import Context, ctx_of, iso_or_none, money, require


def _error(path: list[str], message: str, code: str) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code}


def _account(ctx: Context, owner_or_account: str, currency: str) -> StoreCredit | str | None:
    """The account to credit; None when the owner is unknown; an error code otherwise."""
    kind = (parse_gid(owner_or_account) or ("", 0))[0]
    if kind == "StoreCreditAccount":
        found = next((a for a in ctx.shop.store_credit.values() if a.gid == owner_or_account), None)
        if found is None:
            return "ACCOUNT_NOT_FOUND"
        return found if found.currency == currency else "MISMATCHING_CURRENCY"
    if kind != "Customer" or owner_or_account not in ctx.shop.customers:
        return None
    key = (owner_or_account, currency)
    if key not in ctx.shop.store_credit:
        ctx.shop.store_credit[key] = StoreCredit(
            id=ctx.fake.next_id(), owner_gid=owner_or_account, currency=currency
        )
    return ctx.shop.store_credit[key]


def store_credit_account_credit(
    info: GraphQLResolveInfo,
    id: str,
    creditInput: dict[str, Any],
) -> dict[str, Any]:
    """``storeCreditAccountCredit(id:, creditInput:)``."""
    require(info, "write_store_credit_account_transactions")
    ctx = ctx_of(info)
    amount = Decimal(creditInput["creditAmount"]["amount"])
    currency = str(creditInput["creditAmount"]["currencyCode"])
    expires = creditInput.get("expiresAt")
    errors: list[dict[str, Any]] = []
    if amount <= 0:
        errors.append(
            _error(
                ["creditInput", "creditAmount", "amount"],
                "A positive amount must be used to credit a store credit account.",
                "NEGATIVE_OR_ZERO_AMOUNT",
            )
        )
    if currency != ctx.shop.currency:
        errors.append(
            _error(
                ["creditInput", "creditAmount", "currencyCode"],
                "The currency provided is not currently supported.",
                "UNSUPPORTED_CURRENCY",
            )
        )
    if expires is not None and expires <= ctx.now:
        errors.append(
            _error(
                ["creditInput", "expiresAt"],
                "The expiry date must be in the future.",
                "EXPIRES_AT_IN_PAST",
            )
        )
    account = None if errors else _account(ctx, id, currency)
    if not errors and account is None:
        errors.append(_error(["id"], "Owner does not exist.", "OWNER_NOT_FOUND"))
    elif isinstance(account, str):
        errors.append(_error(["id"], "The store credit account could not be found.", account))
    if errors or not isinstance(account, StoreCredit):
        return {"storeCreditAccountTransaction": None, "userErrors": errors}
    account.balance += amount
    credit_id = ctx.fake.next_id()
    account.credits.append((credit_id, amount, ctx.now))
    transaction = {
        "id": gid("StoreCreditAccountCreditTransaction", credit_id),
        "account": {"id": account.gid, "balance": money(account.balance, account.currency)},
        "amount": money(amount, currency),
        "balanceAfterTransaction": money(account.balance, currency),
        "remainingAmount": money(amount, currency),
        "createdAt": iso8601(ctx.now),
        "expiresAt": iso_or_none(expires),
    }
    return {"storeCreditAccountTransaction": transaction, "userErrors": []}
