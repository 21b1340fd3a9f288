"""``customers/create``, ``customers/update`` and ``customers/delete``."""

from __future__ import annotations

from typing import Any

from loyalty import members
from loyalty.privacy import customer_hash_key
from webhooks.context import EventContext
from webhooks.registry import handles


@handles("customers/create", "customers/update")
def customer_changed(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Enrol the customer (when the shop auto-enrols) and refresh the member's copy."""
    if ctx.shop_id is None:
        return
    members.upsert_from_customer_payload(
        ctx.rt.sessions,
        ctx.shop_id,
        payload,
        customer_hash_key(ctx.rt.config),
        triggered_at=ctx.triggered_at,
    )


@handles("customers/delete")
def customer_deleted(ctx: EventContext, payload: dict[str, Any]) -> None:
    """The customer is gone from Shopify: anonymise the member, keep the amounts."""
    if ctx.shop_id is None:
        return
    members.delete_customer(ctx.rt.sessions, ctx.shop_id, payload, customer_hash_key(ctx.rt.config))
