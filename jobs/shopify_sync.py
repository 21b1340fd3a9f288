"""Jobs on the ``shopify`` queue that tell Shopify what a member changed in the widget.

Thin over :mod:`loyalty.shopify.member_sync` (the pushes) and
:mod:`loyalty.shopify.pending_pushes` (their markers); each job holds the lock that keeps its
copies from running at once:

- :func:`push_consent` (a ConsentEvent id), under a per-event lock;
- :func:`sync_member_fields` (shop id, customer id), under a per-customer lock;
- :func:`clean_up_departure` (a leave request's id): when a member leaves the club, everything
  Klubb wrote on the customer (as for a non-member) and their unused reward codes go.

Durability (the webhook outbox's rule, for what a member changes): the change and a "push
pending" marker are committed together; the widget then enqueues the job, and
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

from jobs.queueing import FINISHED, QueueUnavailable, enqueue_once
from jobs.queueing import RETRY_SHOPIFY as RETRY
from loyalty.core.types import utcnow
from loyalty.shopify import member_sync
from loyalty.shopify.pending_pushes import (
    departure_to_clean_up,
    forget_departed_customer,
    pending_pushes,
)

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "shopify"


def push_consent(consent_event_id: int) -> str:
    """Push one consent change to Shopify, unless a newer change of that channel exists.

    Runs under a per-event lock and only while the event's push is pending, so copies of the
    job push it once; every outcome but a retryable failure clears the pending marker.
    """
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    with rt.lock(f"consent-push:{consent_event_id}"):
        return member_sync.push_consent(
            rt.sessions, shopify_client(), shop_access_token, consent_event_id
        )


def sync_member_fields(shop_id: int, customer_id: int) -> str:
    """Mirror the member's Klubb-owned fields into the customer's ``$app:loyalty`` metafields.

    Under a per-customer lock (:func:`loyalty.shopify.member_sync.sync_member_fields`: for a
    member only while a push is pending; for a customer who is no longer a member, everything
    Klubb wrote is removed).
    """
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    with rt.lock(f"member-fields:{shop_id}:{customer_id}"):
        return member_sync.sync_member_fields(
            rt.sessions, shopify_client(), shop_access_token, shop_id, customer_id
        )


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
    departure = departure_to_clean_up(rt.sessions, request_id)
    if departure is None:
        return "already cleaned up"
    outcome = sync_member_fields(*departure)
    delete_pending_codes(rt.sessions, shopify_client(), shop_access_token, request_id)
    forget_departed_customer(rt.sessions, request_id)
    return outcome


def refresh_member_profile(member_id: int) -> str:
    """Copy a member's name, email and phone from Shopify (a member no webhook will describe:
    one who joined again in the widget after leaving)."""
    from loyalty.shopify.customer_profile import refresh_profile
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    outcome = refresh_profile(rt.sessions, shopify_client(), shop_access_token, member_id)
    log.info("member %s profile: %s", member_id, outcome)
    return outcome


def enqueue_profile_refresh(rt: Runtime, member_id: int) -> bool:
    """Queue :func:`refresh_member_profile`; False if Redis did not take it (the member keeps
    a blank copy until a ``customers/update`` or the next join)."""
    return _enqueue_once(rt, refresh_member_profile, (member_id,), f"profile-{member_id}")


def push_proxy_path(shop_id: int, path_prefix: str) -> str:
    """Tell the theme's Liquid where the app proxy is (:mod:`loyalty.shopify.proxy_path`)."""
    from loyalty.shopify import proxy_path
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    outcome = proxy_path.push_proxy_path(
        rt.sessions, shopify_client(), shop_access_token, shop_id, path_prefix
    )
    log.info("shop %s proxy path: %s", shop_id, outcome)
    return outcome


def enqueue_proxy_path_push(rt: Runtime, shop_id: int, path_prefix: str) -> bool:
    """Queue :func:`push_proxy_path`; False if Redis did not take it (nothing is stored until
    the push is done, so the next proxied request asks again)."""
    job_id = f"proxy-path-{shop_id}-{path_prefix.strip('/').replace('/', '-')}"
    return _enqueue_once(rt, push_proxy_path, (shop_id, path_prefix), job_id)


def departure_job_id(request_id: int) -> str:
    """The cleanup job of one leave request (one at a time)."""
    return f"departure-{request_id}"


def enqueue_departure_cleanup(rt: Runtime, request_id: int) -> bool:
    """Queue :func:`clean_up_departure` now; False if Redis did not take it (the sweeper will)."""
    return _enqueue_once(rt, clean_up_departure, (request_id,), departure_job_id(request_id))


# --- The sweeper's half: pushes still pending are enqueued again --------------------------------

PENDING_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 500
# A job of the same id is replaced only once FINISHED: a live one will act, and a failed one
# (retries spent) is left alone until RQ forgets it (failure_ttl).


def consent_job_id(consent_event_id: int) -> str:
    """The sweeper's job for one consent event (one at a time)."""
    return f"push-consent-{consent_event_id}"


def enqueue_consent_push(rt: Runtime, consent_event_id: int) -> bool:
    """Queue :func:`push_consent` now (a STOP reply, say); False if Redis did not take it,
    in which case the push sweeper queues it once it is a minute old."""
    return _enqueue_once(rt, push_consent, (consent_event_id,), consent_job_id(consent_event_id))


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
    pending = pending_pushes(rt.sessions, (now or utcnow()) - older_than, SWEEP_LIMIT)
    enqueued = sum(
        _enqueue_once(rt, push_consent, (event_id,), consent_job_id(event_id))
        for event_id in pending.consent_event_ids
    )
    enqueued += sum(
        _enqueue_once(rt, sync_member_fields, (shop_id, cid), fields_job_id(shop_id, cid))
        for shop_id, cid in pending.member_fields
    )
    enqueued += sum(
        enqueue_departure_cleanup(rt, request_id) for request_id in pending.departure_request_ids
    )
    if enqueued:
        log.info("push sweeper enqueued %d pending Shopify pushes", enqueued)
    return enqueued


def _enqueue_once(rt: Runtime, func: Any, args: tuple[int | str, ...], job_id: str) -> bool:
    """Enqueue ``func(*args)`` as ``job_id`` unless that job is live or failed; False if not."""
    try:
        return enqueue_once(rt, QUEUE, func, *args, job_id=job_id, replace=FINISHED, retry=RETRY)
    except QueueUnavailable:
        log.warning("job %s not enqueued: Redis unavailable; the push sweeper retries", job_id)
        return False
