"""``orders/*`` and ``refunds/create``: the order's facts into the points engine."""

from __future__ import annotations

from typing import Any

from loyalty import orders, rewards
from loyalty.privacy import customer_hash_key
from webhooks.context import EventContext
from webhooks.registry import handles


@handles("orders/paid", "orders/updated", "orders/cancelled")
def order_changed(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Store the order's facts, post what it owes beyond what it holds, mark reward codes used."""
    if ctx.shop_id is None:
        return
    record = orders.apply_order(
        ctx.rt.sessions,
        ctx.shop_id,
        payload,
        hash_key=customer_hash_key(ctx.rt.config),
        triggered_at=ctx.triggered_at,
    )
    codes = [
        str(entry["code"])
        for entry in payload.get("discount_codes") or []
        if isinstance(entry, dict) and entry.get("code")
    ]
    if codes:
        rewards.mark_codes_used(ctx.rt.sessions, ctx.shop_id, record.order_id, codes)


@handles("refunds/create")
def refund_created(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Record the refund once and claw back what its order no longer earns."""
    if ctx.shop_id is None:
        return
    orders.apply_refund(ctx.rt.sessions, ctx.shop_id, payload)
