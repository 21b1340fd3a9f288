"""Members' tiers kept current, the tier each order earns in, and entry bonuses.

Everything is a function of the member's facts (:mod:`loyalty.club.tier_facts`,
:mod:`loyalty.club.tier_progress`) and the time:

- **An order's tier** (:func:`prepare_order`, called by ``loyalty.points.orders.settle`` before
  the order's points are computed) is the tier the member held when the order was placed,
  made of their facts strictly before it, among the tiers that existed then (a merchant's
  grant counts from when it was given). Its multiplier is stored on the order record with the
  tier; while later settlements find the same tier the stored multiplier stays, so a
  merchant's later edit of the multiplier is not retroactive (as with ``earn_rate``). An
  order placed before others that are already settled changes what they were placed in: the
  settlement lists them (:func:`later_orders`) and ``orders`` settles them again, in time order.
- **A member's tier now** (:meth:`Standing.refresh`): the highest tier qualified for during the
  grace period ending now, or the merchant's grant if higher, stored on ``member_tiers`` with
  the progress; a move is written to ``tier_changes``.
- **Entry bonuses**: a tier's bonus is owed once the member has reached the tier at some moment
  since the tier was created, and taken back if refunds or cancellations undo that (a later
  reaching gives it again). Posted as the difference, under ``tier-bonus:{tier}:{member}:{n}``.

Serialised per member: the member's row is locked (``SELECT … FOR UPDATE``) before their facts
are read. Every path locks an order record first (if any) and then the member, never the
other way round, and never two order records at once, so no two paths wait on each other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.club.tier_facts import (
    BONUS_CODES,
    Ladder,
    Rung,
    load_ladder,
    order_time,
    read_facts,
    record_contribution,
)
from loyalty.club.tier_progress import NO_TIER, Contribution, Series, ever_level, held_level
from loyalty.core.models import (
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    MemberTier,
    OrderRecord,
    TierChange,
)
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.points.reasons import ReasonCode

LATER_KEY = "klubb.tier_later_orders"


@dataclass
class Outcome:
    """What a refresh changed: the tier (old and new ids) and the bonus points posted."""

    before: int | None
    after: int | None
    bonus_points: int = 0

    @property
    def moved(self) -> bool:
        return self.before != self.after


@dataclass
class Standing:
    """One member's facts, read under their lock, for an order's tier and their own."""

    ladder: Ladder
    member_id: int
    status: str
    row: MemberTier | None
    others: list[Contribution] = field(default_factory=list)
    later: list[int] = field(default_factory=list)

    def granted(self, moment: datetime) -> Rung | None:
        """The merchant's grant, if it stands at ``moment``."""
        row = self.row
        if row is None or row.granted_tier_id is None:
            return None
        if row.granted_at is not None and moment < row.granted_at:
            return None
        if row.granted_until is not None and moment > row.granted_until:
            return None
        return self.ladder.rung(row.granted_tier_id)

    def tier_at(self, moment: datetime, facts: list[Contribution]) -> Rung | None:
        """The tier held at ``moment`` made of ``facts``, among the tiers existing then."""
        rungs = self.ladder.existing_at(moment)
        series = self.ladder.series(facts)
        level = held_level(series, [r.threshold for r in rungs], moment, self.ladder.grace)
        found = rungs[level] if level != NO_TIER else None
        grant = self.granted(moment)
        if grant is not None and (found is None or grant.level > found.level):
            return grant
        return found

    def refresh(
        self, session: Session, now: datetime, cause: str, record: OrderRecord | None = None
    ) -> Outcome:
        """Store the member's tier and progress now; settle entry bonuses."""
        facts = list(self.others)
        if record is not None and (own := record_contribution(self.ladder.basis, record)):
            facts.append(own)
        tier = self.tier_at(now, facts)
        series = self.ladder.series(facts)
        outcome = self._save(session, tier, series.progress_at(now), now, cause)
        outcome.bonus_points = self._settle_bonuses(session, series, now)
        return outcome

    def _save(
        self, session: Session, tier: Rung | None, progress: Decimal, now: datetime, cause: str
    ) -> Outcome:
        row = self.row
        before = row.tier_id if row is not None else None
        after = tier.id if tier is not None else None
        if row is None:
            row = MemberTier(
                member_id=self.member_id,
                shop_id=self.ladder.shop_id,
                tier_id=after,
                since=now if after is not None else None,
                progress=progress,
                computed_at=now,
            )
            session.add(row)
            self.row = row
        if before != after or row.progress != progress:
            row.tier_id = after
            row.progress = progress
            row.computed_at = now
            if before != after:
                row.since = now if after is not None else None
                previous = self.ladder.rung(before)
                session.add(
                    TierChange(
                        shop_id=self.ladder.shop_id,
                        member_id=self.member_id,
                        from_tier_id=before,
                        from_name=previous.name if previous else None,
                        to_tier_id=after,
                        to_name=tier.name if tier else None,
                        cause=cause,
                        created_at=now,
                    )
                )
        return Outcome(before, after)

    def _settle_bonuses(self, session: Session, series: Series, now: datetime) -> int:
        rungs = self.ladder.rungs
        if not any(r.entry_bonus for r in rungs):
            return 0
        held: dict[int, list[int]] = defaultdict(list)
        for key, points in session.execute(
            select(LedgerEntry.source_key, LedgerEntry.points).where(
                LedgerEntry.member_id == self.member_id, LedgerEntry.reason_code.in_(BONUS_CODES)
            )
        ):
            held[int(key.split(":")[1])].append(int(points))
        thresholds = [r.threshold for r in rungs]
        posted = 0
        for rung in rungs:
            if not rung.entry_bonus and not held[rung.id]:
                continue
            entries = held[rung.id]
            has = sum(entries)
            reached = ever_level(series, thresholds, rung.created_at, now) >= rung.level
            owed = (has or rung.entry_bonus) if reached else 0
            if owed > has and self.status != MemberStatus.ACTIVE:
                continue  # no new bonus while the member is restricted
            delta = owed - has
            if not delta:
                continue
            code = ReasonCode.TIER_BONUS if delta > 0 else ReasonCode.TIER_BONUS_REVERSED
            if post(
                session,
                shop_id=self.ladder.shop_id,
                member_id=self.member_id,
                points=delta,
                kind=LedgerKind.BONUS,
                source_key=f"tier-bonus:{rung.id}:{self.member_id}:{len(entries)}",
                reason=reasons.tier(code, rung.id, rung.name),
                now=now,
            ):
                posted += delta
        return posted


def _standing(session: Session, ladder: Ladder, member_id: int) -> Standing | None:
    """Lock the member and read their standing (None: no such member in the shop)."""
    found = session.execute(
        select(Member.status, MemberTier)
        .outerjoin(MemberTier, MemberTier.member_id == Member.id)
        .where(Member.id == member_id, Member.shop_id == ladder.shop_id)
        .with_for_update(of=Member)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if found is None:
        return None
    status, row = found
    if row is None:  # one added earlier in this transaction (the order that enrolled them)
        row = next(
            (o for o in session.new if isinstance(o, MemberTier) and o.member_id == member_id),
            None,
        )
    return Standing(ladder, member_id, status, row)


def prepare_order(session: Session, record: OrderRecord) -> Standing | None:
    """Before a paid member order's points are computed: lock the member, read their facts,
    and put on the record the tier it was placed in (None when there is nothing to do)."""
    if record.member_id is None or not record.paid:
        return None
    ladder = load_ladder(session, record.shop_id)
    if ladder is None:
        record.tier_id = record.tier_name = record.tier_multiplier = None
        return None
    standing = _standing(session, ladder, record.member_id)
    if standing is None:
        return None
    standing.others, standing.later = read_facts(session, ladder, standing.member_id, record)
    mine = (order_time(record), 1, record.order_id)
    tier = standing.tier_at(order_time(record), [c for c in standing.others if c.key < mine])
    if tier is None:
        record.tier_id = record.tier_name = record.tier_multiplier = None
    elif record.tier_id != tier.id or record.tier_multiplier is None:
        record.tier_id, record.tier_name = tier.id, tier.name
        record.tier_multiplier = tier.multiplier
    if standing.later:
        session.info[LATER_KEY] = standing.later
    return standing


def later_orders(session: Session) -> list[int]:
    """The orders placed after the one just settled in ``session``, in time order: what they
    earn depends on it, so they are settled again (``loyalty.points.orders``)."""
    found: list[int] = session.info.pop(LATER_KEY, [])
    return found


def refresh_member(
    session: Session, shop_id: int, member_id: int, now: datetime, cause: str
) -> Outcome | None:
    """Recompute one member's tier and bonuses in the caller's transaction (None: no tiers)."""
    ladder = load_ladder(session, shop_id)
    if ladder is None:
        return None
    standing = _standing(session, ladder, member_id)
    if standing is None:
        return None
    standing.others, _ = read_facts(session, ladder, member_id)
    return standing.refresh(session, now, cause)
