"""Retention: personal data is kept only as long as it is needed (issue 5, part 6).

Four sweeps, each run by a periodic job (:mod:`jobs.schedule`) in short batches, each batch
its own transaction, until nothing is left or the time budget is spent (the next run goes on):

- :func:`anonymise_inactive_members` — members with no activity (an earn, a redemption or an
  adjustment; else since joining) for ``inactive_member_months`` are anonymised and detached as
  a leaver is (:func:`loyalty.privacy.leave.retire_member`), without a tombstone: a later
  order re-enrols them as a new member if the shop auto-enrols. Each gets a ``member_inactive``
  record, as a leaver gets ``member_leave``, and the job queues the durable cleanup in Shopify
  (Klubb's metafields and tag, unused codes). Restricted members are skipped:
  a restriction (Art. 18) may be there precisely to stop erasure.
- :func:`erase_old_webhook_bodies` — raw webhook bodies older than ``webhook_body_days``
  become NULL; the row (dedupe key, status) and the facts extracted from it stay. An event
  still unprocessed by then loses its body too, and the job answers it ``ignored``.
- :func:`delete_old_exports` — exports (``data_request``, ``member_export``) older than
  ``export_days`` are deleted. ``customers/redact``, ``member_leave`` and ``member_inactive``
  requests keep their ``export_json``: it is a record of reward codes still to delete in
  Shopify (``{"format", "discount_ids"}``), not a copy of anyone's data.
- :func:`delete_old_audit_entries` — audit entries older than ``audit_months``.

Each period is a program setting of the shop (:mod:`loyalty.privacy.retention_policy`). A sweep
takes the distinct periods in use and works through the rows of each period's shops in turn (a
handful of values, each one indexed range query), so one shop's longer period never keeps
another's data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    AuditLog,
    Member,
    MemberStatus,
    PrivacyRequest,
    PrivacyRequestKind,
    WebhookEvent,
)
from loyalty.core.types import months_before, utcnow
from loyalty.members.enrolment import customer_hashes
from loyalty.points import reasons
from loyalty.privacy import audit
from loyalty.privacy.leave import departure_request, retire_member
from loyalty.privacy.redact import RECORD_KINDS
from loyalty.privacy.retention_policy import periods_in_use, shop_period

BATCH_SIZE = 500
MEMBER_BATCH = 50
FORFEIT_ON_RETENTION = reasons.RETENTION


@dataclass(frozen=True)
class Sweep:
    """What one sweep did: how many rows it changed, and whether it reached the end.

    ``departures``: the ``member_inactive`` requests of the members anonymised, whose cleanup in
    Shopify (Klubb's fields, tag and unused codes) the caller queues.
    """

    count: int
    done: bool
    departures: tuple[int, ...] = ()


class _Clock:
    """One time budget shared by the period groups of a sweep."""

    def __init__(self, time_budget: float | None, clock: Callable[[], float]) -> None:
        self.deadline = None if time_budget is None else clock() + time_budget
        self.clock = clock

    def spent(self) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline


def anonymise_inactive_members(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    *,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Anonymise active members inactive for their shop's months; restricted ones are kept."""
    now = now or utcnow()
    budget = _Clock(time_budget, clock)
    last_seen = func.coalesce(Member.last_activity_at, Member.joined_at)
    period = shop_period("inactive_member_months", Member.shop_id)
    departures: list[int] = []
    for months in periods_in_use(sessions, "inactive_member_months"):
        stale = (
            Member.status == MemberStatus.ACTIVE,
            period == months,
            last_seen < months_before(now, months),
        )
        while True:
            if budget.spent():
                return Sweep(len(departures), False, tuple(departures))
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
                    request = departure_request(
                        s,
                        PrivacyRequestKind.MEMBER_INACTIVE,
                        member.shop_id,
                        retired,
                        hashes,
                        now=now,
                        completed=True,
                    )
                    audit.record(
                        s,
                        member.shop_id,
                        audit.ActorType.SYSTEM,
                        None,
                        "retention.member_anonymised",
                        member.id,
                        f"inactive_months={months}",
                    )
                    s.flush()
                    departures.append(request.id)
            if len(members) < MEMBER_BATCH:
                break
    return Sweep(len(departures), True, tuple(departures))


def erase_old_webhook_bodies(
    sessions: sessionmaker[Session],
    *,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Set to NULL the raw body of every webhook event received before its shop's cutoff."""
    now = now or utcnow()
    period = shop_period("webhook_body_days", WebhookEvent.shop_id)

    def candidates(days: int) -> Any:
        return (
            select(WebhookEvent.id)
            .where(
                WebhookEvent.body.is_not(None),
                WebhookEvent.received_at < now - timedelta(days=days),
                period == days,
            )
            .order_by(WebhookEvent.id)
        )

    return _by_period(
        sessions,
        "webhook_body_days",
        lambda ids: update(WebhookEvent).where(WebhookEvent.id.in_(ids)).values(body=None),
        candidates,
        _Clock(time_budget, clock),
    )


def delete_old_exports(
    sessions: sessionmaker[Session],
    *,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Delete exports made before their shop's cutoff (records of code deletions stay)."""
    now = now or utcnow()
    made_at = func.coalesce(PrivacyRequest.completed_at, PrivacyRequest.received_at)
    period = shop_period("export_days", PrivacyRequest.shop_id)

    def candidates(days: int) -> Any:
        return (
            select(PrivacyRequest.id)
            .where(
                PrivacyRequest.export_json.is_not(None),
                PrivacyRequest.kind.not_in(RECORD_KINDS),
                made_at < now - timedelta(days=days),
                period == days,
            )
            .order_by(PrivacyRequest.id)
        )

    return _by_period(
        sessions,
        "export_days",
        lambda ids: (
            update(PrivacyRequest)
            .where(PrivacyRequest.id.in_(ids))
            .values(export_json=None, export_deleted_at=now)
        ),
        candidates,
        _Clock(time_budget, clock),
    )


def delete_old_audit_entries(
    sessions: sessionmaker[Session],
    *,
    now: datetime | None = None,
    time_budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Sweep:
    """Delete audit entries older than their shop's months."""
    now = now or utcnow()
    period = shop_period("audit_months", AuditLog.shop_id)

    def candidates(months: int) -> Any:
        return (
            select(AuditLog.id)
            .where(AuditLog.created_at < months_before(now, months), period == months)
            .order_by(AuditLog.id)
        )

    return _by_period(
        sessions,
        "audit_months",
        lambda ids: delete(AuditLog).where(AuditLog.id.in_(ids)),
        candidates,
        _Clock(time_budget, clock),
    )


def _by_period(
    sessions: sessionmaker[Session],
    name: str,
    change: Callable[[list[int]], object],
    candidates: Callable[[int], Any],
    budget: _Clock,
) -> Sweep:
    """Run :func:`_batched` over the rows of each period in use, within one time budget."""
    count = 0
    for period in periods_in_use(sessions, name):
        sweep = _batched(sessions, change, candidates(period), budget)
        count += sweep.count
        if not sweep.done:
            return Sweep(count, False)
    return Sweep(count, True)


def _batched(
    sessions: sessionmaker[Session],
    change: Callable[[list[int]], object],
    candidates: Any,
    budget: _Clock,
) -> Sweep:
    """Apply ``change`` to the candidate ids, ``BATCH_SIZE`` per short transaction."""
    count = 0
    while True:
        if budget.spent():
            return Sweep(count, False)
        with sessions.begin() as s:
            ids = list(s.scalars(candidates.limit(BATCH_SIZE)))
            if ids:
                s.execute(change(ids))  # type: ignore[call-overload]
        count += len(ids)
        if len(ids) < BATCH_SIZE:
            return Sweep(count, True)
