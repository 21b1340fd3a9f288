"""A birthday reward's discount code, created in Shopify like a reward code.

A ``pending`` :class:`~loyalty.core.models.BirthdayReward` holds its code (made when the reward
was given); :func:`issue_birthday_code` creates it in Shopify through
:mod:`loyalty.rewards.discount_codes`: a percentage off for that customer only, one use, valid
``birthday_code_days`` from now, titled ``… (Klubb birthday #<reward id>)``. Before creating,
it looks the code up: a code found with our title is one an earlier run (crashed before it
could say so) already made, so a retried job makes one code. No database transaction is open
during a call to Shopify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    BirthdayReward,
    BirthdayRewardState,
    Member,
    MemberStatus,
    RewardKind,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    DiscountRejected,
    create_once,
)
from loyalty.shopify.client import ShopifyClient


@dataclass(frozen=True)
class CodeTarget:
    """What one birthday code needs, read in one short transaction."""

    reward_id: int
    shop_domain: str
    customer_id: int
    code: str
    percent: int
    days: int


def code_title(reward_id: int, percent: int) -> str:
    """The discount's title; its ending is how a code found in Shopify is known as ours."""
    return f"Birthday {percent} % off (Klubb birthday #{reward_id})"


def code_target(sessions: sessionmaker[Session], reward_id: int) -> CodeTarget | None:
    """The pending reward's shop, customer and code; None if it is not pending any more."""
    with sessions() as s:
        row = s.execute(
            select(BirthdayReward, Member.customer_id, Member.status, Shop.domain)
            .join(Member, Member.id == BirthdayReward.member_id)
            .join(Shop, Shop.id == BirthdayReward.shop_id)
            .where(BirthdayReward.id == reward_id)
        ).one_or_none()
        if row is None:
            return None
        reward, customer_id, status, domain = row
        if reward.state != BirthdayRewardState.PENDING or not reward.code:
            return None
        if status != MemberStatus.ACTIVE or customer_id <= 0:
            return None
        days = program_settings(s, reward.shop_id).birthday_code_days
        return CodeTarget(
            reward_id, domain, int(customer_id), reward.code, int(reward.percent or 0), days
        )


def _finish(sessions: sessionmaker[Session], reward_id: int, state: str, **values: object) -> None:
    with sessions.begin() as s:
        s.execute(
            update(BirthdayReward)
            .where(
                BirthdayReward.id == reward_id,
                BirthdayReward.state == BirthdayRewardState.PENDING,
            )
            .values(state=state, **values)
        )


def issue_birthday_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    reward_id: int,
    *,
    now: datetime | None = None,
) -> str:
    """Create the reward's code in Shopify unless it exists; ``created``, ``exists`` or
    ``skipped`` (not pending, or the member is no longer active: then nothing is given).

    Raises the client's errors (unavailable, throttled) so the job is retried; a code Shopify
    refuses marks the reward ``failed`` and raises :class:`DiscountRejected`.
    """
    target = code_target(sessions, reward_id)
    if target is None:
        _finish(sessions, reward_id, BirthdayRewardState.FAILED)  # a member who left meanwhile
        return "skipped"
    now = now or utcnow()
    ends_at = now + timedelta(days=target.days)
    spec = CodeSpec(
        kind=RewardKind.PERCENTAGE,
        code=target.code,
        title=code_title(reward_id, target.percent),
        customer_id=target.customer_id,
        starts_at=now,
        ends_at=ends_at,
        fraction=Decimal(target.percent) / 100,
    )
    try:
        discount_id, made = create_once(
            client, target.shop_domain, access_token(target.shop_domain), spec
        )
    except DiscountRejected:  # CodeTaken too: another discount holds the code
        _finish(sessions, reward_id, BirthdayRewardState.FAILED)
        raise
    done = {"issued_at": now, "ends_at": ends_at, "discount_id": discount_id}
    _finish(sessions, reward_id, BirthdayRewardState.ISSUED, **done)
    return "created" if made else "exists"
