"""Raw webhook bodies about a customer: found, and set to NULL.

A webhook event keeps its raw body until retention; a body about a redacted customer (their
customer or order webhooks, a refund of one of their orders, the compliance request itself)
holds their name, email, phone or address, so it is erased (invariant 8). The row stays: it is
the dedupe key and the record that the event was handled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.ids import id_from_json
from loyalty.core.models import WebhookEvent

EVENT_BATCH = 500


def erase_event_body(sessions: sessionmaker[Session], event_row_id: int) -> None:
    """Drop a processed event's raw body (a compliance body names the customer's email/phone)."""
    with sessions.begin() as s:
        s.execute(update(WebhookEvent).where(WebhookEvent.id == event_row_id).values(body=None))


def erase_bodies_mentioning(
    sessions: sessionmaker[Session],
    shop_domain: str,
    customer_id: int,
    order_ids: Iterable[int],
    texts: Sequence[str],
    skip_event_id: int | None = None,
    batch_size: int = EVENT_BATCH,
) -> int:
    """Set to NULL the raw body of every event of the shop that mentions the customer.

    The database narrows the search to bodies containing the customer id, one of the order
    ids, or one of ``texts`` (email, phone); :func:`mentions_customer` then decides on the
    parsed body. Each batch is its own short transaction. Returns how many bodies were erased.
    """
    orders = frozenset(order_ids)
    needles = {str(customer_id), *(str(o) for o in orders)}
    needles |= {t for text in texts for t in (text, text.lower())}
    last_id, erased = 0, 0
    while True:
        with sessions.begin() as s:
            contains = _body_contains(s.get_bind().dialect.name)
            query = (
                select(WebhookEvent.id, WebhookEvent.topic, WebhookEvent.body)
                .where(
                    WebhookEvent.shop_domain == shop_domain,
                    WebhookEvent.body.is_not(None),
                    WebhookEvent.id > last_id,
                    or_(*(contains(n.encode()) for n in sorted(needles))),
                )
                .order_by(WebhookEvent.id)
                .limit(batch_size)
            )
            if skip_event_id is not None:
                query = query.where(WebhookEvent.id != skip_event_id)
            rows = s.execute(query).all()
            hits = [
                r.id for r in rows if mentions_customer(r.topic, r.body, customer_id, orders, texts)
            ]
            if hits:
                s.execute(update(WebhookEvent).where(WebhookEvent.id.in_(hits)).values(body=None))
        erased += len(hits)
        if len(rows) < batch_size:
            return erased
        last_id = rows[-1].id


def _body_contains(dialect: str) -> Callable[[bytes], ColumnElement[bool]]:
    """``body`` contains these bytes: LIKE on PostgreSQL's bytea, instr() on SQLite's blobs.

    LIKE's wildcards in a needle can only widen the match; the exact test is done in Python.
    """
    if dialect == "sqlite":
        return lambda needle: func.instr(WebhookEvent.body, needle) > 0
    return lambda needle: WebhookEvent.body.contains(needle)


def mentions_customer(
    topic: str,
    body: bytes,
    customer_id: int,
    order_ids: frozenset[int],
    texts: Sequence[str],
) -> bool:
    """Whether a raw body is about the customer: their email/phone appear in it, or it names
    them (``customer.id``, ``customer_id``, a ``customers/*`` body's ``id``) or one of their
    orders (an ``orders/*`` body's ``id``, any ``order_id``). A body that is not JSON is
    treated as mentioning them (it already matched the database's search)."""
    text = body.decode("utf-8", errors="replace")
    lowered = text.lower()
    if any(t.lower() in lowered for t in texts):
        return True
    try:
        payload = json.loads(text)
    except ValueError:
        return True
    if isinstance(payload, dict):
        top_id = id_from_json(payload.get("id"))
        if topic.startswith("customers/") and top_id == customer_id:
            return True
        if topic.startswith("orders/") and top_id in order_ids:
            return True
    return any(_names_customer(node, customer_id, order_ids) for node in _dicts(payload))


def _names_customer(node: dict[str, Any], customer_id: int, order_ids: frozenset[int]) -> bool:
    customer = node.get("customer")
    if isinstance(customer, dict) and id_from_json(customer.get("id")) == customer_id:
        return True
    if id_from_json(node.get("customer_id")) == customer_id:
        return True
    return id_from_json(node.get("order_id")) in order_ids


def _dicts(value: Any) -> Iterable[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
