"""What Shopify has still to be told: the "push pending" markers of members' changes.

Durability (the webhook outbox's rule, for what a member changes): the change and a "push
pending" marker are committed together (``ConsentEvent.push_pending_since``,
``Member.fields_push_pending_since``, ``PrivacyRequest.shopify_cleanup_customer_id``); the
widget then enqueues the job, and the push sweeper (``jobs.shopify_sync.sweep_pending_pushes``)
enqueues again any push still pending after a minute (:func:`pending_pushes`), e.g. because
Redis was down at the change. The pushes themselves are :mod:`loyalty.shopify.member_sync`'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import ConsentEvent, Member, PrivacyRequest


@dataclass(frozen=True)
class PendingPushes:
    """The pushes still pending, oldest first: consent events, members' fields, departures."""

    consent_event_ids: list[int]
    member_fields: list[tuple[int, int]]  # (shop id, customer id)
    departure_request_ids: list[int]


def pending_pushes(sessions: sessionmaker[Session], cutoff: datetime, limit: int) -> PendingPushes:
    """Every push pending since before ``cutoff``, at most ``limit`` of each kind."""
    with sessions() as s:
        consents = list(
            s.scalars(
                select(ConsentEvent.id)
                .where(ConsentEvent.push_pending_since < cutoff)
                .order_by(ConsentEvent.push_pending_since)
                .limit(limit)
            )
        )
        members = s.execute(
            select(Member.shop_id, Member.customer_id)
            .where(Member.fields_push_pending_since < cutoff)
            .order_by(Member.fields_push_pending_since)
            .limit(limit)
        ).all()
        departures = list(
            s.scalars(
                select(PrivacyRequest.id)
                .where(
                    PrivacyRequest.shopify_cleanup_customer_id.is_not(None),
                    PrivacyRequest.received_at < cutoff,
                )
                .order_by(PrivacyRequest.received_at)
                .limit(limit)
            )
        )
    return PendingPushes(
        consent_event_ids=consents,
        member_fields=[(shop_id, customer_id) for shop_id, customer_id in members],
        departure_request_ids=departures,
    )


def departure_to_clean_up(
    sessions: sessionmaker[Session], request_id: int
) -> tuple[int, int] | None:
    """The (shop id, customer id) a leave request still has to clean up in Shopify, or None."""
    with sessions() as s:
        row = s.execute(
            select(PrivacyRequest.shop_id, PrivacyRequest.shopify_cleanup_customer_id).where(
                PrivacyRequest.id == request_id
            )
        ).one_or_none()
    if row is None or row.shopify_cleanup_customer_id is None or row.shop_id is None:
        return None
    return row.shop_id, row.shopify_cleanup_customer_id


def forget_departed_customer(sessions: sessionmaker[Session], request_id: int) -> None:
    """The departure is cleaned up in Shopify: the request forgets the customer's id."""
    with sessions.begin() as s:
        s.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(shopify_cleanup_customer_id=None)
        )
