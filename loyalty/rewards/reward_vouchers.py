"""A member's gift cards and store credit bought with points, as the member JSON's
``vouchers`` entries (DESIGN.md): ``{"id", "kind", "last_characters", "amount", "currency",
"state"}``.

A gift card's full code is never here: the member sees it once, when it is issued
(:func:`loyalty.rewards.redemption_states.take_code_once`); Klubb keeps its last characters.
Other sources of vouchers (spend thresholds) add their own entries to the same list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import Redemption, RedemptionState, Reward, RewardKind, Shop

SHOWN = (RedemptionState.ISSUED, RedemptionState.USED, RedemptionState.EXPIRED)


def reward_vouchers(s: Session, shop_id: int, member_id: int) -> list[dict[str, Any]]:
    """The member's issued gift cards and store credit from rewards, newest first."""
    rows = s.execute(
        select(Redemption, Reward.kind, Shop.currency)
        .join(Reward, Reward.id == Redemption.reward_id)
        .join(Shop, Shop.id == Redemption.shop_id)
        .where(
            Redemption.shop_id == shop_id,
            Redemption.member_id == member_id,
            Redemption.state.in_(SHOWN),
            Reward.kind.in_([RewardKind.GIFT_CARD, RewardKind.STORE_CREDIT]),
        )
        .order_by(Redemption.created_at.desc(), Redemption.id.desc())
        .limit(50)
    ).all()
    return [
        {
            "id": str(r.id),
            "source": "reward",
            "kind": kind,
            "last_characters": r.last_characters,
            "amount": None if r.amount is None else format(r.amount.normalize(), "f"),
            "currency": currency,
            "state": r.state,
        }
        for r, kind, currency in rows
    ]
