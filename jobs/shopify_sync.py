"""Jobs on the ``shopify`` queue that tell Shopify what a member changed in the widget.

- :func:`push_consent` (a ConsentEvent id): ``customerEmailMarketingConsentUpdate`` or
  ``customerSmsMarketingConsentUpdate`` with the change's state and time. A newer change of the
  same channel supersedes it (its own job pushes the newer state), so jobs running out of order
  never leave Shopify with an older choice.
- :func:`sync_member_fields` (shop id, customer id): the Klubb-owned fields Shopify asks apps to
  keep on the customer when they are collected on the storefront — ``birthday`` (``date``),
  ``preferred_name`` and ``language`` (``single_line_text_field``) in the app's reserved
  namespace ``$app:loyalty`` — set from the member's current values, and deleted when a value
  is empty. When the customer is no longer a member (they left, or were anonymised) everything
  Klubb put on the customer goes: those fields, the balance metafield and the member tag of
  :mod:`loyalty.shopify.metafields`. It reads the state when it runs, under a per-customer lock, so it
  is idempotent and order-free.

- :func:`clean_up_departure` (a leave request's id): when a member leaves the club, everything
  Klubb wrote on the customer (as for a non-member above) and their unused reward codes go.

Durability (the webhook outbox's rule, for what a member changes): the change and a "push
pending" marker are committed together (``ConsentEvent.push_pending_since``,
``Member.fields_push_pending_since``, ``PrivacyRequest.shopify_cleanup_customer_id``); the
widget then enqueues the job, and
:func:`sweep_pending_pushes` (run every minute by :mod:`jobs.schedule`) enqueues again any
push still pending after a minute, e.g. because Redis was down at the change. A job clears the
marker it acted on, so a second copy of a job (the widget's and the sweeper's) finds nothing
left to do and makes no call.

Jobs carry ids only. Shopify's refusals that a retry cannot fix (``userErrors``, a shop that is
no longer installed) end the job with a log line naming the codes; unavailability, throttling
and token failures raise, so RQ retries. No value is ever logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from jobs.queueing import FINISHED, QueueUnavailable, enqueue_once
from jobs.queueing import RETRY_SHOPIFY as RETRY
from loyalty.core.models import ConsentEvent, Member, MemberStatus, PrivacyRequest, Shop
from loyalty.core.types import utcnow
from loyalty.shopify.metafields import KEY as BALANCE_KEY
from loyalty.shopify.metafields import MEMBER_TAG
from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "shopify"
NAMESPACE = "$app:loyalty"
FIELD_TYPES = {
    "birthday": "date",
    "preferred_name": "single_line_text_field",
    "language": "single_line_text_field",
}
OPT_IN_LEVEL = "SINGLE_OPT_IN"

EMAIL_CONSENT = """
mutation KlubbEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}
"""
SMS_CONSENT = """
mutation KlubbSmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}
"""
SET_FIELDS = """
mutation KlubbMemberFields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field code message }
  }
}
"""
REMOVE_TAG = """
mutation KlubbMemberTagRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""
DELETE_FIELDS = """
mutation KlubbMemberFieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { key }
    userErrors { field message }
  }
}
"""
CONSENT_CALLS = {
    "email": (EMAIL_CONSENT, "customerEmailMarketingConsentUpdate", "emailMarketingConsent"),
    "sms": (SMS_CONSENT, "customerSmsMarketingConsentUpdate", "smsMarketingConsent"),
}


def customer_gid(customer_id: int) -> str:
    """The Admin API id of a customer."""
    return f"gid://shopify/Customer/{customer_id}"


def push_consent(consent_event_id: int) -> str:
    """Push one consent change to Shopify, unless a newer change of that channel exists.

    Runs under a per-event lock and only while the event's push is pending, so copies of the
    job push it once; every outcome but a retryable failure clears the pending marker.
    """
    from runtime import current_runtime

    rt = current_runtime()
    with rt.lock(f"consent-push:{consent_event_id}"):
        outcome = _push_consent(rt, consent_event_id)
        if outcome != "already pushed":
            with rt.sessions.begin() as s:
                s.execute(
                    update(ConsentEvent)
                    .where(ConsentEvent.id == consent_event_id)
                    .values(push_pending_since=None)
                )
    return outcome


def _push_consent(rt: Runtime, consent_event_id: int) -> str:
    with rt.sessions() as s:
        row = s.execute(
            select(ConsentEvent, Member.customer_id, Shop.domain)
            .join(Member, Member.id == ConsentEvent.member_id)
            .join(Shop, Shop.id == ConsentEvent.shop_id)
            .where(ConsentEvent.id == consent_event_id)
        ).one_or_none()
        if row is None:
            return "gone"
        event, customer_id, domain = row
        if event.push_pending_since is None:
            return "already pushed"
        newest = s.scalar(
            select(ConsentEvent.id)
            .where(
                ConsentEvent.member_id == event.member_id,
                ConsentEvent.channel == event.channel,
            )
            .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
            .limit(1)
        )
    if newest != event.id:
        return "superseded"
    if customer_id <= 0:
        return "not a member any more"  # detached by leaving: nobody to address
    query, field, consent_key = CONSENT_CALLS[event.channel]
    variables = {
        "input": {
            "customerId": customer_gid(customer_id),
            consent_key: {
                "marketingState": "SUBSCRIBED" if event.granted else "UNSUBSCRIBED",
                "marketingOptInLevel": OPT_IN_LEVEL,
                "consentUpdatedAt": event.created_at.isoformat(),
            },
        }
    }
    data = _graphql(domain, query, variables)
    if data is None:
        return "shop not installed"
    errors = (data.get(field) or {}).get("userErrors") or []
    if errors:
        log.warning("consent event %s: Shopify refused (%s)", consent_event_id, _codes(errors))
        return "refused"
    log.info("consent event %s pushed to Shopify", consent_event_id)
    return "pushed"


def sync_member_fields(shop_id: int, customer_id: int) -> str:
    """Mirror the member's Klubb-owned fields into the customer's ``$app:loyalty`` metafields.

    For a member, only while a push is pending (``fields_push_pending_since``): the marker read
    is cleared afterwards unless a newer change set it again meanwhile. For a customer who is no
    longer a member, everything Klubb wrote is removed (no marker: leaving detaches the row).
    """
    from runtime import current_runtime

    rt = current_runtime()
    with rt.lock(f"member-fields:{shop_id}:{customer_id}"):
        with rt.sessions() as s:
            domain = s.scalar(select(Shop.domain).where(Shop.id == shop_id))
            member = s.scalars(
                select(Member).where(
                    Member.shop_id == shop_id,
                    Member.customer_id == customer_id,
                    Member.status != MemberStatus.ANONYMISED,
                )
            ).one_or_none()
            values: dict[str, str | None] = {name: None for name in FIELD_TYPES}
            pending: datetime | None = None
            if member is not None:
                pending = member.fields_push_pending_since
                if pending is None:
                    return "already synced"
                values = {
                    "birthday": member.birthday.isoformat() if member.birthday else None,
                    "preferred_name": member.preferred_name,
                    "language": member.language,
                }
        if domain is None:
            outcome = "shop gone"
        else:
            outcome = _write_fields(domain, customer_id, values, member is not None)
        if member is not None:  # compare-and-clear: a newer change keeps its marker
            with rt.sessions.begin() as s:
                s.execute(
                    update(Member)
                    .where(Member.id == member.id, Member.fields_push_pending_since == pending)
                    .values(fields_push_pending_since=None)
                )
        return outcome


def clean_up_departure(request_id: int) -> str:
    """Remove what Klubb wrote on a customer who left the club, then forget their customer id.

    The fields, balance and member tag go through :func:`sync_member_fields`, which reads the
    customer's state when it runs (one who joined again meanwhile keeps the new membership's);
    the request's unused reward codes are deleted. Shopify's unavailability raises, so RQ
    retries and the id stays until it is done.
    """
    from loyalty.privacy.codes import delete_pending_codes
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    with rt.sessions() as s:
        row = s.execute(
            select(PrivacyRequest.shop_id, PrivacyRequest.shopify_cleanup_customer_id).where(
                PrivacyRequest.id == request_id
            )
        ).one_or_none()
    if row is None or row.shopify_cleanup_customer_id is None or row.shop_id is None:
        return "already cleaned up"
    outcome = sync_member_fields(row.shop_id, row.shopify_cleanup_customer_id)
    delete_pending_codes(rt.sessions, shopify_client(), shop_access_token, request_id)
    with rt.sessions.begin() as s:
        s.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(shopify_cleanup_customer_id=None)
        )
    return outcome


def departure_job_id(request_id: int) -> str:
    """The cleanup job of one leave request (one at a time)."""
    return f"departure-{request_id}"


def enqueue_departure_cleanup(rt: Runtime, request_id: int) -> bool:
    """Queue :func:`clean_up_departure` now; False if Redis did not take it (the sweeper will)."""
    return _enqueue_once(rt, clean_up_departure, (request_id,), departure_job_id(request_id))


def _write_fields(
    domain: str, customer_id: int, values: dict[str, str | None], is_member: bool
) -> str:
    owner = customer_gid(customer_id)
    to_set = [
        {"ownerId": owner, "namespace": NAMESPACE, "key": k, "type": FIELD_TYPES[k], "value": v}
        for k, v in values.items()
        if v
    ]
    gone = [k for k, v in values.items() if not v] + ([] if is_member else [BALANCE_KEY])
    to_delete = [{"ownerId": owner, "namespace": NAMESPACE, "key": k} for k in gone]
    calls: list[tuple[str, str, dict[str, Any]]] = []
    if to_set:
        calls.append((SET_FIELDS, "metafieldsSet", {"metafields": to_set}))
    calls.append((DELETE_FIELDS, "metafieldsDelete", {"metafields": to_delete}))
    if not is_member:
        calls.append((REMOVE_TAG, "tagsRemove", {"id": owner, "tags": [MEMBER_TAG]}))
    outcome = "synced" if is_member else "removed"
    for query, field, variables in calls:
        if field == "metafieldsDelete" and not to_delete:
            continue
        data = _graphql(domain, query, variables)
        if data is None:
            return "shop not installed"
        errors = (data.get(field) or {}).get("userErrors") or []
        if errors:
            log.warning("member fields (%s): Shopify refused (%s)", field, _codes(errors))
            outcome = "refused"
    return outcome


def _graphql(domain: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
    """Run a mutation for the shop; None when it has no usable installation any more."""
    from runtime import shop_access_token, shopify_client

    try:
        token = shop_access_token(domain)
    except (ShopNotInstalled, TokenUnavailable) as err:
        log.warning("shopify sync for %s skipped: %s", domain, err.code)
        return None
    return shopify_client().graphql(domain, token, query, variables)


def _codes(errors: list[dict[str, Any]]) -> str:
    """userErrors as their codes and field paths (their messages may echo values)."""
    return ", ".join(f"{e.get('code') or 'error'}@{'.'.join(e.get('field') or [])}" for e in errors)


# --- The sweeper's half: pushes still pending are enqueued again --------------------------------

PENDING_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 500
# A job of the same id is replaced only once FINISHED: a live one will act, and a failed one
# (retries spent) is left alone until RQ forgets it (failure_ttl).


def consent_job_id(consent_event_id: int) -> str:
    """The sweeper's job for one consent event (one at a time)."""
    return f"push-consent-{consent_event_id}"


def fields_job_id(shop_id: int, customer_id: int) -> str:
    """The sweeper's job for one member's fields (one at a time)."""
    return f"member-fields-{shop_id}-{customer_id}"


def sweep_pending_pushes(
    rt: Runtime, older_than: timedelta = PENDING_AFTER, now: datetime | None = None
) -> int:
    """Enqueue the push of every change still pending after ``older_than``; how many.

    At most one sweeper job per change is live at a time, and one whose retries were spent is
    left until RQ forgets it (a week), so an outage at Shopify does not pile jobs up.
    """
    cutoff = (now or utcnow()) - older_than
    with rt.sessions() as s:
        consents = list(
            s.scalars(
                select(ConsentEvent.id)
                .where(ConsentEvent.push_pending_since < cutoff)
                .order_by(ConsentEvent.push_pending_since)
                .limit(SWEEP_LIMIT)
            )
        )
        members = s.execute(
            select(Member.shop_id, Member.customer_id)
            .where(Member.fields_push_pending_since < cutoff)
            .order_by(Member.fields_push_pending_since)
            .limit(SWEEP_LIMIT)
        ).all()
        departures = list(
            s.scalars(
                select(PrivacyRequest.id)
                .where(
                    PrivacyRequest.shopify_cleanup_customer_id.is_not(None),
                    PrivacyRequest.received_at < cutoff,
                )
                .order_by(PrivacyRequest.received_at)
                .limit(SWEEP_LIMIT)
            )
        )
    enqueued = sum(
        _enqueue_once(rt, push_consent, (event_id,), consent_job_id(event_id))
        for event_id in consents
    )
    enqueued += sum(
        _enqueue_once(rt, sync_member_fields, (shop_id, cid), fields_job_id(shop_id, cid))
        for shop_id, cid in members
    )
    enqueued += sum(enqueue_departure_cleanup(rt, request_id) for request_id in departures)
    if enqueued:
        log.info("push sweeper enqueued %d pending Shopify pushes", enqueued)
    return enqueued


def _enqueue_once(rt: Runtime, func: Any, args: tuple[int, ...], job_id: str) -> bool:
    """Enqueue ``func(*args)`` as ``job_id`` unless that job is live or failed; False if not."""
    try:
        return enqueue_once(rt, QUEUE, func, *args, job_id=job_id, replace=FINISHED, retry=RETRY)
    except QueueUnavailable:
        log.warning("job %s not enqueued: Redis unavailable; the push sweeper retries", job_id)
        return False
