"""``products/*`` and ``collections/*``: keep the stamp cards' collections current.

An update queues a look-up through the Admin API (the ``shopify`` queue; the body does not list
a collection's products); a delete pauses the cards that name the product or collection at once
(:mod:`loyalty.club.stamp_catalog`).
"""

from __future__ import annotations

import logging
from typing import Any

from jobs.stamps import enqueue_collection_refresh, enqueue_product_refresh
from loyalty.club import stamp_catalog
from loyalty.core.ids import id_from_json
from webhooks.context import EventContext

log = logging.getLogger(__name__)


def _tracked(ctx: EventContext) -> set[int]:
    assert ctx.shop_id is not None
    with ctx.rt.sessions() as s:
        return stamp_catalog.tracked_collections(s, ctx.shop_id)


def collection_updated(ctx: EventContext, payload: dict[str, Any]) -> None:
    """A collection changed: re-read its products if a card counts it."""
    collection_id = id_from_json(payload.get("id"))
    if ctx.shop_id is None or collection_id is None:
        return
    if collection_id in _tracked(ctx):
        enqueue_collection_refresh(ctx.rt, ctx.shop_id, collection_id)


def collection_deleted(ctx: EventContext, payload: dict[str, Any]) -> None:
    """A collection is gone: pause the cards that count it."""
    collection_id = id_from_json(payload.get("id"))
    if ctx.shop_id is None or collection_id is None:
        return
    paused = stamp_catalog.collection_deleted(ctx.rt.sessions, ctx.shop_id, collection_id)
    if paused:
        log.info("stamp cards paused (collection deleted): %s", paused)


def product_updated(ctx: EventContext, payload: dict[str, Any]) -> None:
    """A product changed: re-read its collections if cards count any collection."""
    product_id = id_from_json(payload.get("id"))
    if ctx.shop_id is None or product_id is None:
        return
    if _tracked(ctx):
        enqueue_product_refresh(ctx.rt, ctx.shop_id, product_id)


def product_deleted(ctx: EventContext, payload: dict[str, Any]) -> None:
    """A product is gone: pause the cards that count or give it."""
    product_id = id_from_json(payload.get("id"))
    if ctx.shop_id is None or product_id is None:
        return
    paused = stamp_catalog.product_deleted(ctx.rt.sessions, ctx.shop_id, product_id)
    if paused:
        log.info("stamp cards paused (product deleted): %s", paused)
