"""``discountCodeActivate`` and ``discountCodeDeactivate``, as Shopify does them.

Deactivating ends the discount now (its ``endsAt`` becomes the current time, its status
``EXPIRED``); activating starts it now if it was scheduled and lifts an end that has passed
(status ``ACTIVE``). Both answer the discount node; an unknown id is a userError. Doing either
twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from .context import ctx_of, require
from .discount_inputs import user_error
from .discounts import discount_view


def discount_activation(active: bool) -> Callable[..., dict[str, Any]]:
    """The resolver of ``discountCodeActivate`` (``active``) or ``discountCodeDeactivate``."""

    def resolve(info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
        require(info, "write_discounts")
        ctx = ctx_of(info)
        discount = ctx.shop.discounts.get(id)
        if discount is None:
            return {
                "codeDiscountNode": None,
                "userErrors": [user_error(["id"], "Code discount does not exist.", "INVALID")],
            }
        now = ctx.now
        if active:
            if discount.starts_at > now:
                discount.starts_at = now
            if discount.ends_at is not None and discount.ends_at <= now:
                discount.ends_at = None
        elif discount.ends_at is None or discount.ends_at > now:
            discount.ends_at = now
        discount.updated_at = now
        return {"codeDiscountNode": discount_view(ctx, discount), "userErrors": []}

    return resolve
