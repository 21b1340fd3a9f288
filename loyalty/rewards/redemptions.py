"""Redeeming a reward: the reservation that spends its points (DESIGN.md invariant 5).

The catalogue the merchant edits is :mod:`loyalty.rewards.catalogue`. A redemption moves
``reserved → issued → used | expired``, or ``reserved → returned``:

- :func:`reserve` spends the points: the balance check and the debit are one ``UPDATE … WHERE
  points_balance - pending >= cost`` and the ``redeem`` ledger entry is inserted in the same
  transaction, so concurrent redemptions can never overdraw (see :func:`_debit`);
- the later states are :mod:`loyalty.rewards.redemption_states`'; a redemption as adapters show
  it is :mod:`loyalty.rewards.redemption_view`'s.

Talking to Shopify is :mod:`loyalty.rewards.discount_codes`' and :mod:`loyalty.rewards.issuing`'
part; nothing here holds a transaction across an HTTP call. Errors (HTTP status in brackets)::

    LoyaltyError
    ├── ValidationError
    │   ├── RewardUnavailable      inactive or outside its dates (422)
    │   ├── RedemptionLimitReached the member's limit for this reward is used up (422)
    │   ├── NotEnoughPoints        the spendable balance is below the cost (422)
    │   └── KeyReused              the idempotency key stands for another reward (422)
    ├── NotFound                   no such reward / redemption for this shop and member (404)
    └── RedemptionRefused          the shopper may not redeem (403)
        └── NotAMember             signed in, but not a member (join first)
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError, NotFound, ValidationError
from loyalty.core.models import (
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    Redemption,
    RedemptionState,
    Reward,
    RewardKind,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.ledger import add_to_rollup, available_balance, local_day
from loyalty.rewards.redemption_view import RedemptionView, load_view
from loyalty.shopify.store_credit import has_store_credit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely
CODE_PREFIX = "KLUBB-"
CODE_LENGTH = 10  # 32^10 = 2^50 codes
VALUE_KINDS = frozenset({RewardKind.GIFT_CARD, RewardKind.STORE_CREDIT})
"""Rewards issued as value in Shopify (a gift card, store credit), not as a discount code."""


class RewardUnavailable(ValidationError):
    """The reward is not active, or today is outside its dates."""

    code = "reward_unavailable"


class RedemptionLimitReached(ValidationError):
    """The member has redeemed this reward as often as it allows."""

    code = "redemption_limit_reached"


class NotEnoughPoints(ValidationError):
    """The member's spendable balance (pending points excluded) is below the reward's cost."""

    code = "not_enough_points"


class KeyReused(ValidationError):
    """The idempotency key already stands for a redemption of another reward."""

    code = "idempotency_key_reused"


class RedemptionRefused(LoyaltyError):
    """The shopper may not redeem: their membership is restricted or anonymised."""

    code = "redemption_refused"


class NotAMember(RedemptionRefused):
    """The shopper is signed in but not a member of the shop's club."""

    code = "not_a_member"


def new_code() -> str:
    """An unguessable code: ``KLUBB-`` and 10 characters from an unambiguous alphabet."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def reserve(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    reward_id: int,
    *,
    idempotency_key: str,
    now: datetime | None = None,
) -> tuple[RedemptionView, bool]:
    """Spend the reward's points on a ``reserved`` redemption; (the redemption, created?).

    A second call with the same idempotency key (and reward) returns the first redemption,
    whatever its state now, and spends nothing. Raises the errors in the module docstring.
    """
    now = now or utcnow()
    with sessions.begin() as s:
        # The member's row lock orders us after any ledger post or redemption already under
        # way for them (each updates this row), so what follows sees their committed effects.
        member = s.scalar(
            select(Member)
            .where(Member.shop_id == shop_id, Member.customer_id == customer_id)
            .with_for_update()
        )
        if member is None:
            raise NotAMember("join the club to redeem rewards")
        earlier = s.execute(
            select(Redemption.id, Redemption.reward_id).where(
                Redemption.shop_id == shop_id,
                Redemption.member_id == member.id,
                Redemption.idempotency_key == idempotency_key,
            )
        ).first()
        if earlier is not None:
            if earlier.reward_id != reward_id:
                raise KeyReused({"Idempotency-Key": "This key was used for another reward."})
            return load_view(s, earlier.id), False
        if member.status != MemberStatus.ACTIVE:
            raise RedemptionRefused("this membership cannot redeem rewards")
        reward = s.scalar(select(Reward).where(Reward.id == reward_id, Reward.shop_id == shop_id))
        if reward is None:
            raise NotFound("no such reward")
        _check_redeemable(s, reward, member.id, now)
        if not _debit(s, member.id, shop_id, reward.points_cost, now):
            spendable = available_balance(s, member.id, now)
            raise NotEnoughPoints(
                {"reward_id": f"This reward costs {reward.points_cost} points."},
                f"You need {reward.points_cost} points for this reward; you have {spendable}.",
            )
        days = reward.code_lifetime_days
        value_kind = reward.kind in VALUE_KINDS
        redemption = Redemption(
            shop_id=shop_id,
            member_id=member.id,
            reward_id=reward.id,
            points=reward.points_cost,
            state=RedemptionState.RESERVED,
            # A gift card's code is Shopify's; store credit has none.
            code=None if value_kind else new_code(),
            amount=reward.value if value_kind else None,
            idempotency_key=idempotency_key,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        s.add(redemption)
        s.flush()
        _insert_redeem_entry(s, redemption, reward.id, now)
        return load_view(s, redemption.id), True


def _check_redeemable(s: Session, reward: Reward, member_id: int, now: datetime) -> None:
    window_open = (reward.starts_at is None or reward.starts_at <= now) and (
        reward.ends_at is None or now < reward.ends_at
    )
    if not (reward.active and window_open) or reward.paused:
        raise RewardUnavailable({"reward_id": "This reward cannot be redeemed now."})
    if reward.kind == RewardKind.STORE_CREDIT:
        scopes = s.scalar(select(Shop.scopes).where(Shop.id == reward.shop_id)) or ""
        if not has_store_credit(scopes):
            raise RewardUnavailable({"reward_id": "This shop does not offer store credit."})
    if reward.limit_per_member is not None:
        taken = s.scalar(
            select(func.count())
            .select_from(Redemption)
            .where(
                Redemption.member_id == member_id,
                Redemption.reward_id == reward.id,
                Redemption.state != RedemptionState.RETURNED,
            )
        )
        if (taken or 0) >= reward.limit_per_member:
            raise RedemptionLimitReached({"reward_id": "You have redeemed this reward already."})


def _debit(s: Session, member_id: int, shop_id: int, cost: int, now: datetime) -> bool:
    """Check the spendable balance and take ``cost`` off it in ONE statement; False if short.

    ``UPDATE members SET points_balance = points_balance - :cost WHERE id = :id AND
    points_balance - (pending) >= :cost``, where *pending* is the sum of positive entries whose
    ``available_at`` is still ahead (what ``ledger.available_balance`` subtracts). Two
    redemptions racing for the last points both reach this row; PostgreSQL makes the second
    wait, then re-checks its ``WHERE`` against the first one's committed balance, so it fails
    instead of overdrawing. The pending sum is a subquery of the same statement; the row lock
    taken in :func:`reserve` makes its snapshot include every earn committed before us.
    """
    pending = (
        select(func.coalesce(func.sum(LedgerEntry.points), 0))
        .where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.points > 0,
            LedgerEntry.available_at > now,
        )
        .scalar_subquery()
    )
    debited = s.execute(
        update(Member)
        .where(
            Member.id == member_id,
            Member.shop_id == shop_id,
            Member.status == MemberStatus.ACTIVE,
            Member.points_balance - pending >= cost,
        )
        .values(points_balance=Member.points_balance - cost, last_activity_at=now)
        .returning(Member.id)
        .execution_options(synchronize_session=False)
    ).first()
    return debited is not None


def _insert_redeem_entry(s: Session, redemption: Redemption, reward_id: int, now: datetime) -> None:
    """The ``redeem`` entry for a debit :func:`_debit` already made (so not ``ledger.post``,
    which would move the balance a second time); the daily counter moves with it."""
    s.execute(
        upsert(s, LedgerEntry).values(
            shop_id=redemption.shop_id,
            member_id=redemption.member_id,
            points=-redemption.points,
            kind=LedgerKind.REDEEM,
            source_key=f"redeem:{redemption.id}",
            **reasons.columns(reasons.reward(reward_id)),
            actor="member",
            created_at=now,
        )
    )
    day = local_day(s, redemption.shop_id, now)
    add_to_rollup(s, redemption.shop_id, day, points_redeemed=redemption.points)
