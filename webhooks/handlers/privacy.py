"""The mandatory compliance topics: ``customers/data_request``, ``customers/redact``, ``shop/redact``.

They run on the ``privacy`` queue, also for uninstalled shops. Each first checks that the body's
``shop_domain`` is the shop that delivered it (else :class:`ShopDomainMismatch`, so the event is
marked failed), then calls one service. The last step erases the event's raw body (it holds the
customer's email and phone), or for ``shop/redact`` deletes the row with the rest of the shop.
Log lines carry row ids and counts, never personal data.
"""

from __future__ import annotations

import logging
from typing import Any

from jobs import shopify_sync
from jobs.privacy import enqueue_code_deletion
from jobs.queueing import RETRY_SHOPIFY, enqueue
from loyalty.privacy import compliance as privacy
from loyalty.privacy.export import export_customer_data
from loyalty.privacy.purge import purge_shop
from loyalty.privacy.redact import redact_customer
from loyalty.privacy.webhook_bodies import erase_event_body
from webhooks.context import EventContext

log = logging.getLogger(__name__)

PURGE_TIME_BUDGET = 40.0
"""Seconds one ``shop/redact`` run may spend deleting (the job's timeout is 60 s)."""


def customer_data_requested(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Export what Klubb holds about the customer onto a ``data_request`` PrivacyRequest."""
    request = privacy.parse_customer_request(payload, ctx.shop_domain)
    if ctx.shop_id is None:
        log.info("data request (event %s): shop unknown, nothing held", ctx.event_row_id)
    else:
        row_id = export_customer_data(
            ctx.rt.sessions,
            privacy.customer_hash_keys(ctx.rt.config),
            ctx.shop_id,
            request,
            received_at=ctx.received_at,
        )
        log.info("data request (event %s): export ready on request %s", ctx.event_row_id, row_id)
    erase_event_body(ctx.rt.sessions, ctx.event_row_id)


def customer_redact_requested(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Anonymise the customer's member, tombstone them, erase webhook bodies about them."""
    request = privacy.parse_customer_request(payload, ctx.shop_domain)
    if ctx.shop_id is None:
        log.info("customer redact (event %s): shop unknown, nothing held", ctx.event_row_id)
    else:
        done = redact_customer(
            ctx.rt.sessions,
            privacy.customer_hash_keys(ctx.rt.config),
            ctx.shop_id,
            ctx.shop_domain,
            request,
            received_at=ctx.received_at,
            skip_event_id=ctx.event_row_id,
        )
        if done is not None and done.discount_ids:
            enqueue_code_deletion(ctx.rt, done.request_id)
        if done is not None:
            # The member tag and Klubb's metafields come off the customer in Shopify.
            enqueue(
                ctx.rt,
                shopify_sync.QUEUE,
                shopify_sync.sync_member_fields,
                ctx.shop_id,
                request.customer_id,
                retry=RETRY_SHOPIFY,
            )
            log.info(
                "customer redact (event %s): request %s, %d bodies erased, %d codes to delete",
                ctx.event_row_id,
                done.request_id,
                done.bodies_erased,
                len(done.discount_ids),
            )
    erase_event_body(ctx.rt.sessions, ctx.event_row_id)


def shop_redact_requested(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Delete every row of the shop in short batches; a ShopRedaction is all that stays."""
    privacy.check_shop_domain(payload, ctx.shop_domain)
    result = purge_shop(
        ctx.rt.sessions,
        ctx.shop_domain,
        event_row_id=ctx.event_row_id,
        time_budget=PURGE_TIME_BUDGET,
    )
    if result.skipped_installed:
        log.warning("shop redact (event %s): shop is installed again; kept", ctx.event_row_id)
        return
    if not result.done:
        log.info("shop redact (event %s): %d rows so far", ctx.event_row_id, result.total)
        raise privacy.ShopRedactionUnfinished("time budget spent; the retry continues")
    log.info("shop redact (event %s): %d rows deleted", ctx.event_row_id, result.total)
