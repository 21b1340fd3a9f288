"""Rewards: a redemption's life in the database (DESIGN.md invariant 5); the catalogue the
merchant edits is :mod:`loyalty.rewards.catalogue`.

A redemption moves ``reserved → issued → used | expired``, or ``reserved → returned``:

- :func:`reserve` spends the points: the balance check and the debit are one ``UPDATE … WHERE
  points_balance - pending >= cost`` and the ``redeem`` ledger entry is inserted in the same
  transaction, so concurrent redemptions can never overdraw (see :func:`_debit`);
- :func:`confirm_issued` records the Shopify code once it exists; :func:`return_reservation`
  gives the points back (a ``redeem_return`` entry) when it never will. Both change only a
  ``reserved`` row, in one conditional ``UPDATE``, so whichever comes first wins and the points
  come back at most once (the ledger's unique source key guards it a second time);
- :func:`mark_codes_used` and :func:`expire_codes` follow the code afterwards. An expired code
  keeps its points spent.

Talking to Shopify is :mod:`loyalty.rewards.discount_codes`' part; nothing here holds a transaction
across an HTTP call. Errors (HTTP status in brackets)::

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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

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
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.ledger import add_to_rollup, available_balance, local_day, post

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely
CODE_PREFIX = "KLUBB-"
CODE_LENGTH = 10  # 32^10 = 2^50 codes


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


@dataclass(frozen=True)
class RedemptionView:
    """A redemption as adapters show it, with what the code's creation needs."""

    id: int
    shop_id: int
    shop_domain: str
    currency: str
    member_id: int
    customer_id: int
    reward_id: int | None
    reward_title: str
    kind: str
    value: Decimal | None
    minimum_order: Decimal | None
    points: int
    state: str
    code: str | None
    discount_id: str | None
    created_at: datetime
    issued_at: datetime | None
    expires_at: datetime | None
    used_at: datetime | None
    points_balance: int


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
            return _view(s, earlier.id), False
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
        redemption = Redemption(
            shop_id=shop_id,
            member_id=member.id,
            reward_id=reward.id,
            points=reward.points_cost,
            state=RedemptionState.RESERVED,
            code=new_code(),
            idempotency_key=idempotency_key,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        s.add(redemption)
        s.flush()
        _insert_redeem_entry(s, redemption, reward.id, now)
        return _view(s, redemption.id), True


def _check_redeemable(s: Session, reward: Reward, member_id: int, now: datetime) -> None:
    window_open = (reward.starts_at is None or reward.starts_at <= now) and (
        reward.ends_at is None or now < reward.ends_at
    )
    if not (reward.active and window_open):
        raise RewardUnavailable({"reward_id": "This reward cannot be redeemed now."})
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


def change_code(sessions: sessionmaker[Session], redemption_id: int, code: str) -> RedemptionView:
    """Give a still ``reserved`` redemption a new code (Shopify said the old one was taken)."""
    with sessions.begin() as s:
        s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id, Redemption.state == RedemptionState.RESERVED)
            .values(code=code)
        )
        return _view(s, redemption_id)


def confirm_issued(
    sessions: sessionmaker[Session],
    redemption_id: int,
    discount_id: str,
    now: datetime | None = None,
) -> tuple[RedemptionView, bool]:
    """Mark a ``reserved`` redemption ``issued`` with its Shopify discount; (view, changed?).

    ``changed`` is False when the redemption was no longer reserved (released or returned in
    the meantime): the caller then owns a discount nobody paid for and should delete it.
    """
    with sessions.begin() as s:
        changed = s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id, Redemption.state == RedemptionState.RESERVED)
            .values(
                state=RedemptionState.ISSUED, discount_id=discount_id, issued_at=now or utcnow()
            )
            .returning(Redemption.id)
        ).first()
        return _view(s, redemption_id), changed is not None


def return_reservation(
    sessions: sessionmaker[Session],
    redemption_id: int,
    reason: reasons.Reason,
    now: datetime | None = None,
) -> RedemptionView:
    """Give a ``reserved`` redemption's points back (``redeem_return``), exactly once."""
    now = now or utcnow()
    with sessions.begin() as s:
        row = s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id, Redemption.state == RedemptionState.RESERVED)
            .values(state=RedemptionState.RETURNED)
            .returning(Redemption.shop_id, Redemption.member_id, Redemption.points)
        ).first()
        if row is not None:
            post(
                s,
                shop_id=row.shop_id,
                member_id=row.member_id,
                points=row.points,
                kind=LedgerKind.REDEEM_RETURN,
                source_key=f"redeem_return:{redemption_id}",
                reason=reason,
                now=now,
            )
        return _view(s, redemption_id)


def members_given_back(sessions: sessionmaker[Session], redemption_ids: list[int]) -> list[int]:
    """The members of those redemptions whose points came back (state ``returned``)."""
    if not redemption_ids:
        return []
    with sessions() as s:
        return list(
            s.scalars(
                select(Redemption.member_id)
                .where(
                    Redemption.id.in_(redemption_ids),
                    Redemption.state == RedemptionState.RETURNED,
                )
                .distinct()
            )
        )


def stale_reservations(
    sessions: sessionmaker[Session], older_than: timedelta, *, now: datetime, limit: int = 100
) -> list[int]:
    """Ids of redemptions still ``reserved`` ``older_than`` after they were made, oldest first."""
    with sessions() as s:
        return list(
            s.scalars(
                select(Redemption.id)
                .where(
                    Redemption.state == RedemptionState.RESERVED,
                    Redemption.created_at < now - older_than,
                )
                .order_by(Redemption.created_at)
                .limit(limit)
            )
        )


def mark_codes_used(
    sessions: sessionmaker[Session], shop_id: int, order_id: int, discount_codes: Iterable[str]
) -> int:
    """An order used these codes: mark the shop's redemptions with them ``used``; how many.

    Codes compare case-insensitively, as Shopify's do. A code already used, or one whose
    points were returned, is left as it is.
    """
    codes = {c.strip().upper() for c in discount_codes if isinstance(c, str) and c.strip()}
    if not codes:
        return 0
    with sessions.begin() as s:
        marked = s.execute(
            update(Redemption)
            .where(
                Redemption.shop_id == shop_id,
                Redemption.code.in_(codes),
                Redemption.state.in_(
                    [RedemptionState.RESERVED, RedemptionState.ISSUED, RedemptionState.EXPIRED]
                ),
            )
            .values(state=RedemptionState.USED, used_at=utcnow(), order_id=order_id)
            .returning(Redemption.id)
        ).all()
        return len(marked)


def expire_codes(sessions: sessionmaker[Session], now: datetime | None = None) -> int:
    """Issued codes past their end become ``expired``; their points stay spent. How many."""
    with sessions.begin() as s:
        expired = s.execute(
            update(Redemption)
            .where(
                Redemption.state == RedemptionState.ISSUED,
                Redemption.expires_at <= (now or utcnow()),
            )
            .values(state=RedemptionState.EXPIRED)
            .returning(Redemption.id)
        ).all()
        return len(expired)


def get_redemption(sessions: sessionmaker[Session], redemption_id: int) -> RedemptionView:
    """A redemption by id, for jobs (which carry only the id); NotFound if it is gone."""
    with sessions() as s:
        return _view(s, redemption_id)


def member_redemption(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int, redemption_id: int
) -> RedemptionView:
    """The redemption if it belongs to this shop AND this customer's member, else NotFound."""
    with sessions() as s:
        found = s.scalar(
            select(Redemption.id)
            .join(Member, Member.id == Redemption.member_id)
            .where(
                Redemption.id == redemption_id,
                Redemption.shop_id == shop_id,
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
            )
        )
        if found is None:
            raise NotFound("no such redemption")
        return _view(s, found)


def _view(s: Session, redemption_id: int) -> RedemptionView:
    row = s.execute(
        select(Redemption, Member.customer_id, Member.points_balance, Shop.domain, Shop.currency)
        .join(Member, Member.id == Redemption.member_id)
        .join(Shop, Shop.id == Redemption.shop_id)
        .where(Redemption.id == redemption_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("no such redemption")
    r: Redemption = row[0]
    reward = s.get(Reward, r.reward_id) if r.reward_id is not None else None
    return RedemptionView(
        id=r.id,
        shop_id=r.shop_id,
        shop_domain=row.domain,
        currency=row.currency,
        member_id=r.member_id,
        customer_id=row.customer_id,
        reward_id=r.reward_id,
        reward_title=reward.title if reward else "Reward",
        kind=reward.kind if reward else "",
        value=reward.value if reward else None,
        minimum_order=reward.minimum_order if reward else None,
        points=r.points,
        state=r.state,
        code=r.code,
        discount_id=r.discount_id,
        created_at=r.created_at,
        issued_at=r.issued_at,
        expires_at=r.expires_at,
        used_at=r.used_at,
        points_balance=int(row.points_balance),
    )
