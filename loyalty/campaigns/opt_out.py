"""A recipient's STOP withdraws their SMS consent in Klubb (DESIGN.md, "Invariants": consent).

Twilio answers a message to a number that replied STOP with error 21610, at the send or in a
status report: the member behind that message no longer wants SMS. The change is a
:class:`~loyalty.core.models.ConsentEvent` (source ``sms_stop``) with the member's consent set
to false, audited as the member's own change, and marked "push pending" like the widget's:
the existing consent push (``jobs.shopify_sync.push_consent``, re-enqueued by the push
sweeper) tells Shopify through ``customerSmsMarketingConsentUpdate``. Idempotent: a member
without SMS consent is left alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.models import ConsentEvent, Member
from loyalty.core.types import utcnow
from loyalty.privacy import audit

STOP_SOURCE = "sms_stop"
"""The consent event's source: the member opted out by replying STOP to an SMS."""


def withdraw_sms_consent(
    s: Session, shop_id: int, member_id: int, *, now: datetime | None = None
) -> int | None:
    """Withdraw the member's SMS consent in the caller's transaction; the new consent event's
    id (for its push to Shopify), or None when there was no consent to withdraw."""
    return withdraw_consent(s, shop_id, member_id, "sms", STOP_SOURCE, now=now)


def withdraw_consent(
    s: Session,
    shop_id: int,
    member_id: int,
    channel: str,
    source: str,
    *,
    now: datetime | None = None,
) -> int | None:
    """Withdraw the member's ``channel`` consent (``sms`` or ``email``) for ``source``, in the
    caller's transaction; the consent event's id, or None when there was none to withdraw."""
    member = s.scalars(
        select(Member).where(Member.id == member_id, Member.shop_id == shop_id).with_for_update()
    ).one_or_none()
    consent = f"{channel}_consent"
    if member is None or not getattr(member, consent):
        return None
    now = now or utcnow()
    setattr(member, consent, False)
    event = ConsentEvent(
        shop_id=shop_id,
        member_id=member.id,
        channel=channel,
        granted=False,
        source=source,
        created_at=now,
        push_pending_since=now,  # Shopify still to be told (jobs.shopify_sync.push_consent)
    )
    s.add(event)
    audit.record(
        s,
        shop_id,
        audit.ActorType.MEMBER,
        member.customer_id,
        "member.consent_changed",
        member.id,
        f"{channel}=withdrawn",
    )
    s.flush()
    return event.id
