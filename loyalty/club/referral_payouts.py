"""Paying referrers: a scheduled, idempotent settlement that depends only on the final facts.

A referral is owed its ``points`` once the friend's first order (the earliest non-test order of
the friend's customer, by order time then id) is paid, not cancelled, and not refunded before
its waiting period ended (``referral_wait_days`` after the order was placed; a refund's own time
decides, so a refund told late still counts), and that period is over. At most
``referral_monthly_cap`` referrals of one referrer are paid per calendar month (UTC) of those
orders, the earliest first. A cancellation has no time in Klubb's records, so one that comes
after the payout takes it back.

:func:`settle_referrer` computes what each of a referrer's referrals is owed now and posts the
difference from what the ledger holds for it (``referral:{id}:{n}`` source keys, kind
``bonus``), under a lock on the referrer: however often it runs, in whatever order the
webhooks came, the outcome is the same. A referrer who is not active gets no new reward but
keeps what was paid. :func:`settle_referrals` (the hourly job) settles each referrer with a
referral still open (no order yet, or in its waiting period) or whose order changed since.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    OrderRecord,
    OrderRefund,
    Referral,
    ReferralOutcome,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.points.reasons import ReasonCode

CODES = (ReasonCode.REFERRAL, ReasonCode.REFERRAL_REVERSED)
OPEN = (ReferralOutcome.SIGNED_UP, ReferralOutcome.ORDERED)
OPEN_FOR = timedelta(days=365)
"""A referral without an order a year after sign-up is no longer looked at."""
BATCH = 500


@dataclass(frozen=True)
class Facts:
    """A referral's first order as Klubb knows it now."""

    order_id: int
    ordered_at: datetime
    paid: bool
    cancelled: bool
    refunded_in_time: bool


def first_order(s: Session, referral: Referral, wait: timedelta) -> Facts | None:
    """The friend's first non-test order and whether a refund came within the wait."""
    if referral.friend_customer_id is None:
        return None
    record = s.scalars(
        select(OrderRecord)
        .where(
            OrderRecord.shop_id == referral.shop_id,
            OrderRecord.customer_id == referral.friend_customer_id,
            OrderRecord.test.is_(False),
        )
        .order_by(OrderRecord.ordered_at.asc().nulls_last(), OrderRecord.order_id)
        .limit(1)
    ).first()
    if record is None:
        return None
    ordered_at = record.ordered_at or record.created_at
    refunded = s.scalar(
        select(
            exists().where(
                OrderRefund.shop_id == referral.shop_id,
                OrderRefund.order_id == record.order_id,
                OrderRefund.refunded_at.is_(None) | (OrderRefund.refunded_at < ordered_at + wait),
            )
        )
    )
    return Facts(record.order_id, ordered_at, record.paid, record.cancelled, bool(refunded))


def outcome_of(facts: Facts | None, wait: timedelta, now: datetime) -> ReferralOutcome:
    """What the facts make of a referral before the monthly cap."""
    if facts is None:
        return ReferralOutcome.SIGNED_UP
    if facts.cancelled or facts.refunded_in_time:
        return ReferralOutcome.NOT_ELIGIBLE
    if facts.paid and now >= facts.ordered_at + wait:
        return ReferralOutcome.REWARDED
    return ReferralOutcome.ORDERED


@dataclass
class Settled:
    """One settlement: the points posted per referrer (members to sync) and referrals seen."""

    members_paid: list[int] = field(default_factory=list)
    referrals: int = 0


def settle_referrer(s: Session, shop_id: int, member_id: int, now: datetime) -> int:
    """Settle every referral of one referrer (locked) in the caller's transaction; the points
    posted (signed)."""
    member = s.scalars(
        select(Member).where(Member.id == member_id, Member.shop_id == shop_id).with_for_update()
    ).one_or_none()
    if member is None:
        return 0
    settings = program_settings(s, shop_id)
    wait = timedelta(days=settings.referral_wait_days)
    # A friend erased (loyalty.club.referral_privacy) leaves their referral as it was settled.
    referrals = list(
        s.scalars(
            select(Referral)
            .where(
                Referral.shop_id == shop_id,
                Referral.referrer_id == member_id,
                Referral.friend_customer_id.is_not(None),
            )
            .order_by(Referral.id)
        )
    )
    facts = {r.id: first_order(s, r, wait) for r in referrals}
    outcomes = {r.id: outcome_of(facts[r.id], wait, now) for r in referrals}
    _apply_cap(referrals, facts, outcomes, settings.referral_monthly_cap)
    held: dict[int, list[int]] = defaultdict(list)
    for key, points in s.execute(
        select(LedgerEntry.source_key, LedgerEntry.points).where(
            LedgerEntry.shop_id == shop_id,
            LedgerEntry.member_id == member_id,
            LedgerEntry.reason_code.in_(CODES),
        )
    ):
        held[int(key.split(":")[1])].append(int(points))
    posted = 0
    for referral in referrals:
        fact = facts[referral.id]
        has = sum(held[referral.id])
        owed = referral.points if outcomes[referral.id] == ReferralOutcome.REWARDED else 0
        if owed > has and member.status != MemberStatus.ACTIVE:
            owed = has  # no new reward while restricted or anonymised
        delta = owed - has
        if delta and fact is not None:
            code = ReasonCode.REFERRAL if delta > 0 else ReasonCode.REFERRAL_REVERSED
            if post(
                s,
                shop_id=shop_id,
                member_id=member_id,
                points=delta,
                kind=LedgerKind.BONUS,
                source_key=f"referral:{referral.id}:{len(held[referral.id])}",
                reason=reasons.referral(code, referral.id, fact.order_id),
                now=now,
            ):
                posted += delta
        referral.outcome = outcomes[referral.id]
        referral.order_id = fact.order_id if fact is not None else None
        referral.rewarded_points = owed
        referral.settled_at = now
    return posted


def _apply_cap(
    referrals: list[Referral],
    facts: dict[int, Facts | None],
    outcomes: dict[int, ReferralOutcome],
    cap: int,
) -> None:
    """Beyond ``cap`` rewarded referrals in a calendar month of their orders, the later ones
    (by order time, order id, referral id) are capped."""
    months: dict[str, int] = defaultdict(int)
    rewarded = [r for r in referrals if outcomes[r.id] == ReferralOutcome.REWARDED]

    def when(r: Referral) -> tuple[datetime, int, int]:
        fact = facts[r.id]
        assert fact is not None
        return fact.ordered_at, fact.order_id, r.id

    for referral in sorted(rewarded, key=when):
        month = when(referral)[0].strftime("%Y-%m")
        months[month] += 1
        if months[month] > cap:
            outcomes[referral.id] = ReferralOutcome.CAPPED


def due_referrers(s: Session, now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """(shop id, referrer id) of referrers with a referral still open, or whose first order
    changed (or was refunded) since it was last settled."""
    changed = exists().where(
        OrderRecord.shop_id == Referral.shop_id,
        OrderRecord.order_id == Referral.order_id,
        OrderRecord.updated_at > Referral.settled_at,
    )
    refunded = exists().where(
        OrderRefund.shop_id == Referral.shop_id,
        OrderRefund.order_id == Referral.order_id,
        OrderRefund.created_at > Referral.settled_at,
    )
    rows = s.execute(
        select(Referral.shop_id, Referral.referrer_id)
        .where(
            Referral.friend_customer_id.is_not(None),
            or_(
                Referral.settled_at.is_(None),
                Referral.outcome.in_(OPEN) & (Referral.created_at > now - OPEN_FOR),
                changed,
                refunded,
            ),
        )
        .group_by(Referral.shop_id, Referral.referrer_id)
        .order_by(func.min(Referral.settled_at).asc().nulls_first(), Referral.referrer_id)
        .limit(limit)
    )
    return [(int(shop_id), int(member_id)) for shop_id, member_id in rows]


def settle_referrals(sessions: sessionmaker[Session], now: datetime | None = None) -> Settled:
    """Settle every due referrer, each in its own transaction (the hourly job)."""
    now = now or utcnow()
    run = Settled()
    with sessions() as s:
        due = due_referrers(s, now)
    for shop_id, member_id in due:
        with sessions.begin() as s:
            if settle_referrer(s, shop_id, member_id, now):
                run.members_paid.append(member_id)
        run.referrals += 1
    return run
