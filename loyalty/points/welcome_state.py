"""A member's welcome code as Klubb records it: issued, used, expired; and how it is shown.

The welcome job (:mod:`loyalty.points.welcome`) records a code once it exists in Shopify
(:func:`record_issued`); an order that carries it marks it used (:func:`record_used`). Either
may come first, and either may come twice: each fills in only what it knows on the member's one
row (``welcome_codes``, locked while it is changed), so the final row depends only on the
final facts. The state is read from the row, never stored:

- ``used`` once an order carried the code. Shopify does not give the use back when the order is
  cancelled or refunded (the code's usage count stays, and a one-use code cannot be used
  again), so neither does Klubb. Two orders carrying the code (Shopify allows only one) keep
  the earliest.
- ``expired`` once its end (``ends_at``, the ``endsAt`` it has in Shopify) has passed unused.
- ``issued`` otherwise.

The code is ``WELCOME-`` and 12 characters of an HMAC of the shop and the customer (the key is
the customer-hash key), so it is known before any row exists: an order is matched against the
code under every accepted key as well as the one recorded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.models import Member, MemberStatus, WelcomeCode, WelcomeState
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings

CODE_PREFIX = "WELCOME-"


def welcome_code(key: bytes, shop_id: int, customer_id: int) -> str:
    """The member's welcome code: ``WELCOME-`` and 12 characters of an HMAC (deterministic)."""
    digest = hmac.new(key, f"welcome:{shop_id}:{customer_id}".encode(), hashlib.sha256)
    return CODE_PREFIX + digest.hexdigest()[:12].upper()


def state_of(row: WelcomeCode, now: datetime) -> WelcomeState:
    """What became of the code: used wins, then a passed end date, else issued."""
    if row.used_at is not None:
        return WelcomeState.USED
    if row.ends_at is not None and row.ends_at <= now:
        return WelcomeState.EXPIRED
    return WelcomeState.ISSUED


def welcome_json(row: WelcomeCode | None, now: datetime | None = None) -> dict[str, Any] | None:
    """The member JSON's ``welcome_code``: null until Klubb knows the member's code."""
    if row is None or row.code is None:
        return None
    return {
        "code": row.code,
        "percentage": row.percentage,
        "state": state_of(row, now or utcnow()).value,
        "issued_at": _iso(row.issued_at),
        "ends_at": _iso(row.ends_at),
        "used_at": _iso(row.used_at),
        "order_id": None if row.order_id is None else str(row.order_id),
    }


def welcome_of(s: Session, member: Member, now: datetime | None = None) -> dict[str, Any] | None:
    """The member's ``welcome_code`` (:func:`welcome_json`) in the caller's session; null for
    an anonymised member, whose code is no longer theirs to see."""
    if member.status == MemberStatus.ANONYMISED:
        return None
    row = s.scalars(select(WelcomeCode).where(WelcomeCode.member_id == member.id)).one_or_none()
    return welcome_json(row, now)


def record_issued(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int,
    *,
    code: str,
    percentage: int,
    issued_at: datetime,
    ends_at: datetime | None,
    discount_id: str | None,
    used: bool = False,
) -> None:
    """The code exists in Shopify (just made, or found there): record it with its terms.

    ``issued_at`` is kept from a first record; ``used`` (Shopify counted a use) marks it used
    now if no order did yet. A use already recorded stays.
    """
    with sessions.begin() as s:
        row = _locked_row(s, shop_id, member_id)
        row.code = code
        row.percentage = percentage
        row.discount_id = discount_id or row.discount_id
        row.issued_at = row.issued_at or issued_at
        row.ends_at = ends_at
        if used and row.used_at is None:
            row.used_at = utcnow()


def record_used(
    sessions: sessionmaker[Session],
    shop_id: int,
    *,
    member_id: int | None,
    customer_id: int | None,
    order_id: int,
    discount_codes: Iterable[str],
    keys: Sequence[bytes],
    used_at: datetime,
) -> bool:
    """An order of the member carried these codes: if one is their welcome code, mark it used.

    Whether it was theirs. Orders without a ``WELCOME-`` code cost no query. The earliest order
    carrying the code is kept, so deliveries in any order, or twice, give the same row.
    """
    offered = {c for c in discount_codes if c.startswith(CODE_PREFIX)}
    if not offered or member_id is None:
        return False
    candidates = {welcome_code(k, shop_id, customer_id) for k in keys} if customer_id else set()
    with sessions.begin() as s:
        held = s.scalar(select(WelcomeCode.code).where(WelcomeCode.member_id == member_id))
        matched = sorted(offered & (candidates | ({held} if held else set())))
        if not matched:
            return False
        row = _locked_row(s, shop_id, member_id)
        row.code = row.code or matched[0]
        if row.percentage is None:  # the welcome job will record the code's own terms
            row.percentage = min(program_settings(s, shop_id).welcome_discount_percent, 100)
        if row.used_at is None or used_at < row.used_at:
            row.used_at, row.order_id = used_at, order_id
        return True


def forget(s: Session, member_id: int) -> None:
    """Drop what Klubb holds about the member's welcome code (erasure, leaving the club).

    The code is derived from the customer's id and was theirs alone: an anonymised member
    keeps no trace of it. The discount itself stays in Shopify, tied to that customer.
    """
    s.execute(delete(WelcomeCode).where(WelcomeCode.member_id == member_id))


def _locked_row(s: Session, shop_id: int, member_id: int) -> WelcomeCode:
    """The member's row, created empty if missing, locked for this transaction."""
    s.execute(
        upsert(s, WelcomeCode)
        .on_conflict_do_nothing(index_elements=["member_id"])
        .values(shop_id=shop_id, member_id=member_id, created_at=utcnow())
    )
    return s.scalars(
        select(WelcomeCode)
        .where(WelcomeCode.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
