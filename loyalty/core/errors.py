"""The domain's error tree.

LoyaltyError
├── ValidationError     input that breaks a rule; carries a message per field (HTTP 422)
├── NotFound            no such object in this shop (HTTP 404)
└── ShopifyError        Shopify's Admin API or token endpoint failed (see shopify_client)
"""

from __future__ import annotations


class LoyaltyError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"


class ValidationError(LoyaltyError):
    """Input that breaks a rule; ``fields`` maps a field name to a human message."""

    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str = "Some fields are not valid.") -> None:
        super().__init__(message)
        self.fields = fields
        self.message = message


class NotFound(LoyaltyError):
    """The object does not exist in this shop."""

    code = "not_found"
