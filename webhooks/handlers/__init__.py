"""Topic handlers; importing this package registers them all in ``webhooks.registry.HANDLERS``."""

from webhooks.handlers import customers, orders, privacy, shop  # noqa: F401
