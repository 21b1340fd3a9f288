"""The analytics rollups' periodic job (:mod:`loyalty.analytics.customer_days`; scheduled in
:mod:`jobs.schedule`).

Every figure of the rollups moves with its fact, in the fact's transaction, so no rollup needs a
nightly rebuild. One thing cannot happen in a migration: orders recorded before customer keys
existed (revision 0005) need the keyed hash of their customer to count in
``customer_day_orders``. This job keys them a batch at a time, daily and when the scheduler
starts; once every order is keyed, a run reads one empty page and ends.
"""

from __future__ import annotations

BATCH = 2000
"""Orders keyed per run at most; the next run goes on."""


def key_recorded_orders() -> int:
    """Count orders recorded before revision 0005 in their customers' days; how many."""
    from loyalty.analytics.customer_days import key_recorded_orders as key_orders
    from loyalty.privacy.compliance import customer_hash_key
    from runtime import current_runtime

    rt = current_runtime()
    return key_orders(rt.sessions, customer_hash_key(rt.config), batch=BATCH)
