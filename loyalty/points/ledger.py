"""The points ledger: posting exactly once, balances, reconciliation, and the daily counters.

The ledger is append-only: a mistake is corrected by another entry, never by an edit. Each entry
has a source key, unique per shop, that names the fact it records (``signup:{customer}``,
``order:{order}:{n}``…), so a retried job or a duplicated webhook cannot post it twice
(invariant 2). The member's ``points_balance`` is a denormalised sum of their entries, moved in
the same transaction as the insert by an ``UPDATE … SET x = x + :p`` (never read-modify-write),
so it always equals that sum (invariant 1); :func:`reconcile` checks that it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import excluded, upsert
from loyalty.core.errors import NotFound
from loyalty.core.models import DailyRollup, LedgerEntry, LedgerKind, Member, Shop
from loyalty.core.types import utcnow
from loyalty.points.reasons import Reason, columns

# Kinds that count as activity for expiry (DESIGN: an earn, a redemption, a manual adjustment).
ACTIVITY_KINDS = frozenset({LedgerKind.EARN, LedgerKind.REDEEM, LedgerKind.ADJUST})
# Kinds whose positive points add to lifetime points.
LIFETIME_KINDS = frozenset({LedgerKind.EARN, LedgerKind.BONUS})
# Which daily counter each kind moves, and with which sign (redeemed and expired count upwards).
# Kinds not named here (earn, refund, cancel, bonus, adjust, import) are points issued.
_ROLLUP_COLUMN: dict[str, tuple[str, int]] = {
    LedgerKind.REDEEM: ("points_redeemed", -1),
    LedgerKind.REDEEM_RETURN: ("points_redeemed", -1),
    LedgerKind.EXPIRE: ("points_expired", -1),
}


@dataclass(frozen=True)
class Drift:
    """A member whose denormalised balance differs from the sum of their ledger entries."""

    shop_id: int
    member_id: int
    balance: int
    ledger_sum: int


def post(
    session: Session,
    *,
    shop_id: int,
    member_id: int,
    points: int,
    kind: str,
    source_key: str,
    reason: Reason,
    actor: str = "system",
    order_id: int | None = None,
    available_at: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """Post an entry once per (shop, source key); True if it was new, False if already there.

    ``reason`` says why (:mod:`loyalty.points.reasons`): its code and parameters are stored,
    and ``reason`` receives the free text or the code's fixed English text.

    Only a new entry moves the member's balance (and lifetime points for positive earn/bonus,
    and last activity for earn/redeem/adjust) and the shop's daily counters, all inside the
    caller's transaction. Raises :class:`NotFound` if the member is not in that shop.
    """
    now = now or utcnow()
    stmt = upsert(session, LedgerEntry).on_conflict_do_nothing(
        index_elements=["shop_id", "source_key"]
    )
    inserted = session.execute(
        stmt.values(
            shop_id=shop_id,
            member_id=member_id,
            points=points,
            kind=str(kind),
            source_key=source_key,
            actor=actor,
            order_id=order_id,
            available_at=available_at,
            created_at=now,
            **columns(reason),
        ).returning(LedgerEntry.id)
    ).scalar_one_or_none()
    if inserted is None:
        return False
    changes: dict[str, Any] = {"points_balance": Member.points_balance + points}
    if kind in LIFETIME_KINDS and points > 0:
        changes["lifetime_points"] = Member.lifetime_points + points
    if kind in ACTIVITY_KINDS:
        changes["last_activity_at"] = now
    # The ORM's default synchronisation also moves a Member already loaded in this session.
    moved = session.execute(
        update(Member).where(Member.id == member_id, Member.shop_id == shop_id).values(**changes)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"member {member_id} is not in shop {shop_id}")
    column, sign = _ROLLUP_COLUMN.get(kind, ("points_issued", 1))
    add_to_rollup(session, shop_id, local_day(session, shop_id, now), **{column: sign * points})
    return True


def balance(session: Session, member_id: int) -> int:
    """The member's balance (the denormalised one, equal to their ledger's sum by invariant 1)."""
    value = session.scalar(select(Member.points_balance).where(Member.id == member_id))
    if value is None:
        raise NotFound(f"no member {member_id}")
    return int(value)


def available_balance(session: Session, member_id: int, now: datetime | None = None) -> int:
    """The balance minus points still in their pending period: what may be spent ``now``."""
    pending = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.points > 0,
            LedgerEntry.available_at > (now or utcnow()),
        )
    )
    return balance(session, member_id) - int(pending or 0)


def reconcile(sessions: sessionmaker[Session], shop_id: int | None = None) -> list[Drift]:
    """Members (of one shop, or all) whose balance is not the sum of their entries (invariant 1)."""
    ledger_sum = (
        select(LedgerEntry.member_id, func.sum(LedgerEntry.points).label("total"))
        .group_by(LedgerEntry.member_id)
        .subquery()
    )
    total = func.coalesce(ledger_sum.c.total, 0)
    query = (
        select(Member.shop_id, Member.id, Member.points_balance, total)
        .outerjoin(ledger_sum, ledger_sum.c.member_id == Member.id)
        .where(Member.points_balance != total)
        .order_by(Member.shop_id, Member.id)
    )
    if shop_id is not None:
        query = query.where(Member.shop_id == shop_id)
    with sessions() as session:
        return [Drift(s, m, int(b), int(t)) for s, m, b, t in session.execute(query)]


def session_shop(session: Session, shop_id: int) -> Shop | None:
    """The shop, loaded once per session: an order's path needs its currency and time zone 3-4
    times. Held in ``session.info``, because the identity map only keeps objects referenced
    elsewhere (an unchanged shop would be loaded again on every look-up)."""
    held: dict[int, Shop] = session.info.setdefault("klubb.shops", {})
    shop = held.get(shop_id)
    if shop is None:
        shop = session.get(Shop, shop_id)
        if shop is not None:
            held[shop_id] = shop
    return shop


def shop_zone(session: Session, shop_id: int) -> ZoneInfo:
    """The shop's time zone (UTC if it is unknown)."""
    shop = session_shop(session, shop_id)
    return zone_of(shop.timezone if shop is not None else None)


def zone_of(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (a shop's), or UTC if it is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(session: Session, shop_id: int, moment: datetime) -> date:
    """The date of ``moment`` in the shop's time zone (UTC if the zone is unknown)."""
    return moment.astimezone(shop_zone(session, shop_id)).date()


def add_to_rollup(session: Session, shop_id: int, day: date, **deltas: Any) -> None:
    """Add ``deltas`` to the shop's figures for ``day`` (one upsert; the row appears on demand).

    Adding is safe under concurrency (``x = x + :d`` in one statement); idempotency is the
    callers' part: they add only for a new ledger entry, or the difference from what an order
    had already contributed (see ``loyalty.points.orders``).
    """
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    table = DailyRollup.__table__
    incoming = excluded(DailyRollup)
    session.execute(
        upsert(session, DailyRollup)
        .values(shop_id=shop_id, day=day, **deltas)
        .on_conflict_do_update(
            index_elements=["shop_id", "day"],
            set_={k: table.c[k] + incoming.c[k] for k in deltas},
        )
    )
