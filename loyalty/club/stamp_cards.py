"""The merchant's stamp cards (``/api/stamp-cards``): list, create, change, delete.

Fields are checked by :mod:`loyalty.club.stamp_rules`. A change applies to orders recorded
after it (a line's cards are decided when it is recorded); stamps and rewards already given
stay. Deleting a card hides it and stops it counting; its members' stamps and rewards are kept
for their history. Every change is audited (``stamp_cards.update``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.stamp_rules import FIELDS, validate_card
from loyalty.core.errors import NotFound
from loyalty.core.models import (
    Member,
    MemberStatus,
    StampCard,
    StampCardMember,
    StampReward,
)
from loyalty.core.types import utcnow
from loyalty.privacy import audit

NOT_FOUND = "This shop has no such stamp card."


def card_json(card: StampCard) -> dict[str, Any]:
    """A card as the API shows it (ids as strings)."""
    return {
        "id": str(card.id),
        "name": card.name,
        "product_ids": [str(i) for i in card.product_ids],
        "collection_ids": [str(i) for i in card.collection_ids],
        "stamps_required": card.stamps_required,
        "reward": dict(card.reward),
        "repeatable": card.repeatable,
        "starts_at": card.starts_at.isoformat() if card.starts_at else None,
        "ends_at": card.ends_at.isoformat() if card.ends_at else None,
        "paused": card.paused_reason,
    }


def _held(card: StampCard) -> dict[str, Any]:
    return {name: getattr(card, name) for name in FIELDS}


def shop_card(s: Session, shop_id: int, card_id: int) -> StampCard:
    """One of the shop's cards not deleted; NotFound otherwise."""
    card = s.scalars(
        select(StampCard).where(
            StampCard.shop_id == shop_id, StampCard.id == card_id, StampCard.deleted_at.is_(None)
        )
    ).one_or_none()
    if card is None:
        raise NotFound(NOT_FOUND)
    return card


def list_cards(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The shop's cards, with members holding stamps and rewards issued and used on each."""
    with sessions() as s:
        cards = s.scalars(
            select(StampCard)
            .where(StampCard.shop_id == shop_id, StampCard.deleted_at.is_(None))
            .order_by(StampCard.id)
        ).all()
        members = dict(
            s.execute(
                select(StampCardMember.card_id, func.count())
                .where(StampCardMember.shop_id == shop_id, StampCardMember.stamps > 0)
                .group_by(StampCardMember.card_id)
            ).all()
        )
        rewards = {
            card_id: (issued, used)
            for card_id, issued, used in s.execute(
                select(StampReward.card_id, func.count(), func.count(StampReward.used_at))
                .where(StampReward.shop_id == shop_id)
                .group_by(StampReward.card_id)
            )
        }
        found = []
        for card in cards:
            issued, used = rewards.get(card.id, (0, 0))
            found.append(
                card_json(card)
                | {
                    "members_with_stamps": int(members.get(card.id, 0)),
                    "rewards_issued": int(issued),
                    "rewards_used": int(used),
                }
            )
        return {"stamp_cards": found}


def create_card(
    sessions: sessionmaker[Session], shop_id: int, body: Mapping[str, Any], actor: str | None
) -> tuple[dict[str, Any], StampCard]:
    """Validate and store a card; its JSON and the row (for the collection look-up job)."""
    values = validate_card(body)
    values.setdefault("product_ids", [])
    values.setdefault("collection_ids", [])
    values.setdefault("repeatable", True)
    with sessions.begin() as s:
        card = StampCard(shop_id=shop_id, **values)
        s.add(card)
        s.flush()
        audit.record(s, shop_id, "staff" if actor else "system", actor, "stamp_cards.update")
        return card_json(card), card


def update_card(
    sessions: sessionmaker[Session],
    shop_id: int,
    card_id: int,
    body: Mapping[str, Any],
    actor: str | None,
) -> dict[str, Any]:
    """Change some fields of a card; a card paused by a deleted product or collection runs
    again once its products and collections are chosen anew."""
    with sessions.begin() as s:
        card = shop_card(s, shop_id, card_id)
        values = validate_card(body, partial=True, held=_held(card))
        for name, value in values.items():
            setattr(card, name, value)
        if "product_ids" in values or "collection_ids" in values:
            card.paused_reason = None
        audit.record(s, shop_id, "staff" if actor else "system", actor, "stamp_cards.update")
        return card_json(card)


def delete_card(
    sessions: sessionmaker[Session], shop_id: int, card_id: int, actor: str | None
) -> dict[str, Any]:
    """Stop and hide a card; stamps and rewards already given stay."""
    with sessions.begin() as s:
        card = shop_card(s, shop_id, card_id)
        card.deleted_at = utcnow()
        audit.record(s, shop_id, "staff" if actor else "system", actor, "stamp_cards.update")
        return {"deleted": str(card.id)}


def card_members(
    sessions: sessionmaker[Session], shop_id: int, card_id: int, limit: int = 200
) -> dict[str, Any]:
    """The members holding stamps or rewards on one of the shop's cards, most stamps first:
    their customer id and name, stamps in the ledger, rewards issued and used."""
    with sessions() as s:
        card = shop_card(s, shop_id, card_id)
        rows = s.execute(
            select(StampCardMember, Member.customer_id, Member.first_name, Member.last_name)
            .join(Member, Member.id == StampCardMember.member_id)
            .where(
                StampCardMember.shop_id == shop_id,
                StampCardMember.card_id == card.id,
                Member.status != MemberStatus.ANONYMISED,
            )
            .order_by(StampCardMember.stamps.desc(), StampCardMember.member_id)
            .limit(limit)
        ).all()
        used = dict(
            s.execute(
                select(StampReward.member_id, func.count(StampReward.used_at))
                .where(StampReward.shop_id == shop_id, StampReward.card_id == card.id)
                .group_by(StampReward.member_id)
            ).all()
        )
        return {
            "members": [
                {
                    "customer_id": str(customer_id),
                    "name": " ".join(p for p in (first, last) if p) or None,
                    "stamps": progress.stamps,
                    "rewards_issued": progress.rewards,
                    "rewards_used": int(used.get(progress.member_id, 0)),
                }
                for progress, customer_id, first, last in rows
            ]
        }
