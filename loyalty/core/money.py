"""Money as Shopify sends it, and the one function that turns money into points (invariant 6).

Shopify sends amounts as decimal strings, each with a ``*_set`` twin holding the shop's and the
presentment currency; the shop's is the one we count in. Nothing here ever touches ``float``:
a JSON number that arrives as a float is read through its decimal text.

Stated outcomes for awkward input, so callers never need a ``try``:
- an amount that is missing, empty, not a number, infinite or NaN reads as ``None`` (unknown);
- an amount of 10^15 or more in magnitude reads as ``None`` too (no real order is that large,
  and the database's ``Numeric(20, 4)`` could not hold it);
- an amount with more decimals than its currency has is rounded half-up to the currency's minor
  unit (``19.999`` USD is ``20.00``; ``1234.5`` JPY is ``1235``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

ZERO = Decimal(0)
LIMIT = Decimal(10) ** 15

# ISO 4217 minor units that differ from the usual two decimals.
_EXPONENTS: dict[str, int] = {
    **{c: 0 for c in ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG")},
    **{c: 0 for c in ("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF")},
    **{c: 3 for c in ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")},
    **{c: 4 for c in ("CLF", "UYW")},
}


def exponent(currency: str | None) -> int:
    """Decimals of the currency's minor unit (JPY 0, NOK 2, KWD 3); 2 when unknown."""
    return _EXPONENTS.get((currency or "").upper(), 2)


def quantize(amount: Decimal, currency: str | None) -> Decimal:
    """The amount rounded half-up to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def parse_amount(value: Any, currency: str | None = None) -> Decimal | None:
    """A Shopify amount (string, int, or a float read through its text) as a ``Decimal``.

    Returns ``None`` for anything that is not a finite amount below 10^15; rounds to the
    currency's minor unit when ``currency`` is given.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or abs(amount) >= LIMIT:
        return None
    return quantize(amount, currency) if currency else amount


def shop_money(obj: Mapping[str, Any] | None, field: str) -> tuple[Decimal | None, str | None]:
    """``obj[field + "_set"].shop_money`` as (amount, currency), falling back to ``obj[field]``.

    The fallback has no currency of its own (it is in the shop's currency by Shopify's
    definition), so the currency is ``None`` then and the caller supplies the shop's.
    """
    if not isinstance(obj, Mapping):
        return None, None
    money_set = obj.get(f"{field}_set")
    if isinstance(money_set, Mapping):
        shop = money_set.get("shop_money")
        if isinstance(shop, Mapping):
            currency = shop.get("currency_code")
            currency = currency if isinstance(currency, str) and len(currency) == 3 else None
            amount = parse_amount(shop.get("amount"), currency)
            if amount is not None:
                return amount, currency
    return parse_amount(obj.get(field)), None


def points_for(amount: Decimal, rate: Decimal) -> int:
    """The points ``amount`` of money is worth at ``rate`` points per unit: floor(rate * amount).

    The one place money becomes points. Floor applies to whatever net amount is given, so a
    negative net gives negative points (``points_for(Decimal("-0.5"), 1) == -1``); callers that
    must not go below zero say so themselves.
    """
    with localcontext() as ctx:
        ctx.prec = 60  # rate (10 digits) * amount (20 digits) is exact
        return math.floor(rate * amount)
