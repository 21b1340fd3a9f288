"""``orders/*`` and ``refunds/create``: the order's facts into the points engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jobs import engine as engine_jobs
from jobs import vouchers as voucher_jobs
from jobs.stamps import enqueue_stamp_rewards
from loyalty.campaigns import campaign_codes
from loyalty.club.stamp_rewards import mark_rewards_used
from loyalty.club.voucher_moves import mark_codes_used as mark_vouchers_used
from loyalty.core.models import OrderRecord
from loyalty.core.payloads import order_discount_codes
from loyalty.points import orders, welcome_state
from loyalty.privacy.compliance import customer_hash_keys
from loyalty.rewards.redemption_states import mark_codes_used
from webhooks.context import EventContext


def order_changed(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Store the order's facts and lines, post the points and stamps it owes beyond what it
    holds, queue the codes of cards it filled, mark reward codes, voucher codes and the welcome
    code used, and queue the member's vouchers' syncs."""
    if ctx.shop_id is None:
        return
    record = orders.apply_order(
        ctx.rt.sessions,
        ctx.shop_id,
        payload,
        hash_key=customer_hash_keys(ctx.rt.config),
        triggered_at=ctx.triggered_at,
    )
    codes = order_discount_codes(payload)
    if codes:
        mark_codes_used(ctx.rt.sessions, ctx.shop_id, record.order_id, codes)
        mark_vouchers_used(ctx.rt.sessions, ctx.shop_id, codes)
        mark_rewards_used(ctx.rt.sessions, ctx.shop_id, record.order_id, codes)
        welcome_state.record_used(
            ctx.rt.sessions,
            ctx.shop_id,
            member_id=record.member_id,
            customer_id=record.customer_id,
            order_id=record.order_id,
            discount_codes=codes,
            keys=customer_hash_keys(ctx.rt.config),
            used_at=record.ordered_at or ctx.received_at,
        )
        campaign_codes.record_used(
            ctx.rt.sessions,
            ctx.shop_id,
            member_id=record.member_id,
            order_id=record.order_id,
            discount_codes=codes,
            used_at=record.ordered_at or ctx.received_at,
        )
    if record.member_id is not None:
        # A customer this order enrolled gets the welcome code, as through customers/create.
        engine_jobs.welcome_newcomer(ctx.rt, record.member_id, ctx.received_at)
        # Coalesced, and a no-op in Shopify when the balance did not move.
        engine_jobs.enqueue_balance_sync(ctx.rt, record.member_id)
        voucher_jobs.enqueue_member_vouchers(ctx.rt, record.member_id)
        # A card this order filled: its reward's code (the rows are the outbox).
        enqueue_stamp_rewards(ctx.rt, ctx.shop_id, record.member_id)


def refund_created(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Record the refund once and claw back what its order no longer earns."""
    if ctx.shop_id is None:
        return
    refund = orders.apply_refund(ctx.rt.sessions, ctx.shop_id, payload)
    member_id = _member_of_order(ctx, refund.order_id)
    if member_id is not None:
        engine_jobs.enqueue_balance_sync(ctx.rt, member_id)
        voucher_jobs.enqueue_member_vouchers(ctx.rt, member_id)


def _member_of_order(ctx: EventContext, order_id: int) -> int | None:
    """The member an order belongs to, if any (one indexed look-up)."""
    with ctx.rt.sessions() as s:
        return s.scalar(
            select(OrderRecord.member_id).where(
                OrderRecord.shop_id == ctx.shop_id, OrderRecord.order_id == order_id
            )
        )
