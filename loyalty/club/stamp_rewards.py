"""A full card's reward as a one-customer Shopify discount code, made once.

A ``pending`` :class:`~loyalty.core.models.StampReward` (recorded by
:mod:`loyalty.club.stamp_ledger`, unique per card, member and fill) holds its code;
:func:`issue_stamp_reward` creates it through :mod:`loyalty.rewards.discount_codes`: for that
customer only, one use, no end; a fixed amount or a percentage off the order, or a free product
(100 % off, limited to that product). Its title ends in ``(Klubb stamp #<reward id>)``: a code
found in Shopify with that title is one an earlier run already made, so a retried job makes one
code. No database transaction is open during a call to Shopify. An order that uses the code
marks the reward used (:func:`mark_rewards_used`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    Member,
    MemberStatus,
    RewardKind,
    Shop,
    StampCard,
    StampReward,
    StampRewardKind,
    StampRewardState,
)
from loyalty.core.types import utcnow
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    DiscountRejected,
    create_once,
)
from loyalty.shopify.client import ShopifyClient


@dataclass(frozen=True)
class RewardTarget:
    """What one reward's code needs, read in one short transaction."""

    reward_id: int
    shop_domain: str
    customer_id: int
    code: str
    card_name: str
    reward: dict[str, Any]


def code_title(reward_id: int, card_name: str) -> str:
    """The discount's title; its ending is how a code found in Shopify is known as ours."""
    return f"{card_name[:60]} (Klubb stamp #{reward_id})"


def code_spec(target: RewardTarget, title: str, now: datetime) -> CodeSpec:
    """The discount a reward is: 100 % off its product, an amount, or a percentage off."""
    reward = target.reward
    kind: str = RewardKind.PERCENTAGE
    amount: Decimal | None = None
    fraction: Decimal | None = Decimal(1)
    products: tuple[int, ...] = ()
    if reward.get("kind") == StampRewardKind.FREE_PRODUCT:
        products = (int(reward["product_id"]),)
    elif reward.get("kind") == StampRewardKind.FIXED_AMOUNT:
        kind, amount, fraction = RewardKind.FIXED_AMOUNT, Decimal(reward["amount"]), None
    else:
        fraction = Decimal(int(reward.get("percentage") or 0)) / 100
    return CodeSpec(
        kind=kind,
        code=target.code,
        title=title,
        customer_id=target.customer_id,
        starts_at=now,
        amount=amount,
        fraction=fraction,
        product_ids=products,
    )


def reward_target(sessions: sessionmaker[Session], reward_id: int) -> RewardTarget | None:
    """The pending reward's shop, customer, code and card; None if it is not pending any more
    or its member cannot take it (no longer active, anonymised)."""
    with sessions() as s:
        row = s.execute(
            select(StampReward, Member.customer_id, Member.status, Shop.domain, StampCard.name)
            .join(Member, Member.id == StampReward.member_id)
            .join(Shop, Shop.id == StampReward.shop_id)
            .join(StampCard, StampCard.id == StampReward.card_id)
            .where(StampReward.id == reward_id)
        ).one_or_none()
        if row is None:
            return None
        reward, customer_id, status, domain, name = row
        if reward.state != StampRewardState.PENDING:
            return None
        if status != MemberStatus.ACTIVE or customer_id <= 0:
            return None
        return RewardTarget(
            reward_id, domain, int(customer_id), reward.code, name, dict(reward.reward)
        )


def _finish(sessions: sessionmaker[Session], reward_id: int, state: str, **values: object) -> None:
    with sessions.begin() as s:
        s.execute(
            update(StampReward)
            .where(StampReward.id == reward_id, StampReward.state == StampRewardState.PENDING)
            .values(state=state, **values)
        )


def issue_stamp_reward(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    reward_id: int,
    *,
    now: datetime | None = None,
) -> str:
    """Create the reward's code in Shopify unless it exists: ``created``, ``exists`` or
    ``skipped``. Raises the client's errors so the job is retried; a code Shopify refuses
    marks the reward ``failed`` and raises :class:`DiscountRejected`."""
    target = reward_target(sessions, reward_id)
    if target is None:
        return "skipped"
    now = now or utcnow()
    spec = code_spec(target, code_title(reward_id, target.card_name), now)
    try:
        discount_id, made = create_once(
            client, target.shop_domain, access_token(target.shop_domain), spec
        )
    except DiscountRejected:  # CodeTaken too: another discount holds the code
        _finish(sessions, reward_id, StampRewardState.FAILED)
        raise
    _finish(sessions, reward_id, StampRewardState.ISSUED, discount_id=discount_id, issued_at=now)
    return "created" if made else "exists"


def pending_rewards(sessions: sessionmaker[Session], shop_id: int, member_id: int) -> list[int]:
    """The member's rewards whose code Shopify does not have yet (the outbox of the code job)."""
    with sessions() as s:
        return list(
            s.scalars(
                select(StampReward.id).where(
                    StampReward.shop_id == shop_id,
                    StampReward.member_id == member_id,
                    StampReward.state == StampRewardState.PENDING,
                )
            )
        )


def mark_rewards_used(
    sessions: sessionmaker[Session], shop_id: int, order_id: int, codes: Iterable[str]
) -> int:
    """An order used these codes: mark the shop's stamp rewards with them used; how many."""
    wanted = {c.strip().upper() for c in codes if c.strip()}
    if not wanted:
        return 0
    with sessions.begin() as s:
        return len(
            s.execute(
                update(StampReward)
                .where(
                    StampReward.shop_id == shop_id,
                    StampReward.code.in_(wanted),
                    StampReward.used_at.is_(None),
                )
                .values(used_at=utcnow(), used_order_id=order_id)
                .returning(StampReward.id)
            ).all()
        )
