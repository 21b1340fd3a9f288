"""Topic handlers; importing this package registers them all in ``webhooks.registry.HANDLERS``."""

from webhooks.handlers import privacy, shop  # noqa: F401
