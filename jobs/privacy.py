"""Privacy work that calls Shopify: deleting redacted or departed members' unused codes."""

from __future__ import annotations

from jobs.queueing import RETRY_SLOW_SHOPIFY, enqueue
from runtime import Runtime


def delete_redacted_codes(request_id: int) -> int:
    """Delete the unused reward codes a privacy request lists (retried while Shopify fails)."""
    from loyalty.privacy.codes import delete_pending_codes
    from runtime import current_runtime, shop_access_token, shopify_client

    return delete_pending_codes(
        current_runtime().sessions, shopify_client(), shop_access_token, request_id
    )


def enqueue_code_deletion(rt: Runtime, request_id: int) -> None:
    """Queue :func:`delete_redacted_codes` for the request on the ``shopify`` queue.

    Raises :class:`~jobs.queueing.QueueUnavailable` when Redis is down (the handler's retry).
    """
    enqueue(
        rt,
        "shopify",
        "jobs.privacy.delete_redacted_codes",
        request_id,
        job_id=f"privacy-codes-{request_id}",
        retry=RETRY_SLOW_SHOPIFY,
    )
