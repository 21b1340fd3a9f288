"""The retention sweeps as periodic jobs (:mod:`loyalty.retention`; scheduled in
:mod:`webhooks.schedule`).

Each runs hourly on the ``privacy`` queue over every shop, each shop by its own retention
settings (``program_settings``; the default periods for a shop without a row), stops after
:data:`TIME_BUDGET` seconds so GDPR webhooks are never kept waiting long, and leaves the rest to
the next run. Each returns counts only (RQ keeps the return value).
"""

from __future__ import annotations

from webhooks import shopify_sync
from webhooks.worker import app_job

TIME_BUDGET = 30.0
"""Seconds one sweep may spend (the job's timeout is longer)."""


@app_job
def anonymise_inactive_members() -> dict[str, int | bool]:
    """Anonymise members inactive for longer than their shop's retention period."""
    from extensions import runtime
    from loyalty import retention
    from loyalty.privacy import customer_hash_keys

    rt = runtime()
    sweep = retention.anonymise_inactive_members(
        rt.sessions, customer_hash_keys(rt.config), time_budget=TIME_BUDGET
    )
    # Klubb's fields, tag and unused codes off each customer in Shopify; what Redis does not
    # take now the push sweeper queues later (the request keeps the customer id until then).
    for request_id in sweep.departures:
        shopify_sync.enqueue_departure_cleanup(rt, request_id)
    return {"anonymised": sweep.count, "done": sweep.done}


@app_job
def erase_old_webhook_bodies() -> dict[str, int | bool]:
    """Drop raw webhook bodies older than their shop's retention period."""
    from extensions import runtime
    from loyalty import retention

    sweep = retention.erase_old_webhook_bodies(runtime().sessions, time_budget=TIME_BUDGET)
    return {"erased": sweep.count, "done": sweep.done}


@app_job
def delete_old_exports() -> dict[str, int | bool]:
    """Delete privacy exports older than their shop's retention period."""
    from extensions import runtime
    from loyalty import retention

    sweep = retention.delete_old_exports(runtime().sessions, time_budget=TIME_BUDGET)
    return {"deleted": sweep.count, "done": sweep.done}


@app_job
def delete_old_audit_entries() -> dict[str, int | bool]:
    """Delete audit entries older than their shop's retention period."""
    from extensions import runtime
    from loyalty import retention

    sweep = retention.delete_old_audit_entries(runtime().sessions, time_budget=TIME_BUDGET)
    return {"deleted": sweep.count, "done": sweep.done}
