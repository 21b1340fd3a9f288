"""Shopify's compliance requests: what they ask, whose key names a customer, and their errors.

The three mandatory topics (SHOPIFY.md §4) are carried out by three modules, each one service
function over a session factory:

- :mod:`loyalty.privacy.export` — ``customers/data_request``: everything Klubb holds about a
  customer in a shop, as one JSON export stored on a :class:`~loyalty.core.models.PrivacyRequest`;
- :mod:`loyalty.privacy.redact` — ``customers/redact``: anonymise the member (invariant 8),
  tombstone the customer, and erase raw webhook bodies about them
  (:mod:`loyalty.privacy.webhook_bodies`);
- :mod:`loyalty.privacy.purge` — ``shop/redact``: delete every row of a shop in short batches,
  leaving only a :class:`~loyalty.core.models.ShopRedaction`.

This module holds what they share: parsing and checking a request, the customer-hash key, and
the error tree::

    PrivacyError
    ├── ComplianceRequestRefused     the request cannot be carried out as sent
    │   ├── ShopDomainMismatch       the body names another shop than the one delivering it
    │   └── InvalidComplianceRequest a required field is missing or malformed
    └── ShopRedactionUnfinished      the purge ran out of time; a retry continues it

No error message or log line carries personal data: they name fields and row ids only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty.core.config import Config
from loyalty.core.errors import LoyaltyError
from loyalty.core.ids import id_from_json
from loyalty.core.models import Shop

RESPONSE_TIME = timedelta(days=30)
"""Shopify's deadline for completing a compliance request, counted from its receipt."""

HASH_KEY_LABEL = b"klubb/customer-hash/v1"


class PrivacyError(LoyaltyError):
    """Base of the errors raised while carrying out a privacy request."""

    code = "privacy_error"


class ComplianceRequestRefused(PrivacyError):
    """A compliance webhook that cannot be carried out as sent (the event is marked failed)."""

    code = "compliance_request_refused"


class ShopDomainMismatch(ComplianceRequestRefused):
    """The body's ``shop_domain`` is not the shop that delivered it (X-Shopify-Shop-Domain)."""

    code = "shop_domain_mismatch"


class InvalidComplianceRequest(ComplianceRequestRefused):
    """A field the request needs (named in the message) is missing or malformed."""

    code = "invalid_compliance_request"


class ShopRedactionUnfinished(PrivacyError):
    """The shop's purge stopped at its time budget; raising it makes the job run again."""

    code = "shop_redaction_unfinished"


@dataclass(frozen=True)
class CustomerRequest:
    """``customers/data_request`` or ``customers/redact``, parsed and checked.

    ``email`` and ``phone`` are used only to find raw webhook bodies that mention the customer;
    they are never stored, exported or logged.
    """

    customer_id: int
    email: str | None
    phone: str | None
    order_ids: tuple[int, ...]
    request_id: str | None


def check_shop_domain(payload: Mapping[str, Any], delivered_by: str) -> None:
    """Refuse a body whose ``shop_domain`` is missing or is not the delivering shop."""
    named = payload.get("shop_domain")
    if not isinstance(named, str) or not named.strip():
        raise InvalidComplianceRequest("shop_domain is missing")
    if named.strip().lower() != delivered_by.strip().lower():
        raise ShopDomainMismatch("shop_domain does not match X-Shopify-Shop-Domain")


def parse_customer_request(payload: Mapping[str, Any], delivered_by: str) -> CustomerRequest:
    """Check the shop, then read the customer, their orders and the request id from the body.

    ``orders_requested`` (data request) and ``orders_to_redact`` (redact) are both read into
    ``order_ids``; ids that are not Shopify ids are skipped.
    """
    check_shop_domain(payload, delivered_by)
    customer = payload.get("customer")
    if not isinstance(customer, Mapping):
        raise InvalidComplianceRequest("customer is missing")
    customer_id = id_from_json(customer.get("id"))
    if customer_id is None:
        raise InvalidComplianceRequest("customer.id is missing or not a Shopify id")
    raw_orders = payload.get("orders_requested") or payload.get("orders_to_redact") or []
    orders = raw_orders if isinstance(raw_orders, list) else []
    order_ids = tuple(sorted({i for i in (id_from_json(o) for o in orders) if i is not None}))
    data_request = payload.get("data_request")
    request_id = data_request.get("id") if isinstance(data_request, Mapping) else None
    return CustomerRequest(
        customer_id=customer_id,
        email=_text(customer.get("email")),
        phone=_text(customer.get("phone")),
        order_ids=order_ids,
        request_id=str(request_id)[:100] if request_id not in (None, "") else None,
    )


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def customer_hash_keys(config: Config) -> tuple[bytes, ...]:
    """Keys for tombstone hashes, the writing key first; all are tried when reading.

    The writing key derives (HMAC-SHA256 with a fixed label) from ``KLUBB_CUSTOMER_HASH_KEY``,
    a dedicated setting that is never rotated, so a tombstone matches for as long as it exists,
    whatever happens to the app's secret. Keys derived the same way from each accepted app
    secret follow: tombstones written before the dedicated key was configured (or by an
    installation without one, which then writes with the current secret's key, as before) are
    found while the secret they were written under is still configured.
    """
    sources = [config.customer_hash_key] if config.customer_hash_key else []
    sources.extend(config.secrets)
    keys = (
        hmac.new(source.encode(), HASH_KEY_LABEL, hashlib.sha256).digest() for source in sources
    )
    return tuple(dict.fromkeys(keys))  # distinct, in order


def customer_hash_key(config: Config) -> bytes:
    """The key tombstones are written with (see :func:`customer_hash_keys`)."""
    return customer_hash_keys(config)[0]


def due_at(received_at: datetime) -> datetime:
    """When a request received at ``received_at`` must be complete."""
    return received_at + RESPONSE_TIME


def lock_shop(session: Session, shop_id: int) -> Shop | None:
    """The shop row, locked for this transaction: one privacy request per shop at a time.

    ``FOR NO KEY UPDATE`` on PostgreSQL: it does not block the foreign-key checks of rows being
    inserted for the shop meanwhile (orders keep flowing); SQLite serialises writers anyway.
    """
    return session.scalars(
        select(Shop)
        .where(Shop.id == shop_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
