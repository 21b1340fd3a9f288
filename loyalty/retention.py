"""Retention: personal data is kept only as long as it is needed (issue 5, part 6).

Four sweeps, each run by a periodic job (:mod:`webhooks.schedule`) in short batches, each batch
its own transaction, until nothing is left or the time budget is spent (the next run goes on):

- :func:`anonymise_inactive_members` — members with no activity (an earn, a redemption or an
  adjustment; else since joining) for ``inactive_member_months`` are anonymised and detached as
  a leaver is (:func:`loyalty.self_service_leave.retire_member`), without a tombstone: a later
  order re-enrols them as a new member if the shop auto-enrols. The job then has Klubb's
  metafields and tag removed from the customer in Shopify. Restricted members are skipped:
  a restriction (Art. 18) may be there precisely to stop erasure.
- :func:`erase_old_webhook_bodies` — raw webhook bodies older than ``webhook_body_days``
  become NULL; the row (dedupe key, status) and the facts extracted from it stay. An event
  still unprocessed by then loses its body too, and the job answers it ``ignored``.
- :func:`delete_old_exports` — exports (``data_request``, ``member_export``) older than
  ``export_days`` are deleted. ``customers/redact`` and ``member_leave`` requests keep their
  ``export_json``: it is a record of reward codes still to delete in Shopify
  (``{"format", "discount_ids"}``), not a copy of anyone's data.
- :func:`delete_old_audit_entries` — audit entries older than ``audit_months``.

The periods are :class:`RetentionPolicy` constants for every shop today. Making them program
settings needs columns on ``program_settings`` (a migration); the sweeps would then read each
shop's period by joining ``program_settings`` in their candidate queries, with
:data:`BOUNDS` checked by the settings API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty import audit
from loyalty.members import customer_hashes
from loyalty.models import AuditLog, Member, MemberStatus, PrivacyRequest, WebhookEvent
from loyalty.self_service_leave import RECORD_KINDS, retire_member
from loyalty.types import months_before, utcnow

BATCH_SIZE = 500
MEMBER_BATCH = 50
FORFEIT_ON_RETENTION = "forfeited: anonymised after inactivity"


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept (defaults: issue 5, part 6)."""

    inactive_member_months: int = 24
    webhook_body_days: int = 30
    export_days: int = 30
    audit_months: int = 24


DEFAULT_POLICY = RetentionPolicy()
BOUNDS: dict[str, tuple[int, int]] = {
    "inactive_member_months": (6, 120),
    "webhook_body_days": (1, 90),
    "export_days": (1, 90),
    "audit_months": (6, 120),
}
"""Sane bounds for each period, for when merchants can set them."""


@dataclass(frozen=True)
class Sweep:
    """What one sweep did: how many rows it changed, and whether it reached the end.

    ``customers``: (shop id, customer id) of members anonymised, so the caller can have what
    Klubb wrote on them in Shopify removed.
    """

    count: int
    done: bool
    customers: tuple[tuple[int, int], ...] = ()


def anonymise_inactive_members(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    *,
    policy: RetentionPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Anonymise active members inactive for the policy's months; restricted ones are kept."""
    now = now or utcnow()
    cutoff = months_before(now, policy.inactive_member_months)
    last_seen = func.coalesce(Member.last_activity_at, Member.joined_at)
    stale = (Member.status == MemberStatus.ACTIVE, last_seen < cutoff)
    deadline = None if time_budget is None else clock() + time_budget
    customers: list[tuple[int, int]] = []
    while True:
        if deadline is not None and clock() >= deadline:
            return Sweep(len(customers), False, tuple(customers))
        with sessions.begin() as s:
            members = list(
                s.scalars(
                    select(Member)
                    .where(*stale)
                    .order_by(Member.id)
                    .limit(MEMBER_BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for member in members:
                hashes = customer_hashes(hash_keys, member.shop_id, member.customer_id)
                retired = retire_member(
                    s, member, hashes, now=now, forfeit_reason=FORFEIT_ON_RETENTION
                )
                customers.append((member.shop_id, retired.customer_id))
                audit.record(
                    s,
                    member.shop_id,
                    audit.ActorType.SYSTEM,
                    None,
                    "retention.member_anonymised",
                    member.id,
                    f"inactive_months={policy.inactive_member_months}",
                )
        if len(members) < MEMBER_BATCH:
            return Sweep(len(customers), True, tuple(customers))


def erase_old_webhook_bodies(
    sessions: sessionmaker[Session],
    *,
    policy: RetentionPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Set to NULL the raw body of every webhook event received before the cutoff."""
    cutoff = (now or utcnow()) - timedelta(days=policy.webhook_body_days)
    old = (WebhookEvent.body.is_not(None), WebhookEvent.received_at < cutoff)
    return _batched(
        sessions,
        lambda ids: update(WebhookEvent).where(WebhookEvent.id.in_(ids)).values(body=None),
        select(WebhookEvent.id).where(*old).order_by(WebhookEvent.id),
        time_budget,
        clock,
    )


def delete_old_exports(
    sessions: sessionmaker[Session],
    *,
    policy: RetentionPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Delete exports made before the cutoff (records of pending code deletions stay)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=policy.export_days)
    made_at = func.coalesce(PrivacyRequest.completed_at, PrivacyRequest.received_at)
    return _batched(
        sessions,
        lambda ids: (
            update(PrivacyRequest)
            .where(PrivacyRequest.id.in_(ids))
            .values(export_json=None, export_deleted_at=now)
        ),
        select(PrivacyRequest.id)
        .where(
            PrivacyRequest.export_json.is_not(None),
            PrivacyRequest.kind.not_in(RECORD_KINDS),
            made_at < cutoff,
        )
        .order_by(PrivacyRequest.id),
        time_budget,
        clock,
    )


def delete_old_audit_entries(
    sessions: sessionmaker[Session],
    *,
    policy: RetentionPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Delete audit entries older than the policy's months."""
    cutoff = months_before(now or utcnow(), policy.audit_months)
    return _batched(
        sessions,
        lambda ids: delete(AuditLog).where(AuditLog.id.in_(ids)),
        select(AuditLog.id).where(AuditLog.created_at < cutoff).order_by(AuditLog.id),
        time_budget,
        clock,
    )


def _batched(
    sessions: sessionmaker[Session],
    change: Callable[[list[int]], object],
    candidates: object,
    time_budget: float | None,
    clock: Callable[[], float],
) -> Sweep:
    """Apply ``change`` to the candidate ids, ``BATCH_SIZE`` per short transaction."""
    deadline = None if time_budget is None else clock() + time_budget
    count = 0
    while True:
        if deadline is not None and clock() >= deadline:
            return Sweep(count, False)
        with sessions.begin() as s:
            ids = list(s.scalars(candidates.limit(BATCH_SIZE)))  # type: ignore[attr-defined]
            if ids:
                s.execute(change(ids))  # type: ignore[call-overload]
        count += len(ids)
        if len(ids) < BATCH_SIZE:
            return Sweep(count, True)
