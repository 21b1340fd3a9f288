"""Stamps from an order's final facts: owed per card, held in the stamp ledger, the rest posted.

Called by :func:`loyalty.points.orders.settle` with the order's record locked, so settlements of
one order are serialised. For each card its lines count for, the order owes one stamp per unit
still standing (quantity minus units refunded) while it is paid, not cancelled, not a test, and
its member may earn; the ledger's entries for (order, card) are what it holds; the difference
is posted under ``stamps:{order}:{card}:{n}`` (n = entries already held), unique per shop.

A member's running sum on a card lives in ``stamp_card_members`` (locked per card and member,
so two orders of one member settle one after the other there). When the sum reaches the next
filling (``(rewards + 1) * stamps_required``; only the first for a card that is not
repeatable), a reward is recorded once per (card, member, fill): its code is made in Shopify by
a job (:mod:`loyalty.club.stamp_rewards`). A refund after that leaves the reward and lowers the
sum: the card is in debt until new stamps pay it back; the shopper sees
``max(0, sum - rewards * required)`` (:func:`shown_stamps`).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError
from loyalty.core.models import (
    Member,
    MemberStatus,
    OrderLine,
    OrderRecord,
    StampCard,
    StampCardMember,
    StampEntry,
    StampReward,
    StampRewardState,
)
from loyalty.points.order_lines import refunded_units

CODE_PREFIX = "STAMP-"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class StampConflict(LoyaltyError):
    """Another settlement of the same order posted its stamps first; a retry settles right."""

    code = "stamp_conflict"


def new_code() -> str:
    """An unguessable reward code: ``STAMP-`` and 10 characters from an unambiguous alphabet."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def shown_stamps(stamps: int, rewards: int, required: int, repeatable: bool) -> int:
    """The stamps a shopper sees on the card: never negative, never more than a full card."""
    if not repeatable and rewards > 0:
        return required
    return max(0, min(required, stamps - rewards * required))


def stamps_owed(session: Session, record: OrderRecord) -> dict[int, int]:
    """Stamps the order owes now, per card (cards its lines count for; 0 when it earns none)."""
    lines = session.execute(
        select(OrderLine.line_id, OrderLine.quantity, OrderLine.stamp_card_ids).where(
            OrderLine.shop_id == record.shop_id, OrderLine.order_id == record.order_id
        )
    ).all()
    owed: dict[int, int] = defaultdict(int)
    earns = (
        record.paid
        and not record.cancelled
        and not record.test
        and record.member_id is not None
        and not record.earn_blocked
    )
    counted = earns and any(cards for _, _, cards in lines)
    refunded = refunded_units(session, record.shop_id, record.order_id) if counted else {}
    for line_id, quantity, cards in lines:
        standing = max(0, quantity - refunded.get(line_id, 0)) if earns else 0
        for card_id in cards or ():
            owed[int(card_id)] += standing
    return dict(owed)


def settle_stamps(session: Session, record: OrderRecord, now: datetime) -> list[int]:
    """Post the difference per card; the ids of rewards this settlement recorded."""
    if record.member_id is None:
        return []
    owed = stamps_owed(session, record)
    if not owed:
        return []  # no line counts for a card (decided once): nothing is held either
    held = {
        int(card_id): (int(count), int(total))
        for card_id, count, total in session.execute(
            select(StampEntry.card_id, func.count(), func.coalesce(func.sum(StampEntry.stamps), 0))
            .where(StampEntry.shop_id == record.shop_id, StampEntry.order_id == record.order_id)
            .group_by(StampEntry.card_id)
        )
    }
    member = session.get(Member, record.member_id)
    active = member is not None and member.status == MemberStatus.ACTIVE
    rewards: list[int] = []
    for card_id in sorted(set(owed) | set(held)):
        count, holding = held.get(card_id, (0, 0))
        due = owed.get(card_id, 0)
        if not active:
            due = min(due, holding)  # an inactive member loses stamps to refunds, gains none
        delta = due - holding
        if delta == 0:
            continue
        inserted = session.execute(
            upsert(session, StampEntry)
            .values(
                shop_id=record.shop_id,
                card_id=card_id,
                member_id=record.member_id,
                stamps=delta,
                order_id=record.order_id,
                source_key=f"stamps:{record.order_id}:{card_id}:{count}",
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["shop_id", "source_key"])
            .returning(StampEntry.id)
        ).first()
        if inserted is None:
            raise StampConflict(f"stamps of order {record.order_id} were settled concurrently")
        rewards += _move(session, record.shop_id, card_id, record.member_id, delta, now)
    return rewards


def _move(
    session: Session, shop_id: int, card_id: int, member_id: int, delta: int, now: datetime
) -> list[int]:
    """Add ``delta`` to the member's sum on the card (locked) and record the fillings due."""
    session.execute(
        upsert(session, StampCardMember)
        .values(card_id=card_id, member_id=member_id, shop_id=shop_id, stamps=0, rewards=0)
        .on_conflict_do_nothing(index_elements=["card_id", "member_id"])
    )
    progress = session.scalars(
        select(StampCardMember)
        .where(StampCardMember.card_id == card_id, StampCardMember.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    progress.stamps += delta
    card = session.get(StampCard, card_id)
    issued: list[int] = []
    if card is None or delta < 0:
        return issued
    required = card.stamps_required
    while progress.stamps >= (progress.rewards + 1) * required and (
        card.repeatable or progress.rewards == 0
    ):
        progress.rewards += 1
        reward_id = session.execute(
            upsert(session, StampReward)
            .values(
                shop_id=shop_id,
                card_id=card_id,
                member_id=member_id,
                fill=progress.rewards,
                reward=dict(card.reward),
                state=StampRewardState.PENDING,
                code=new_code(),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["card_id", "member_id", "fill"])
            .returning(StampReward.id)
        ).scalar()
        if reward_id is not None:
            issued.append(int(reward_id))
    return issued
