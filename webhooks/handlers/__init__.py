"""Topic → handler: the one table the webhook job dispatches on (one handler per topic family).

A test checks :data:`HANDLERS` against the topics ``shopify_app.toml`` subscribes to, so a topic
is never subscribed without a handler, nor handled without a subscription.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webhooks.context import EventContext
from webhooks.handlers import catalog, customers, orders, privacy, shop

Handler = Callable[[EventContext, dict[str, Any]], None]

HANDLERS: dict[str, Handler] = {
    "customers/create": customers.customer_changed,
    "customers/update": customers.customer_changed,
    "customers/delete": customers.customer_deleted,
    "orders/paid": orders.order_changed,
    "orders/updated": orders.order_changed,
    "orders/cancelled": orders.order_changed,
    "refunds/create": orders.refund_created,
    "customers/data_request": privacy.customer_data_requested,
    "customers/redact": privacy.customer_redact_requested,
    "shop/redact": privacy.shop_redact_requested,
    "shop/update": shop.shop_updated,
    "app/uninstalled": shop.app_uninstalled,
    "collections/update": catalog.collection_updated,
    "collections/delete": catalog.collection_deleted,
    "products/update": catalog.product_updated,
    "products/delete": catalog.product_deleted,
}
