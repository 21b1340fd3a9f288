"""``customers/redact``: the customer's personal data goes, amounts and dates stay (invariant 8).

In one transaction (the shop's row locked, so duplicate deliveries run one after the other):
the member's personal fields are blanked and their status becomes ``anonymised``
(:func:`loyalty.members.enrolment.anonymise`, the same as ``customers/delete``); the ledger's
free text (a staff adjustment's reason, a ``legacy`` entry's text) becomes NULL while every
entry keeps its reason code and parameters (:mod:`loyalty.points.reasons`: ids and Klubb's own
fixed words, nothing about the person); audit details about them are dropped; the exports of
earlier privacy requests are deleted; their orders lose the customer id but keep the member
link, so member-versus-guest analytics stay right while the member is anonymous; a ``redacted``
tombstone stops late webhooks from writing anything about them again.

The member row keeps its Shopify customer id, as ``customers/delete`` does: late webhooks and the
admin API then find an ``anonymised`` member, and the id names no one once Shopify has redacted
the customer on its side.

Then, in batches of short transactions, the raw body of every webhook event of the shop that
mentions the customer (their id, email or phone, or one of their orders) is set to NULL
(:mod:`loyalty.privacy.webhook_bodies`).
Shopify discount codes of unused redemptions cannot be deleted here (that needs the Admin API):
their ids are listed on the request's record for the job that will. The record of the member's
welcome code is deleted (:func:`loyalty.points.welcome_state.forget`), and the codes of the
member's spend vouchers (:func:`loyalty.club.voucher_privacy.forget_vouchers`); the discounts
and gift cards themselves are left in Shopify, where only the customer Shopify erases could use
them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.send_log import erase_recipients
from loyalty.club.referral_codes import email_key
from loyalty.club.referral_privacy import forget_referrals
from loyalty.club.stamp_view import unused_reward_discounts
from loyalty.club.voucher_privacy import forget_vouchers
from loyalty.core.models import (
    AuditLog,
    LedgerEntry,
    Member,
    MemberStatus,
    OrderRecord,
    PrivacyRequest,
    PrivacyRequestKind,
    Redemption,
    RedemptionState,
    Tombstone,
    TombstoneReason,
)
from loyalty.core.types import utcnow
from loyalty.imports.privacy import forget_customer
from loyalty.members.enrolment import anonymise, customer_hashes
from loyalty.points import reasons, welcome_state
from loyalty.privacy import audit
from loyalty.privacy.compliance import CustomerRequest, due_at, lock_shop
from loyalty.privacy.webhook_bodies import erase_bodies_mentioning

RECORD_FORMAT = "klubb.customer-redaction/1"
UNUSED_CODE_STATES = (RedemptionState.RESERVED, RedemptionState.ISSUED)
# Requests whose export_json is a record (pending code deletions), not a copy of personal data.
RECORD_KINDS = (
    PrivacyRequestKind.CUSTOMER_REDACT,
    PrivacyRequestKind.MEMBER_LEAVE,
    PrivacyRequestKind.MEMBER_INACTIVE,
)


@dataclass(frozen=True)
class Redaction:
    """What one redaction did (ids and counts only: safe to log)."""

    request_id: int
    member_id: int | None
    bodies_erased: int
    discount_ids: tuple[str, ...]


def redact_customer(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    shop_id: int,
    shop_domain: str,
    request: CustomerRequest,
    *,
    received_at: datetime,
    skip_event_id: int | None = None,
) -> Redaction | None:
    """Anonymise one customer of one shop; None when the shop itself is gone.

    Idempotent: run again (a duplicate, a retry) it changes nothing more and keeps one
    ``customer_redact`` request per customer. A customer Klubb never saw still gets the
    tombstone and a completed request. ``skip_event_id`` (the redact's own event) is left for
    the caller to erase last.
    """
    hashes = customer_hashes(hash_keys, shop_id, request.customer_id)
    with sessions.begin() as s:
        if lock_shop(s, shop_id) is None:
            return None
        member = s.scalars(
            select(Member)
            .where(Member.shop_id == shop_id, Member.customer_id == request.customer_id)
            .with_for_update()
        ).one_or_none()
        order_ids = set(request.order_ids) | _linked_orders(s, shop_id, request, member)
        # Imported files quote emails: forget the customer's, by id and by either address.
        forget_customer(s, shop_id, request.customer_id, request.email)
        if member is not None and member.email and member.email != request.email:
            forget_customer(s, shop_id, request.customer_id, member.email)
        discount_ids: list[str] = []
        if member is not None:
            discount_ids = _anonymise_member(s, member)
        else:  # a referred friend who never became a member
            forget_referrals(
                s,
                shop_id,
                request.customer_id,
                None,
                email_key(request.email) if request.email else None,
            )
        drop_exports(s, shop_id, member.id if member else None, hashes, utcnow())
        s.execute(
            update(OrderRecord)
            .where(OrderRecord.shop_id == shop_id, OrderRecord.order_id.in_(order_ids))
            .values(customer_id=None)
        )
        _tombstone(s, shop_id, hashes)
        record = _record(s, shop_id, member, hashes, received_at, discount_ids)
        s.flush()
        request_id, member_id = record.id, member.id if member else None
        all_discount_ids = tuple(json.loads(record.export_json or "{}").get("discount_ids", []))
    texts = [t for t in (request.email, request.phone) if t]
    erased = erase_bodies_mentioning(
        sessions, shop_domain, request.customer_id, order_ids, texts, skip_event_id
    )
    with sessions.begin() as s:
        s.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id, PrivacyRequest.completed_at.is_(None))
            .values(completed_at=utcnow())
        )
    return Redaction(request_id, member_id, erased, all_discount_ids)


def _linked_orders(
    s: Session, shop_id: int, request: CustomerRequest, member: Member | None
) -> set[int]:
    links: list[ColumnElement[bool]] = [OrderRecord.customer_id == request.customer_id]
    if member is not None:
        links.append(OrderRecord.member_id == member.id)
    return set(
        s.scalars(select(OrderRecord.order_id).where(OrderRecord.shop_id == shop_id, or_(*links)))
    )


def _anonymise_member(s: Session, member: Member) -> list[str]:
    """Blank the member and their free text; return the discount ids of their unused codes."""
    if member.status != MemberStatus.ANONYMISED:
        audit.record(
            s, member.shop_id, audit.ActorType.SYSTEM, None, "privacy.customer_redacted", member.id
        )
    return list(scrub_member(s, member))


def scrub_member(s: Session, member: Member) -> tuple[str, ...]:
    """Anonymise the member with their free text (ledger reasons, audit details, their own ids
    as actor), the numbers and addresses their messages went to, the record of their welcome
    code and the friends' emails on their referrals, in the caller's transaction; the discount
    ids of their unused reward codes, which are still to be deleted in Shopify (stamp cards'
    reward codes too). Shared by ``customers/redact`` and leaving the club.
    """
    discount_ids = tuple(
        sorted(
            d
            for d in s.scalars(
                select(Redemption.discount_id).where(
                    Redemption.member_id == member.id,
                    Redemption.state.in_(UNUSED_CODE_STATES),
                    Redemption.discount_id.is_not(None),
                )
            )
            if d
        )
    ) + tuple(sorted(unused_reward_discounts(s, member.id)))
    forget_referrals(
        s,
        member.shop_id,
        member.customer_id,
        member.id,
        email_key(member.email) if member.email else None,
    )
    anonymise(member)
    erase_recipients(s, member.id)
    welcome_state.forget(s, member.id)
    forget_vouchers(s, member.id)
    s.execute(
        update(LedgerEntry)
        .where(
            LedgerEntry.member_id == member.id,
            LedgerEntry.reason_code.in_(reasons.FREE_TEXT),
            LedgerEntry.reason.is_not(None),
        )
        .values(reason=None)
    )
    s.execute(update(AuditLog).where(AuditLog.member_id == member.id).values(detail=None))
    s.execute(
        update(AuditLog)
        .where(AuditLog.member_id == member.id, AuditLog.actor_type == audit.ActorType.MEMBER)
        .values(actor_id=None)
    )
    return discount_ids


def drop_exports(
    s: Session, shop_id: int, member_id: int | None, hashes: Sequence[str], now: datetime
) -> None:
    """Earlier exports about the customer hold their personal data: delete them (records of
    pending code deletions, :data:`RECORD_KINDS`, stay until the codes are gone)."""
    links: list[ColumnElement[bool]] = [PrivacyRequest.customer_hash.in_(hashes)]
    if member_id is not None:
        links.append(PrivacyRequest.member_id == member_id)
    s.execute(
        update(PrivacyRequest)
        .where(
            PrivacyRequest.shop_id == shop_id,
            PrivacyRequest.kind.not_in(RECORD_KINDS),
            PrivacyRequest.export_json.is_not(None),
            or_(*links),
        )
        .values(export_json=None, export_deleted_at=now)
    )


def _tombstone(s: Session, shop_id: int, hashes: Sequence[str]) -> None:
    existing = s.scalars(
        select(Tombstone).where(Tombstone.shop_id == shop_id, Tombstone.customer_hash.in_(hashes))
    ).first()
    if existing is None:
        s.add(Tombstone(shop_id=shop_id, customer_hash=hashes[0], reason=TombstoneReason.REDACTED))
    else:
        existing.reason = TombstoneReason.REDACTED


def _record(
    s: Session,
    shop_id: int,
    member: Member | None,
    hashes: Sequence[str],
    received_at: datetime,
    discount_ids: Iterable[str],
) -> PrivacyRequest:
    """The customer's one ``customer_redact`` request, its pending code deletions merged in."""
    row = s.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.shop_id == shop_id,
            PrivacyRequest.kind == PrivacyRequestKind.CUSTOMER_REDACT,
            PrivacyRequest.customer_hash.in_(hashes),
        )
    ).first()
    if row is None:
        row = PrivacyRequest(
            shop_id=shop_id,
            kind=PrivacyRequestKind.CUSTOMER_REDACT,
            customer_hash=hashes[0],
            received_at=received_at,
            due_at=due_at(received_at),
        )
        s.add(row)
    held = json.loads(row.export_json or "{}").get("discount_ids", [])
    row.member_id = member.id if member else row.member_id
    row.export_json = json.dumps(
        {"format": RECORD_FORMAT, "discount_ids": sorted({*held, *discount_ids})}
    )
    return row
