"""Members: enrolment (automatic, first order, widget), the signup bonus, and Shopify's copies.

A member is created at most once per (shop, customer) by ``INSERT … ON CONFLICT DO NOTHING``;
whoever's insert wins posts the signup bonus, under the source key ``signup:{customer id}``, so
customers/create, a first order and a join in the widget award it once between them.

Tombstones hold a keyed hash of the customer id (HMAC-SHA256, the key passed in), never the id:
a redacted or departed customer stays unrecognisable to anyone without the key. A tombstone
stops automatic enrolment and any copy of personal data; only the shopper's own join lifts it.
``hash_key`` may be one key or several (:func:`loyalty.privacy.compliance.customer_hash_keys`): the first
writes, all are tried when reading. The writing key is a dedicated one that never rotates, so a
tombstone outlives any rotation of the app's secret.

customers/delete (decision): Shopify deletes only customers without orders. We keep the member
row and its ledger (amounts and dates, anonymous, as invariant 8 allows), blank every personal
field, mark it ``anonymised``, and write a ``redacted`` tombstone so that a late create or update
for that customer writes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.send_log import erase_recipients
from loyalty.core.db import upsert
from loyalty.core.models import (
    LedgerKind,
    Member,
    MemberStatus,
    ProgramSettings,
    Tombstone,
    TombstoneReason,
)
from loyalty.core.payloads import parse_id, parse_time
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.points.ledger import add_to_rollup, local_day, post

# Fields copied from customers/create|update, with their column lengths (longer values are cut).
COPIED_FIELDS = {"first_name": 255, "last_name": 255, "email": 320, "phone": 40}
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "phone",
    "birthday",
    "birthday_changed_at",
    "language",
    "notes",
)


HashKeys = bytes | str | Sequence[bytes | str]


def customer_hash(key: bytes | str, shop_id: int, customer_id: int) -> str:
    """HMAC-SHA256 (hex) of the shop and customer id: how tombstones name a customer."""
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, f"{shop_id}:{customer_id}".encode(), hashlib.sha256).hexdigest()


@functools.cache
def settings_defaults() -> dict[str, Any]:
    """The program settings a shop has until it saves its own (the models' column defaults)."""
    return {
        column.key: column.default.arg
        for column in ProgramSettings.__table__.columns
        if column.default is not None and column.default.is_scalar
    }


def program_settings(session: Session, shop_id: int) -> ProgramSettings:
    """The shop's program settings, or the models' defaults (unsaved) if it has none yet."""
    settings = session.get(ProgramSettings, shop_id)
    if settings is not None:
        return settings
    return ProgramSettings(**{**settings_defaults(), "shop_id": shop_id})


def customer_hashes(hash_key: HashKeys, shop_id: int, customer_id: int) -> list[str]:
    """The customer's hash under each key given, the writing (first) key's first."""
    keys = [hash_key] if isinstance(hash_key, bytes | str) else list(hash_key)
    return [customer_hash(key, shop_id, customer_id) for key in keys]


def tombstone_reason(
    session: Session, shop_id: int, customer_id: int, hash_key: HashKeys
) -> str | None:
    """Why the customer is tombstoned in this shop (``redacted``/``left``), or None."""
    return session.scalar(
        select(Tombstone.reason)
        .where(
            Tombstone.shop_id == shop_id,
            Tombstone.customer_hash.in_(customer_hashes(hash_key, shop_id, customer_id)),
        )
        .limit(1)
    )


def get_or_enrol(
    session: Session,
    shop_id: int,
    customer_id: int,
    *,
    hash_key: HashKeys,
    now: datetime | None = None,
    explicit: bool = False,
    bonus: bool = True,
    tombstone_checked: bool = False,
) -> Member | None:
    """The customer's member, enrolling them if the shop auto-enrols; None if they may not be.

    ``explicit`` is the shopper's own join: it lifts a tombstone and ignores ``auto_enrol``.
    Runs in the caller's transaction; a new member gets the signup bonus in it, unless
    ``bonus`` is False (a backfill that was not asked for bonuses). A bonus posted later by
    another path would still be ``signup:{customer}``, once; but no path posts it to a member
    who already exists. ``tombstone_checked`` says the caller found no tombstone for the
    customer in this same transaction.
    """
    now = now or utcnow()
    if explicit:
        hashes = customer_hashes(hash_key, shop_id, customer_id)
        session.execute(
            delete(Tombstone).where(
                Tombstone.shop_id == shop_id, Tombstone.customer_hash.in_(hashes)
            )
        )
    elif not tombstone_checked and tombstone_reason(session, shop_id, customer_id, hash_key):
        return None
    member = _find(session, shop_id, customer_id)
    if member is not None:
        return member
    settings = program_settings(session, shop_id)
    if not (explicit or settings.auto_enrol):
        return None
    created = session.execute(
        upsert(session, Member)
        .on_conflict_do_nothing(index_elements=["shop_id", "customer_id"])
        .values(
            shop_id=shop_id,
            customer_id=customer_id,
            status=MemberStatus.ACTIVE,
            joined_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(Member.id)
    ).scalar_one_or_none()
    if created is not None:
        add_to_rollup(session, shop_id, local_day(session, shop_id, now), new_members=1)
        if bonus and settings.signup_bonus > 0:
            post(
                session,
                shop_id=shop_id,
                member_id=created,
                points=settings.signup_bonus,
                kind=LedgerKind.BONUS,
                source_key=f"signup:{customer_id}",
                reason=reasons.SIGNUP_BONUS,
                now=now,
            )
        # A ladder starting at 0 takes the newcomer in at once. (Imported here: the club's
        # standing builds on enrolment's settings.)
        from loyalty.club.tier_standing import refresh_member

        refresh_member(session, shop_id, created, now, "joined")
    return _find(session, shop_id, customer_id)


def join(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    *,
    hash_key: HashKeys,
    now: datetime | None = None,
) -> Member:
    """The shopper joins in the widget: enrol them (bonus once) even if they had left."""
    with sessions.begin() as session:
        member = get_or_enrol(
            session, shop_id, customer_id, hash_key=hash_key, now=now, explicit=True
        )
        assert member is not None  # an explicit join always yields a member
        return member


def upsert_from_customer_payload(
    sessions: sessionmaker[Session],
    shop_id: int,
    payload: Mapping[str, Any],
    hash_key: HashKeys,
    *,
    now: datetime | None = None,
    triggered_at: datetime | None = None,
) -> Member | None:
    """customers/create|update: enrol if the shop auto-enrols, and refresh the member's copy.

    Stale bodies (``updated_at`` older than the copy held; ``triggered_at`` stands in when the
    body has none) change nothing. Tombstoned customers and non-members get nothing written;
    anonymised members keep no personal data. Returns the member, or None.
    """
    customer_id = parse_id(payload.get("id"), "id")
    version = parse_time(payload.get("updated_at")) or triggered_at
    with sessions.begin() as session:
        if get_or_enrol(session, shop_id, customer_id, hash_key=hash_key, now=now) is None:
            return None
        member = _find(session, shop_id, customer_id, lock=True)
        assert member is not None
        if member.status == MemberStatus.ANONYMISED:
            return member
        copy_customer_fields(member, payload, version)
        return member


def copy_customer_fields(
    member: Member, values: Mapping[str, Any], version: datetime | None
) -> bool:
    """Copy the customer's fields in ``values`` (:data:`COPIED_FIELDS`) onto the member unless
    the copy held is newer than ``version`` (Shopify's ``updated_at``); whether it copied."""
    held = member.shopify_updated_at
    if held is not None and (version is None or version < held):
        return False
    for name, length in COPIED_FIELDS.items():
        if name in values:
            value = values[name]
            setattr(member, name, str(value)[:length] if value not in (None, "") else None)
    member.shopify_updated_at = version or held
    return True


def delete_customer(
    sessions: sessionmaker[Session],
    shop_id: int,
    payload: Mapping[str, Any],
    hash_key: HashKeys,
) -> None:
    """customers/delete: tombstone the customer and anonymise their member, keeping the ledger."""
    customer_id = parse_id(payload.get("id"), "id")
    with sessions.begin() as session:
        session.execute(
            upsert(session, Tombstone)
            .on_conflict_do_nothing(index_elements=["shop_id", "customer_hash"])
            .values(
                shop_id=shop_id,
                customer_hash=customer_hashes(hash_key, shop_id, customer_id)[0],
                reason=TombstoneReason.REDACTED,
                created_at=utcnow(),
            )
        )
        member = _find(session, shop_id, customer_id, lock=True)
        if member is not None:
            anonymise(member)
            erase_recipients(session, member.id)


def anonymise(member: Member) -> None:
    """Blank the member's personal data; amounts, dates and the ledger stay (invariant 8)."""
    for name in PERSONAL_FIELDS:
        setattr(member, name, None)
    member.email_consent = False
    member.sms_consent = False
    member.status = MemberStatus.ANONYMISED


def lock_member(session: Session, shop_id: int, member_id: int) -> Member | None:
    """The shop's member ``member_id``, freshly read and its row locked until the transaction
    ends (a periodic job settling one member at a time checks its conditions again under it)."""
    return session.scalars(
        select(Member)
        .where(Member.id == member_id, Member.shop_id == shop_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _find(session: Session, shop_id: int, customer_id: int, *, lock: bool = False) -> Member | None:
    query = select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()
