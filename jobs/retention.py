"""The retention sweeps as periodic jobs (:mod:`loyalty.privacy.retention`; scheduled in
:mod:`jobs.schedule`).

Each runs hourly on the ``privacy`` queue over every shop, each shop by its own retention
settings (``program_settings``; the default periods for a shop without a row), stops after
:data:`TIME_BUDGET` seconds so GDPR webhooks are never kept waiting long, and leaves the rest to
the next run. Each returns counts only (RQ keeps the return value).
"""

from __future__ import annotations

from jobs import shopify_sync

TIME_BUDGET = 30.0
"""Seconds one sweep may spend (the job's timeout is longer)."""


def anonymise_inactive_members() -> dict[str, int | bool]:
    """Anonymise members inactive for longer than their shop's retention period."""
    from loyalty.privacy import retention
    from loyalty.privacy.compliance import customer_hash_keys
    from runtime import current_runtime

    rt = current_runtime()
    sweep = retention.anonymise_inactive_members(
        rt.sessions, customer_hash_keys(rt.config), time_budget=TIME_BUDGET
    )
    # Klubb's fields, tag and unused codes off each customer in Shopify; what Redis does not
    # take now the push sweeper queues later (the request keeps the customer id until then).
    for request_id in sweep.departures:
        shopify_sync.enqueue_departure_cleanup(rt, request_id)
    return {"anonymised": sweep.count, "done": sweep.done}


def erase_old_webhook_bodies() -> dict[str, int | bool]:
    """Drop raw webhook bodies older than their shop's retention period."""
    from loyalty.privacy import retention
    from runtime import current_runtime

    sweep = retention.erase_old_webhook_bodies(current_runtime().sessions, time_budget=TIME_BUDGET)
    return {"erased": sweep.count, "done": sweep.done}


def delete_old_exports() -> dict[str, int | bool]:
    """Delete privacy exports older than their shop's retention period."""
    from loyalty.privacy import retention
    from runtime import current_runtime

    sweep = retention.delete_old_exports(current_runtime().sessions, time_budget=TIME_BUDGET)
    return {"deleted": sweep.count, "done": sweep.done}


def delete_old_audit_entries() -> dict[str, int | bool]:
    """Delete audit entries older than their shop's retention period."""
    from loyalty.privacy import retention
    from runtime import current_runtime

    sweep = retention.delete_old_audit_entries(current_runtime().sessions, time_budget=TIME_BUDGET)
    return {"deleted": sweep.count, "done": sweep.done}
