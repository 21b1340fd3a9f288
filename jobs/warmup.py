"""Warm SQLAlchemy's compiled-statement cache in a forking worker before it forks.

A forking RQ worker runs each job in a fresh work horse that exits afterwards. SQLAlchemy
compiles each statement once per engine and caches the result; a horse compiles into its own
copy of the cache and takes it to the grave, so every job paid for compiling its ~25
statements again: about 80 of the 116 ms an order took (bench/end_to_end.py). Running the
order path once in the worker itself, inside a transaction that is rolled back, leaves those
statements compiled in the cache every horse inherits. Nothing is written: the warm-up shop,
member, order and event exist only inside the rolled-back transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from loyalty.core.models import EventStatus, ProgramSettings, Shop, WebhookEvent
from loyalty.points import orders
from loyalty.points import welcome as _welcome  # noqa: F401 - a horse would import it on every job
from loyalty.shopify import webhook_events

log = logging.getLogger(__name__)

WARM_UP_SHOP = "klubb-warm-up.invalid"
_CUSTOMER = 1
_ORDER = 1


def _order(financial_status: str, amount: str) -> dict[str, object]:
    return {
        "id": _ORDER,
        "currency": "NOK",
        "financial_status": financial_status,
        "subtotal_price_set": {"shop_money": {"amount": amount, "currency_code": "NOK"}},
        "line_items": [{"id": 10, "price": amount, "quantity": 1, "gift_card": False}],
        "customer": {"id": _CUSTOMER},
        "processed_at": "2026-01-01T12:00:00+00:00",
        "updated_at": "2026-01-01T12:00:00+00:00",
        "source_name": "web",
    }


def warm_statement_cache(engine: Engine) -> bool:
    """Run the webhook and order paths once and roll everything back; False if that failed.

    A failure only costs the speed-up: the worker starts either way. PostgreSQL only: the
    embedded SQLite driver's savepoints cannot promise the rollback, and a dev worker does not
    need the speed.
    """
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        outer = conn.begin()
        sessions = sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            now = datetime.now(UTC)
            with sessions.begin() as s:
                shop = Shop(domain=WARM_UP_SHOP, currency="NOK", installed_at=now)
                shop.settings = ProgramSettings()
                s.add(shop)
                s.flush()
                event = WebhookEvent(
                    event_id="klubb-warm-up",
                    topic="orders/paid",
                    shop_domain=WARM_UP_SHOP,
                    shop_id=shop.id,
                    received_at=now,
                    status=EventStatus.ENQUEUED,
                    attempts=0,
                )
                s.add(event)
                s.flush()
                shop_id, event_id = shop.id, event.id
            with sessions.begin() as s:
                webhook_events.start_attempt(s, event_id)
            key = b"klubb-warm-up"
            orders.apply_order(sessions, shop_id, _order("paid", "100.00"), hash_key=key, now=now)
            orders.apply_order(sessions, shop_id, _order("paid", "120.00"), hash_key=key, now=now)
            refund = {
                "id": 2,
                "order_id": _ORDER,
                "processed_at": "2026-01-02T12:00:00+00:00",
                "refund_line_items": [
                    {"line_item_id": 10, "subtotal_set": {"shop_money": {"amount": "20.00"}}}
                ],
            }
            orders.apply_refund(sessions, shop_id, refund, now=now)
            webhook_events.set_status(sessions, event_id, EventStatus.PROCESSED)
            return True
        except Exception as err:  # the speed-up is optional; never stop a worker for it
            log.warning("statement cache warm-up skipped: %s", type(err).__name__)
            return False
        finally:
            outer.rollback()
