"""Leaving the club (erasure, Art. 17), and the anonymisation it shares with retention.

:func:`retire_member` anonymises a member as ``customers/redact`` does (invariant 8):
:func:`loyalty.members.enrolment.anonymise` blanks the personal fields, the ledger's free text
becomes NULL (reason codes stay), audit details about them are dropped, their orders lose the
customer id, earlier exports are deleted. Then the remaining positive balance is forfeited (an
``expire`` entry, so the balance still equals the ledger's sum) and the member row is
**detached** from the customer: its ``customer_id`` becomes ``-member.id``.

Detaching (decision): after ``customers/redact`` Shopify has deleted the customer, so the id
names no one and redaction keeps it on the row. A member who leaves, or is anonymised after
years of inactivity, is still a Shopify customer: an id kept on the row would tie the
"anonymous" history back to them (pseudonymous, not anonymous), and joining again would find
the old, anonymised row instead of starting afresh. The row keeps the amounts and dates for
the shop's liability and analytics, linked to nobody.

:func:`leave` adds what is particular to leaving: a ``left`` tombstone, so automatic enrolment
does not sign them up again until they join themselves (``members.join`` lifts it); a
``member_leave`` request recording it, whose ``export_json`` lists the unused reward codes to
delete in Shopify in the same shape ``customers/redact`` uses (``{"format", "discount_ids"}``);
and the erasure of raw webhook bodies about them (:mod:`loyalty.privacy.webhook_bodies`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    LedgerKind,
    Member,
    OrderRecord,
    PrivacyRequest,
    PrivacyRequestKind,
    Tombstone,
    TombstoneReason,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import customer_hashes
from loyalty.points import reasons
from loyalty.points.ledger import post
from loyalty.privacy import audit
from loyalty.privacy.compliance import due_at, lock_shop
from loyalty.privacy.redact import drop_exports, scrub_member
from loyalty.privacy.self_service import find_member
from loyalty.privacy.webhook_bodies import erase_bodies_mentioning

LEAVE_FORMAT = "klubb.member-leave/1"
FORFEIT_ON_LEAVING = reasons.LEFT_CLUB


@dataclass(frozen=True)
class Retirement:
    """What :func:`retire_member` did. ``texts`` (email, phone) only find raw bodies: never log."""

    member_id: int
    customer_id: int
    points_forfeited: int
    discount_ids: tuple[str, ...]
    order_ids: frozenset[int]
    texts: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class Departure:
    """What leaving did (ids and counts only: safe to log and to answer)."""

    request_id: int
    member_id: int
    points_forfeited: int
    bodies_erased: int
    discount_ids: tuple[str, ...]


def retire_member(
    s: Session,
    member: Member,
    hashes: Sequence[str],
    *,
    now: datetime,
    forfeit_reason: reasons.Reason,
) -> Retirement:
    """Anonymise, forfeit and detach a (locked) member inside the caller's transaction."""
    shop_id, customer_id = member.shop_id, member.customer_id
    texts = tuple(t for t in (member.email, member.phone) if t)
    order_ids = frozenset(
        s.scalars(
            select(OrderRecord.order_id).where(
                OrderRecord.shop_id == shop_id,
                or_(OrderRecord.member_id == member.id, OrderRecord.customer_id == customer_id),
            )
        )
    )
    discount_ids = scrub_member(s, member)
    if order_ids:
        s.execute(
            update(OrderRecord)
            .where(OrderRecord.shop_id == shop_id, OrderRecord.order_id.in_(order_ids))
            .values(customer_id=None)
        )
    drop_exports(s, shop_id, member.id, hashes, now)
    s.flush()
    balance = int(s.scalar(select(Member.points_balance).where(Member.id == member.id)) or 0)
    forfeited = max(balance, 0)
    if forfeited:
        post(
            s,
            shop_id=shop_id,
            member_id=member.id,
            points=-forfeited,
            kind=LedgerKind.EXPIRE,
            source_key=f"forfeit:{member.id}",
            reason=forfeit_reason,
            now=now,
        )
    member.customer_id = -member.id
    s.flush()
    s.refresh(member)
    return Retirement(member.id, customer_id, forfeited, discount_ids, order_ids, texts)


def leave(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    shop_id: int,
    shop_domain: str,
    customer_id: int,
    *,
    now: datetime | None = None,
) -> Departure:
    """The member leaves: anonymised, points forfeited, tombstoned ``left``, bodies erased.

    The caller has checked the confirmation. Raises NotAMember for anyone not (or no longer) a
    member, so a second call answers 404 and changes nothing.
    """
    now = now or utcnow()
    hashes = customer_hashes(hash_keys, shop_id, customer_id)
    with sessions.begin() as s:
        lock_shop(s, shop_id)  # one privacy operation per shop at a time, as the webhooks do
        member = find_member(s, shop_id, customer_id, lock=True)
        retired = retire_member(s, member, hashes, now=now, forfeit_reason=FORFEIT_ON_LEAVING)
        _tombstone_left(s, shop_id, hashes)
        request = departure_request(
            s, PrivacyRequestKind.MEMBER_LEAVE, shop_id, retired, hashes, now=now
        )
        audit.record(
            s,
            shop_id,
            audit.ActorType.MEMBER,
            None,  # the customer id would tie the anonymous row back to them
            "member.left",
            member.id,
            f"points_forfeited={retired.points_forfeited}",
        )
        s.flush()
        request_id = request.id
    erased = erase_bodies_mentioning(
        sessions, shop_domain, customer_id, retired.order_ids, retired.texts
    )
    with sessions.begin() as s:
        s.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(completed_at=utcnow())
        )
    return Departure(
        request_id, retired.member_id, retired.points_forfeited, erased, retired.discount_ids
    )


def departure_request(
    s: Session,
    kind: PrivacyRequestKind,
    shop_id: int,
    retired: Retirement,
    hashes: Sequence[str],
    *,
    now: datetime,
    completed: bool = False,
) -> PrivacyRequest:
    """The record of a membership that ended (``member_leave``, ``member_inactive``), added.

    It keeps the customer's id until the cleanup job has removed what Klubb wrote on the
    customer in Shopify, and the unused reward codes that job deletes
    (``jobs.shopify_sync.clean_up_departure``; the push sweeper queues it again while the
    id is there), so that cleanup survives Redis being down or a worker dying.
    """
    request = PrivacyRequest(
        shop_id=shop_id,
        kind=kind,
        member_id=retired.member_id,
        customer_hash=hashes[0],
        received_at=now,
        due_at=due_at(now),
        completed_at=now if completed else None,
        export_json=json.dumps(
            {"format": LEAVE_FORMAT, "discount_ids": list(retired.discount_ids)}
        ),
        shopify_cleanup_customer_id=retired.customer_id,
    )
    s.add(request)
    return request


def _tombstone_left(s: Session, shop_id: int, hashes: Sequence[str]) -> None:
    """A ``left`` tombstone, unless one exists (a ``redacted`` one is stronger: it stays)."""
    exists = s.scalar(
        select(Tombstone.id).where(
            Tombstone.shop_id == shop_id, Tombstone.customer_hash.in_(hashes)
        )
    )
    if exists is None:
        s.add(Tombstone(shop_id=shop_id, customer_hash=hashes[0], reason=TombstoneReason.LEFT))
