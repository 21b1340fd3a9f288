"""Deleting a redacted or departed member's unused reward codes in Shopify.

``customers/redact`` and leaving the club store the discount ids still to delete on their
PrivacyRequest (``{"format", "discount_ids"}``). This deletes them one at a time, each call
outside any database transaction, and takes each id off the list once Shopify confirms, so a
retry carries on where the last run stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import PrivacyRequest, Shop
from loyalty.rewards.discount_codes import delete_code
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable


def pending_codes(sessions: sessionmaker[Session], request_id: int) -> tuple[str | None, list[str]]:
    """The shop domain and the discount ids the request still has to delete."""
    with sessions() as s:
        row = s.get(PrivacyRequest, request_id)
        if row is None or row.shop_id is None or not row.export_json:
            return None, []
        shop = s.get(Shop, row.shop_id)
        held = json.loads(row.export_json).get("discount_ids", [])
        return (shop.domain if shop and shop.is_installed else None), [str(i) for i in held]


def _forget(sessions: sessionmaker[Session], request_id: int, discount_id: str) -> None:
    with sessions.begin() as s:
        row = s.get(PrivacyRequest, request_id, with_for_update=True)
        if row is None or not row.export_json:
            return
        record = json.loads(row.export_json)
        record["discount_ids"] = [i for i in record.get("discount_ids", []) if i != discount_id]
        row.export_json = json.dumps(record)


def delete_pending_codes(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    token_for: Callable[[str], str],
    request_id: int,
) -> int:
    """Delete the request's codes in Shopify; how many were taken off its list.

    A shop that is not installed has no token: nothing can be deleted, and Shopify removes the
    app's data on uninstall. Shopify errors propagate, so the job is retried.
    """
    shop, ids = pending_codes(sessions, request_id)
    if shop is None or not ids:
        return 0
    try:
        token = token_for(shop)
    except (ShopNotInstalled, TokenUnavailable):
        return 0  # no usable token: the merchant must open the app again; Shopify keeps the codes
    for discount_id in ids:
        delete_code(client, shop, token, discount_id)  # False: already gone, which is fine
        _forget(sessions, request_id, discount_id)
    return len(ids)
