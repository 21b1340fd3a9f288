"""``shop/update`` and ``app/uninstalled``."""

from __future__ import annotations

from typing import Any

from loyalty.shopify.shop_events import apply_shop_update, record_uninstall
from webhooks.context import EventContext


def shop_updated(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Currency, time zone, locale and name follow the shop's settings."""
    if ctx.shop_id is not None:
        apply_shop_update(ctx.rt.sessions, ctx.shop_id, payload)


def app_uninstalled(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Tokens are dropped; members and ledger stay until ``shop/redact``."""
    if ctx.shop_id is not None:
        record_uninstall(ctx.rt.sessions, ctx.shop_id, ctx.triggered_at or ctx.received_at)
