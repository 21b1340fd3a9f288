"""A redemption after its reservation: issued, returned, used, expired.

- :func:`confirm_issued` records the Shopify code once it exists; :func:`return_reservation`
  gives the points back (a ``redeem_return`` entry) when it never will. Both change only a
  ``reserved`` row, in one conditional ``UPDATE``, so whichever comes first wins and the points
  come back at most once (the ledger's unique source key guards it a second time);
- :func:`mark_codes_used` and :func:`expire_codes` follow the code afterwards. An expired code
  keeps its points spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import LedgerKind, Redemption, RedemptionState
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.rewards.redemption_view import RedemptionView, load_view


def change_code(sessions: sessionmaker[Session], redemption_id: int, code: str) -> RedemptionView:
    """Give a still ``reserved`` redemption a new code (Shopify said the old one was taken)."""
    with sessions.begin() as s:
        s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id, Redemption.state == RedemptionState.RESERVED)
            .values(code=code)
        )
        return load_view(s, redemption_id)


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
        return load_view(s, redemption_id), changed is not None


def confirm_value_issued(
    sessions: sessionmaker[Session],
    redemption_id: int,
    shopify_id: str,
    *,
    code: str | None = None,
    last_characters: str | None = None,
    now: datetime | None = None,
) -> tuple[RedemptionView, bool]:
    """Mark a ``reserved`` gift card or store credit ``issued``; (view, changed?).

    A gift card's full ``code`` is kept only until :func:`take_code_once` shows it.
    """
    with sessions.begin() as s:
        changed = s.execute(
            update(Redemption)
            .where(Redemption.id == redemption_id, Redemption.state == RedemptionState.RESERVED)
            .values(
                state=RedemptionState.ISSUED,
                discount_id=shopify_id,
                code=code,
                last_characters=last_characters,
                issued_at=now or utcnow(),
            )
            .returning(Redemption.id)
        ).first()
        return load_view(s, redemption_id), changed is not None


def take_code_once(sessions: sessionmaker[Session], redemption_id: int) -> str | None:
    """A gift card's full code, the first time it is asked for; None ever after.

    The row is locked while the code is read and cleared, so two polls racing for it cannot
    both see it (Klubb keeps only the last characters, DESIGN.md ``vouchers``).
    """
    with sessions.begin() as s:
        code = s.scalar(
            select(Redemption.code).where(Redemption.id == redemption_id).with_for_update()
        )
        if code is not None:
            s.execute(update(Redemption).where(Redemption.id == redemption_id).values(code=None))
        return code


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
        return load_view(s, redemption_id)


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
