"""A voucher's state in Shopify, as the sync moves it (:mod:`loyalty.club.voucher_sync`):
which vouchers are out of line, what a step needs to know (:class:`Target`), and the moves
themselves, each a compare-and-set on the voucher's state with its ledger entries. An order
that carries a voucher's code marks it used here too (:func:`mark_codes_used`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.voucher_standing import record_event
from loyalty.core.models import (
    Member,
    Shop,
    Voucher,
    VoucherEventKind,
    VoucherKind,
    VoucherState,
)
from loyalty.core.types import utcnow


@dataclass(frozen=True)
class Target:
    """A voucher and what the calls for it need, read in one short transaction."""

    id: int
    shop_domain: str
    customer_id: int
    kind: str
    amount: Decimal
    currency: str
    code: str | None
    last_characters: str | None
    qualified: bool
    state: str
    shopify_id: str | None
    in_flight: str | None
    debited: Decimal


def due() -> ColumnElement[bool]:
    """Vouchers whose state in Shopify is not yet what their spend says."""
    return or_(
        and_(Voucher.state == VoucherState.PENDING, Voucher.qualified.is_(True)),
        and_(Voucher.state == VoucherState.ACTIVE, Voucher.qualified.is_(False)),
        and_(Voucher.state == VoucherState.DISABLED, Voucher.qualified.is_(True)),
    )


def due_vouchers(
    sessions: sessionmaker[Session], *, member_id: int | None = None, limit: int = 1000
) -> list[int]:
    """Ids of vouchers to bring in line (one member's, or every shop's)."""
    query = select(Voucher.id).where(due())
    if member_id is not None:
        query = query.where(Voucher.member_id == member_id)
    with sessions() as s:
        return [int(i) for i in s.scalars(query.order_by(Voucher.id).limit(limit))]


def title_of(target: Target) -> str:
    """A voucher code's title in Shopify; its ending is how a found code is known as ours."""
    return f"{target.amount.normalize():f} {target.currency} voucher (Klubb voucher #{target.id})"


def read_target(sessions: sessionmaker[Session], voucher_id: int) -> Target | None:
    with sessions() as s:
        row = s.execute(
            select(Voucher, Member.customer_id, Shop.domain)
            .join(Member, Member.id == Voucher.member_id)
            .join(Shop, Shop.id == Voucher.shop_id)
            .where(Voucher.id == voucher_id)
        ).one_or_none()
        if row is None:
            return None
        v, customer_id, domain = row
        return Target(
            v.id,
            domain,
            int(customer_id),
            v.kind,
            v.amount,
            v.currency,
            v.code,
            v.last_characters,
            v.qualified,
            v.state,
            v.shopify_id,
            v.in_flight,
            v.debited,
        )


def move(
    sessions: sessionmaker[Session],
    target: Target,
    now: datetime,
    events: tuple[str, ...] = (),
    detail: str | None = None,
    **values: Any,
) -> bool:
    """Change the voucher if it is still in ``target.state``; write ``events`` to its ledger."""
    with sessions.begin() as s:
        moved = s.execute(
            update(Voucher)
            .where(Voucher.id == target.id, Voucher.state == target.state)
            .values(changed_at=now, **values)
        ).rowcount  # type: ignore[attr-defined]
        if moved:
            voucher = s.get(Voucher, target.id)
            assert voucher is not None
            for kind in events:
                record_event(s, voucher, kind, voucher.spend, now, detail)
        return bool(moved)


def issued(sessions: sessionmaker[Session], target: Target, shopify_id: str, now: datetime) -> str:
    move(
        sessions,
        target,
        now,
        (VoucherEventKind.ISSUED,),
        state=VoucherState.ACTIVE,
        shopify_id=shopify_id,
        issued_at=now,
    )
    return "issued"


def failed(sessions: sessionmaker[Session], target: Target, now: datetime, codes: list[str]) -> str:
    detail = ",".join(codes)[:200] or None
    move(sessions, target, now, (VoucherEventKind.FAILED,), detail, state=VoucherState.FAILED)
    return "failed"


def used(sessions: sessionmaker[Session], t: Target, now: datetime) -> str:
    events = (VoucherEventKind.USED, VoucherEventKind.KEPT)
    move(sessions, t, now, events, in_flight=None, state=VoucherState.USED)
    return "used"


def mark_in_flight(sessions: sessionmaker[Session], t: Target, in_flight: str) -> Target:
    with sessions.begin() as s:
        s.execute(update(Voucher).where(Voucher.id == t.id).values(in_flight=in_flight))
    return t


def mark_codes_used(
    sessions: sessionmaker[Session],
    shop_id: int,
    codes: Iterable[str],
    *,
    now: datetime | None = None,
) -> int:
    """An order carried these discount codes: the shop's active code vouchers among them are
    ``used`` (their ledger says so); how many."""
    now = now or utcnow()
    marked = 0
    with sessions.begin() as s:
        for voucher in s.scalars(
            select(Voucher)
            .where(
                Voucher.shop_id == shop_id,
                Voucher.kind == VoucherKind.DISCOUNT_CODE,
                Voucher.state == VoucherState.ACTIVE,
                func.upper(Voucher.code).in_([c.upper() for c in codes]),
            )
            .with_for_update()
        ):
            voucher.state, voucher.changed_at = VoucherState.USED, now
            record_event(s, voucher, VoucherEventKind.USED, voucher.spend, now)
            if not voucher.qualified:
                record_event(s, voucher, VoucherEventKind.KEPT, voucher.spend, now)
            marked += 1
    return marked
