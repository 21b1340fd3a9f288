"""Jobs that finish redemptions: the code Shopify was too slow for, and the periodic upkeep.

- :func:`finish_redemption` runs on the ``shopify`` queue when a redemption answered 202. It
  carries only the redemption's id, looks the code up before creating it (the first try may
  have reached Shopify after all), and raises while Shopify is not ready so RQ retries it;
  on its last retry the points come back instead.
- Points given back (a refused code, a released reservation) reach Shopify's balance metafield
  through the coalesced sync (``jobs.engine.enqueue_balance_sync``).
- :func:`maintain_redemptions` (``jobs.schedule``) releases reservations a crash left
  behind and expires codes past their end.
- :func:`check_free_products` (``jobs.schedule``, hourly) reads each free-product reward's
  variant from Shopify: a deleted product pauses it, a new price is followed or pauses it.
"""

from __future__ import annotations

from datetime import timedelta

from rq import get_current_job

from jobs.engine import enqueue_balance_sync
from loyalty.core.types import utcnow


class RedemptionNotFinished(Exception):
    """Shopify is not ready yet; raised so RQ retries the finishing job."""


def finish_redemption(redemption_id: int) -> str:
    """Create a reserved redemption's code; its state afterwards (raises to be retried)."""
    from loyalty.core.models import RedemptionState
    from loyalty.rewards.issuing import issue_code
    from runtime import current_runtime, shop_access_token, shopify_client

    job = get_current_job()
    last_try = job is None or not job.retries_left
    view = issue_code(
        current_runtime().sessions,
        shopify_client(),
        shop_access_token,
        redemption_id,
        look_first=True,
        give_up=last_try,
    )
    if view.state == RedemptionState.RESERVED:
        raise RedemptionNotFinished(f"redemption {redemption_id}: Shopify not ready")
    if view.state == RedemptionState.RETURNED:
        enqueue_balance_sync(current_runtime(), view.member_id)  # the points came back
    return str(view.state)


def maintain_redemptions() -> dict[str, int]:
    """Settle reservations left behind (points back exactly once) and expire old codes."""
    from loyalty.rewards.issuing import release_stale_reservations
    from loyalty.rewards.redemption_states import (
        expire_codes,
        members_given_back,
        stale_reservations,
    )
    from runtime import current_runtime, shop_access_token, shopify_client

    rt = current_runtime()
    # Config.reservation_release_minutes: longer than the finishing job's retries take.
    older_than, now = timedelta(minutes=rt.config.reservation_release_minutes), utcnow()
    stale = stale_reservations(rt.sessions, older_than, now=now)  # what the release sees
    summary = release_stale_reservations(
        rt.sessions, shopify_client(), shop_access_token, older_than=older_than, now=now
    )
    for member_id in members_given_back(rt.sessions, stale):
        enqueue_balance_sync(rt, member_id)
    summary["expired"] = expire_codes(rt.sessions)
    return summary


def check_free_products() -> dict[str, int]:
    """Free-product rewards against Shopify: follow a new price or pause (counts by outcome)."""
    from loyalty.rewards.free_products import check_free_products as check
    from loyalty.shopify.products import variant_lookup
    from runtime import current_runtime, shop_access_token, shopify_client

    return check(current_runtime().sessions, variant_lookup(shopify_client(), shop_access_token))
