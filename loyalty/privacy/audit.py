"""The audit log: who read or changed whose data, what, and when (DESIGN.md, AuditLog).

Everyone writes entries through :func:`record`, inside their own transaction, so an entry exists
exactly when the change it describes was committed. ``detail`` names fields, channels or
formats, never values: the log is read by staff and kept for its retention period
(:mod:`loyalty.privacy.retention`), so it must not become a second copy of a member's personal data.

Actions written so far (``<who>.<what>``):

- ``member.profile_updated`` (detail: the field names), ``member.consent_changed`` (detail:
  ``email=granted,sms=withdrawn``), ``member.restricted``, ``member.restriction_lifted``,
  ``member.exported`` (detail: ``json`` or ``csv``), ``member.left`` — by the member;
- ``member.read`` (detail: the parts read, ``ledger,profile,audit``; written by
  :func:`record_read`, one row per look at a member), ``member.adjusted`` (detail:
  ``points=+50``) — by staff (:mod:`loyalty.members.staff`, :mod:`admin.audit_api`);
  ``audit.read`` is the older code of a read of the audit log alone, no longer written;
- ``retention.member_anonymised`` — by the system;
- written directly by older modules: ``settings.update`` (:mod:`loyalty.points.settings`),
  ``privacy.data_request_exported`` (:mod:`loyalty.privacy.export`),
  ``privacy.customer_redacted`` (:mod:`loyalty.privacy.redact`);
- and ``member.imported``, ``import.applied``, ``members.searched``, ``members.exported``,
  ``privacy.export_downloaded``, ``backfill.start``, ``appearance.update``, ``messaging.update``
  (detail: ``sms`` or ``email``; :mod:`loyalty.campaigns.credentials`).

:mod:`admin.audit_labels` gives each a label; tests/admin/test_audit_labels.py finds every
code written and fails on one without a label, so that list is the complete one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import AuditLog, Member
from loyalty.core.types import utcnow

DETAIL_MAX = 500
READ_WINDOW = timedelta(minutes=2)
"""Reads of one member by one staff user this close to the first are one look at the member."""
READ_PARTS = ("ledger", "profile", "audit")


class ActorType(enum.StrEnum):
    """Who acted: a staff user (session token ``sub``), a member (the shopper), the system."""

    STAFF = "staff"
    MEMBER = "member"
    SYSTEM = "system"


def record(
    session: Session,
    shop_id: int,
    actor_type: str,
    actor_id: str | int | None,
    action: str,
    member_id: int | None = None,
    detail: str | None = None,
) -> AuditLog:
    """Add one audit entry in the caller's transaction and return it (flushed, so it has an id).

    ``actor_id`` is the staff user id for staff, the customer id for a member, None for the
    system. ``detail`` must hold no personal data (names of fields, not their values).
    """
    entry = AuditLog(
        shop_id=shop_id,
        member_id=member_id,
        actor_type=str(ActorType(actor_type)),
        actor_id=None if actor_id is None else str(actor_id)[:100],
        action=action[:100],
        detail=None if detail is None else detail[:DETAIL_MAX],
    )
    session.add(entry)
    session.flush()
    return entry


def record_read(
    session: Session, shop_id: int, staff_user_id: str | None, member_id: int, part: str
) -> None:
    """Audit that a staff user read ``part`` of a member's data (one of :data:`READ_PARTS`).

    Opening a member's page asks for three parts at once and a merchant may reload it often; a
    row per request buried the changes in the log (17 reads in a minute above one "Points
    adjusted"). So reads by the same staff user within :data:`READ_WINDOW` of an earlier read
    join that row, whose detail lists every part read. The member row is locked first, so the
    page's parallel requests find each other's row instead of each writing one.
    """
    session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    actor = None if staff_user_id is None else str(staff_user_id)[:100]
    latest = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.shop_id == shop_id,
            AuditLog.member_id == member_id,
            AuditLog.actor_type == ActorType.STAFF,
            AuditLog.actor_id.is_(None) if actor is None else AuditLog.actor_id == actor,
            AuditLog.action == "member.read",
            AuditLog.created_at >= utcnow() - READ_WINDOW,
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        record(session, shop_id, ActorType.STAFF, actor, "member.read", member_id, part)
        return
    parts = set((latest.detail or "").split(",")) | {part}
    latest.detail = ",".join(p for p in READ_PARTS if p in parts)


def entries_for_member(
    session: Session,
    shop_id: int,
    member_id: int,
    *,
    limit: int = 50,
    before_id: int | None = None,
) -> list[AuditLog]:
    """The member's entries in that shop, newest first; ``before_id`` pages further back."""
    query = (
        select(AuditLog)
        .where(AuditLog.shop_id == shop_id, AuditLog.member_id == member_id)
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return list(session.scalars(query))


def as_json(entry: AuditLog) -> dict[str, Any]:
    """An entry in Klubb's JSON conventions (ids as strings, ISO times)."""
    return {
        "id": str(entry.id),
        "created_at": entry.created_at.isoformat(),
        "actor_type": entry.actor_type,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "detail": entry.detail,
    }


def record_changes(
    session: Session,
    shop_id: int,
    actor_id: str | None,
    action: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    fields: Iterable[str],
) -> None:
    """Audit a change of shop-level settings: the names of the ``fields`` that changed, if any.

    ``actor_id`` is the staff user who made it, or None for the system.
    """
    changed = [name for name in fields if before[name] != after[name]]
    if changed:
        actor = ActorType.STAFF if actor_id else ActorType.SYSTEM
        record(session, shop_id, actor, actor_id, action, detail=",".join(changed))
