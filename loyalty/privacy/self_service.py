"""Member self-service: the data rights a club member exercises themselves (issue 5, part 5).

Each function is one service over a session factory and owns its transaction; the web adapter
(:mod:`widgets.me`) identifies the shopper from Shopify's signature and passes their shop and
customer id. Every change writes an audit entry with the member as actor
(:func:`loyalty.privacy.audit.record`). What must reach Shopify afterwards (consent changes, the
Klubb-owned fields mirrored into customer metafields) is returned as ids for the caller to
enqueue: this module imports no RQ. Each such change is also marked "push pending" in the same
transaction, so it reaches Shopify even when the enqueue fails (see
:mod:`jobs.shopify_sync`).

- :func:`~loyalty.privacy.self_service_access.my_data` — what Klubb holds about them (access,
  Art. 15);
- :func:`~loyalty.privacy.self_service_access.export_member_data` — the same export as
  ``customers/data_request`` (JSON) or the ledger (CSV) (portability, Art. 20);
- :func:`update_profile` — correct birthday, preferred name, language (rectification, Art. 16);
- :func:`set_consents` — give or withdraw email/SMS marketing consent (Art. 7(3)), each change
  kept as a :class:`~loyalty.core.models.ConsentEvent` with time and source;
- :func:`restrict` / :func:`lift_restriction` — Art. 18: status ``restricted`` stops earning
  (the engine settles nothing for a member who is not active) and messages; data is kept. The
  member tag in Shopify follows (off while restricted, so tag-based marketing segments leave
  the member out): the change marks the member's fields "push pending", like a profile change;
- leaving the club (erasure, Art. 17) is :mod:`loyalty.privacy.leave`.

Only ``active`` and ``restricted`` members are found; anyone else is :class:`NotAMember`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.newsletter import credit_newsletter
from loyalty.core.errors import ValidationError
from loyalty.core.models import ConsentEvent, Member, MemberStatus
from loyalty.core.types import utcnow
from loyalty.privacy import audit
from loyalty.privacy.self_service_rules import (
    NotAMember,
    parse_consents,
    parse_profile_changes,
)

CONSENT_SOURCE = "widget"
NO_PHONE_FOR_SMS = "Add a mobile number to your customer account first."

MEMBER_STATUSES = (MemberStatus.ACTIVE, MemberStatus.RESTRICTED)


@dataclass(frozen=True)
class ProfileChange:
    """Which Klubb-owned fields changed (names only), for the metafield write-back."""

    member_id: int
    changed: tuple[str, ...]


@dataclass(frozen=True)
class StatusChange:
    """The member's status after a restriction call, and whether the call changed it."""

    status: str
    changed: bool


@dataclass(frozen=True)
class ConsentChange:
    """The consents after the call, and the ConsentEvent ids of the channels that changed."""

    consents: dict[str, bool]
    changed: tuple[str, ...]
    event_ids: tuple[int, ...]
    newsletter_credited: bool = False  # the newsletter's points were posted by this call
    member_id: int | None = None


def find_member(s: Session, shop_id: int, customer_id: int, *, lock: bool = False) -> Member:
    """The customer's active or restricted member in that shop; NotAMember otherwise."""
    query = select(Member).where(
        Member.shop_id == shop_id,
        Member.customer_id == customer_id,
        Member.status.in_(MEMBER_STATUSES),
    )
    if lock:
        query = query.with_for_update()
    member = s.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if member is None:
        raise NotAMember("You are not a member of this shop's club.")
    return member


def update_profile(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    body: Mapping[str, Any],
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> ProfileChange:
    """Correct the Klubb-owned fields named in ``body``; Shopify-owned ones are refused (422).

    A birthday set, changed or cleared is stamped ``birthday_changed_at`` (``now``): a birthday
    changed shortly before its reward would be due does not pay that year
    (:mod:`loyalty.club.birthdays`).
    """
    now = now or utcnow()
    changes = parse_profile_changes(body, today or now.date())
    with sessions.begin() as s:
        member = find_member(s, shop_id, customer_id, lock=True)
        changed = tuple(name for name, value in changes.items() if getattr(member, name) != value)
        for name in changed:
            setattr(member, name, changes[name])
        if "birthday" in changed:
            member.birthday_changed_at = now
        if changed:
            member.fields_push_pending_since = utcnow()  # Shopify's metafields still to follow
            audit.record(
                s,
                shop_id,
                audit.ActorType.MEMBER,
                customer_id,
                "member.profile_updated",
                member.id,
                ",".join(changed),
            )
        return ProfileChange(member.id, changed)


def set_consents(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    body: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> ConsentChange:
    """Give or withdraw marketing consent per channel; each change is a ConsentEvent."""
    wanted = parse_consents(body)
    now = now or utcnow()
    with sessions.begin() as s:
        member = find_member(s, shop_id, customer_id, lock=True)
        if wanted.get("sms") and not member.sms_consent and not member.phone:
            # Shopify refuses SMS consent for a customer without a phone number: saying
            # "saved" here would leave Klubb and Shopify disagreeing about the consent.
            raise ValidationError({"sms": NO_PHONE_FOR_SMS})
        events: list[ConsentEvent] = []
        for channel, granted in wanted.items():
            if getattr(member, f"{channel}_consent") == granted:
                continue
            setattr(member, f"{channel}_consent", granted)
            events.append(
                ConsentEvent(
                    shop_id=shop_id,
                    member_id=member.id,
                    channel=channel,
                    granted=granted,
                    source=CONSENT_SOURCE,
                    created_at=now,
                    push_pending_since=now,  # Shopify still to be told
                )
            )
        s.add_all(events)
        # Consent standing after the call earns the newsletter's points, once per customer
        # (loyalty.club.newsletter): also for a member who had given it before they were offered.
        credited = bool(wanted.get("email")) and credit_newsletter(s, member, now=now)
        if events:
            detail = ",".join(
                f"{e.channel}={'granted' if e.granted else 'withdrawn'}" for e in events
            )
            audit.record(
                s,
                shop_id,
                audit.ActorType.MEMBER,
                customer_id,
                "member.consent_changed",
                member.id,
                detail,
            )
        s.flush()
        return ConsentChange(
            consents={"email": member.email_consent, "sms": member.sms_consent},
            changed=tuple(e.channel for e in events),
            event_ids=tuple(e.id for e in events),
            newsletter_credited=credited,
            member_id=member.id,
        )


def restrict(sessions: sessionmaker[Session], shop_id: int, customer_id: int) -> StatusChange:
    """Art. 18: stop earning and messages, keep the data. Idempotent.

    A change is marked "push pending" in the same transaction, so the member tag comes off the
    customer in Shopify even if the caller's enqueue fails (the push sweeper finds it).
    """
    return _set_status(sessions, shop_id, customer_id, MemberStatus.RESTRICTED, "member.restricted")


def lift_restriction(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int
) -> StatusChange:
    """Undo :func:`restrict` (orders settled meanwhile stay without points). Idempotent; the
    member tag goes back on the customer the same way."""
    return _set_status(
        sessions, shop_id, customer_id, MemberStatus.ACTIVE, "member.restriction_lifted"
    )


def _set_status(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int, status: str, action: str
) -> StatusChange:
    with sessions.begin() as s:
        member = find_member(s, shop_id, customer_id, lock=True)
        changed = member.status != status
        if changed:
            member.status = status
            member.fields_push_pending_since = utcnow()  # the member tag still to follow
            audit.record(s, shop_id, audit.ActorType.MEMBER, customer_id, action, member.id)
        return StatusChange(str(member.status), changed)
