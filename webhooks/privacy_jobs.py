"""Privacy work that calls Shopify: deleting redacted or departed members' unused codes."""

from __future__ import annotations

from rq import Retry

from extensions import Runtime
from webhooks.worker import app_job

RETRY = Retry(max=5, interval=[30, 120, 600, 1800, 3600])


@app_job
def delete_redacted_codes(request_id: int) -> int:
    """Delete the unused reward codes a privacy request lists (retried while Shopify fails)."""
    from extensions import runtime, shop_access_token, shopify_client
    from loyalty.privacy_codes import delete_pending_codes

    return delete_pending_codes(runtime().sessions, shopify_client(), shop_access_token, request_id)


def enqueue_code_deletion(rt: Runtime, request_id: int) -> None:
    """Queue :func:`delete_redacted_codes` for the request on the ``shopify`` queue."""
    rt.queue("shopify").enqueue(
        "webhooks.privacy_jobs.delete_redacted_codes",
        request_id,
        job_id=f"privacy-codes-{request_id}",
        retry=RETRY,
    )
