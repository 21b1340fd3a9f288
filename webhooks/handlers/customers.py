"""``customers/create``, ``customers/update`` and ``customers/delete``."""

from __future__ import annotations

from typing import Any

from jobs import engine as engine_jobs
from loyalty.club.newsletter import newsletter_from_customer
from loyalty.members import enrolment as members
from loyalty.privacy.compliance import customer_hash_keys
from webhooks.context import EventContext


def customer_changed(ctx: EventContext, payload: dict[str, Any]) -> None:
    """Enrol the customer (when the shop auto-enrols) and refresh the member's copy.

    A member this event enrolled also gets the welcome code and the balance in Shopify (jobs
    on the ``shopify`` queue, each idempotent: a duplicate delivery makes one code). A member
    Shopify reports subscribed to email marketing gets the newsletter's points, once.
    """
    if ctx.shop_id is None:
        return
    member = members.upsert_from_customer_payload(
        ctx.rt.sessions,
        ctx.shop_id,
        payload,
        customer_hash_keys(ctx.rt.config),
        triggered_at=ctx.triggered_at,
    )
    if member is None:
        return
    joined = engine_jobs.welcome_newcomer(ctx.rt, member.id, ctx.received_at)
    subscribed = newsletter_from_customer(ctx.rt.sessions, ctx.shop_id, payload) is not None
    if joined or subscribed or ctx.topic == "customers/create":
        engine_jobs.enqueue_balance_sync(ctx.rt, member.id)


def customer_deleted(ctx: EventContext, payload: dict[str, Any]) -> None:
    """The customer is gone from Shopify: anonymise the member, keep the amounts."""
    if ctx.shop_id is None:
        return
    members.delete_customer(
        ctx.rt.sessions, ctx.shop_id, payload, customer_hash_keys(ctx.rt.config)
    )
