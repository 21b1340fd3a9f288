"""The audit log: who read or changed whose data, what, and when (DESIGN.md, AuditLog).

Everyone writes entries through :func:`record`, inside their own transaction, so an entry exists
exactly when the change it describes was committed. ``detail`` names fields, channels or
formats, never values: the log is read by staff and kept for its retention period
(:mod:`loyalty.privacy.retention`), so it must not become a second copy of a member's personal data.

Actions written so far (``<who>.<what>``):

- ``member.profile_updated`` (detail: the field names), ``member.consent_changed`` (detail:
  ``email=granted,sms=withdrawn``), ``member.restricted``, ``member.restriction_lifted``,
  ``member.exported`` (detail: ``json`` or ``csv``), ``member.left`` — by the member;
- ``member.read``, ``member.adjusted`` (detail: ``points=+50``) — by staff
  (:mod:`loyalty.members.staff`); ``audit.read`` — staff read a member's audit log
  (:mod:`admin.audit_api`);
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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import AuditLog

DETAIL_MAX = 500


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
