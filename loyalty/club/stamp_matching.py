"""Which stamp cards a line counts for, decided once when the line is first recorded.

A card counts a line if the card is running when the order was placed (not deleted, not
paused, ``starts_at`` ≤ placed < ``ends_at``) and the line's product is one of the card's
products or in one of its collections as last resolved through the Admin API
(``collection_products``, kept current by :mod:`loyalty.club.stamp_catalog`). The decision is
stored on the line, so a later change to a collection or a card cannot change an order's stamps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import CollectionProduct, StampCard
from loyalty.core.types import utcnow


def running(card: StampCard, at: datetime) -> bool:
    """Whether the card counts lines of an order placed at ``at``."""
    if card.deleted_at is not None or card.paused_reason is not None:
        return False
    if card.starts_at is not None and at < card.starts_at:
        return False
    return card.ends_at is None or at < card.ends_at


class CardMatcher:
    """The shop's running cards at one moment, loaded on first use (one query per order)."""

    def __init__(self, session: Session, shop_id: int, at: datetime | None) -> None:
        self._session = session
        self._shop_id = shop_id
        self._at = at or utcnow()
        self._cards: list[tuple[int, frozenset[int], frozenset[int]]] | None = None
        self._collections: dict[int, set[int]] = {}

    def _load(self) -> list[tuple[int, frozenset[int], frozenset[int]]]:
        if self._cards is None:
            cards = self._session.scalars(
                select(StampCard).where(
                    StampCard.shop_id == self._shop_id, StampCard.deleted_at.is_(None)
                )
            ).all()
            self._cards = [
                (c.id, frozenset(map(int, c.product_ids)), frozenset(map(int, c.collection_ids)))
                for c in cards
                if running(c, self._at)
            ]
        return self._cards

    def _collections_of(self, product_id: int) -> set[int]:
        if product_id not in self._collections:
            self._collections[product_id] = set(
                self._session.scalars(
                    select(CollectionProduct.collection_id).where(
                        CollectionProduct.shop_id == self._shop_id,
                        CollectionProduct.product_id == product_id,
                    )
                )
            )
        return self._collections[product_id]

    def cards_for(self, product_id: int | None) -> list[int]:
        """The ids of the running cards a line of ``product_id`` counts for, ascending."""
        if product_id is None:
            return []
        cards = self._load()
        if not cards:
            return []
        in_collections = (
            self._collections_of(product_id) if any(cols for _, _, cols in cards) else set()
        )
        return sorted(
            card_id
            for card_id, products, collections in cards
            if product_id in products or collections & in_collections
        )
