"""``giftCards(query:)``: a shop's gift cards, found by Shopify's search syntax.

The fake reads two kinds of term: ``customer_id:<id>``, and a bare word, which Shopify
matches case-insensitively against several fields including the card's full code (the fake
matches the code only). Terms are joined with AND. Scope ``read_gift_cards``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from ..records import GiftCard
from .context import connection, ctx_of, require
from .gift_cards import gift_card_view


def _matches(card: GiftCard, query: str | None) -> bool:
    for term in (query or "").split():
        if term.startswith("customer_id:"):
            wanted = term.split(":", 1)[1]
            if (card.customer_gid or "").rsplit("/", 1)[-1] != wanted:
                return False
        elif term.casefold() not in card.code.casefold():
            return False
    return True


def gift_cards_query(
    info: GraphQLResolveInfo, query: str | None = None, **page: Any
) -> dict[str, Any]:
    """``giftCards``: a connection over the shop's cards matching ``query``."""
    require(info, "read_gift_cards")
    ctx = ctx_of(info)
    rows = [c for c in ctx.shop.gift_cards.values() if _matches(c, query)]
    return connection(info, rows, lambda c: gift_card_view(ctx, c), **page)
