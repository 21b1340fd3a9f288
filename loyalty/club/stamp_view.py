"""A member's stamp cards as the member JSON shows them (``stamp_cards``), admin and widget alike.

Every running card of the shop (so a guest or a new member sees what they can collect), and any
other card the member holds stamps or rewards on. ``stamps`` is what the shopper sees on the
card now: never negative (a card in debt after a refund shows 0), never more than a full card
(:func:`loyalty.club.stamp_ledger.shown_stamps`). ``codes`` are the member's reward codes made
in Shopify and not yet used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.club.stamp_ledger import shown_stamps
from loyalty.club.stamp_matching import running
from loyalty.core.models import (
    Member,
    StampCard,
    StampCardMember,
    StampEntry,
    StampReward,
    StampRewardState,
)
from loyalty.core.types import utcnow


def member_id_of(s: Session, shop_id: int, customer_id: int | None) -> int | None:
    """The member's row id for a customer of the shop, if any."""
    if customer_id is None:
        return None
    return s.scalar(
        select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
    )


def stamp_cards_of(s: Session, shop_id: int, member_id: int | None) -> list[dict[str, Any]]:
    """The ``stamp_cards`` of a member's JSON (``member_id`` None: a guest's, all empty)."""
    now = utcnow()
    progress: dict[int, StampCardMember] = {}
    codes: dict[int, list[dict[str, Any]]] = {}
    if member_id is not None:
        progress = {
            p.card_id: p
            for p in s.scalars(
                select(StampCardMember).where(
                    StampCardMember.shop_id == shop_id, StampCardMember.member_id == member_id
                )
            )
        }
        for reward in s.scalars(
            select(StampReward)
            .where(
                StampReward.shop_id == shop_id,
                StampReward.member_id == member_id,
                StampReward.state == StampRewardState.ISSUED,
                StampReward.used_at.is_(None),
            )
            .order_by(StampReward.id)
        ):
            codes.setdefault(reward.card_id, []).append(
                {"code": reward.code, "reward": dict(reward.reward)}
            )
    cards = s.scalars(
        select(StampCard).where(StampCard.shop_id == shop_id).order_by(StampCard.id)
    ).all()
    found = []
    for card in cards:
        held = progress.get(card.id)
        if not running(card, now) and (held is None or card.deleted_at is not None):
            continue
        stamps, rewards = (held.stamps, held.rewards) if held else (0, 0)
        found.append(
            {
                "id": str(card.id),
                "name": card.name,
                "stamps": shown_stamps(stamps, rewards, card.stamps_required, card.repeatable),
                "stamps_required": card.stamps_required,
                "rewards_earned": rewards,
                "reward": dict(card.reward),
                "repeatable": card.repeatable,
                "ends_at": card.ends_at.isoformat() if card.ends_at else None,
                "codes": codes.get(card.id, []),
            }
        )
    return found


def stamp_export(s: Session, shop_id: int, member_id: int | None) -> dict[str, Any]:
    """What a member's data export holds of stamps: the cards as they see them, every stamp
    entry (card, stamps, order, when) and every reward (card, filling, code, state, use)."""
    if member_id is None:
        return {"stamp_cards": [], "stamp_entries": [], "stamp_rewards": []}
    entries = s.execute(
        select(StampEntry, StampCard.name)
        .join(StampCard, StampCard.id == StampEntry.card_id)
        .where(StampEntry.shop_id == shop_id, StampEntry.member_id == member_id)
        .order_by(StampEntry.id)
    ).all()
    rewards = s.execute(
        select(StampReward, StampCard.name)
        .join(StampCard, StampCard.id == StampReward.card_id)
        .where(StampReward.shop_id == shop_id, StampReward.member_id == member_id)
        .order_by(StampReward.id)
    ).all()
    return {
        "stamp_cards": stamp_cards_of(s, shop_id, member_id),
        "stamp_entries": [
            {
                "card": name,
                "stamps": e.stamps,
                "order_id": str(e.order_id) if e.order_id else None,
                "created_at": e.created_at.isoformat(),
            }
            for e, name in entries
        ],
        "stamp_rewards": [
            {
                "card": name,
                "fill": r.fill,
                "reward": dict(r.reward),
                "code": r.code,
                "state": r.state,
                "used_at": r.used_at.isoformat() if r.used_at else None,
                "created_at": r.created_at.isoformat(),
            }
            for r, name in rewards
        ],
    }


def unused_reward_discounts(s: Session, member_id: int) -> list[str]:
    """Shopify discount ids of the member's reward codes made and not used (to delete when the
    member is erased or leaves, like unused redemption codes)."""
    return [
        d
        for d in s.scalars(
            select(StampReward.discount_id).where(
                StampReward.member_id == member_id,
                StampReward.state == StampRewardState.ISSUED,
                StampReward.used_at.is_(None),
                StampReward.discount_id.is_not(None),
            )
        )
        if d
    ]
