"""Stamp cards made through the catalogue, and what a member holds on them, for the tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from loyalty.club.stamp_cards import create_card
from loyalty.core.db import upsert
from loyalty.core.models import (
    CollectionProduct,
    Member,
    MemberStatus,
    StampCardMember,
    StampEntry,
    StampReward,
)
from tests.support.points import Klubb

COFFEE, CAKE, BEANS = 501, 502, 503
"""Product ids of the tests' café."""
SHOPPER = 820982911946154500
"""The café's customer on the fake Shopify (the end-to-end tests)."""


def make_card(klubb: Klubb, **fields: Any) -> int:
    """A card in the shop (coffee, 10 stamps, 50 kr off, repeatable, unless told); its id."""
    body = {
        "name": "Coffee card",
        "product_ids": [str(COFFEE)],
        "stamps_required": 10,
        "reward": {"kind": "fixed_amount", "amount": "50.00"},
        **fields,
    }
    made, _ = create_card(klubb.sessions, klubb.shop_id, body, actor=None)
    return int(made["id"])


def put_in_collection(klubb: Klubb, collection_id: int, *product_ids: int) -> None:
    """Record products as members of a collection (as the Admin API look-up would)."""
    with klubb.sessions.begin() as s:
        for product_id in product_ids:
            s.execute(
                upsert(s, CollectionProduct)
                .values(shop_id=klubb.shop_id, collection_id=collection_id, product_id=product_id)
                .on_conflict_do_nothing()
            )


def held(klubb: Klubb, card_id: int, customer_id: int = 7001) -> tuple[int, int]:
    """(stamps in the ledger, rewards recorded) of a customer on a card."""
    with klubb.sessions() as s:
        member_id = s.scalar(
            select(Member.id).where(
                Member.shop_id == klubb.shop_id, Member.customer_id == customer_id
            )
        )
        stamps = s.scalar(
            select(func.coalesce(func.sum(StampEntry.stamps), 0)).where(
                StampEntry.card_id == card_id, StampEntry.member_id == member_id
            )
        )
        rewards = s.scalar(
            select(func.count()).where(
                StampReward.card_id == card_id, StampReward.member_id == member_id
            )
        )
        progress = s.get(StampCardMember, (card_id, member_id))
        if progress is not None:
            assert (progress.stamps, progress.rewards) == (stamps, rewards)
        return int(stamps or 0), int(rewards or 0)


def set_status(klubb: Klubb, customer_id: int, status: MemberStatus) -> None:
    with klubb.sessions.begin() as s:
        s.execute(update(Member).where(Member.customer_id == customer_id).values(status=status))
