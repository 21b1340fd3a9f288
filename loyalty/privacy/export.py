"""``customers/data_request``: everything Klubb holds about one customer in one shop.

The export is a JSON document (:mod:`loyalty.privacy.export_document`) stored on a
``data_request`` :class:`PrivacyRequest` (keyed by Shopify's ``data_request.id``, so a second
delivery of the same request finds the first one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, PrivacyRequest, PrivacyRequestKind
from loyalty.core.types import utcnow
from loyalty.members.enrolment import customer_hashes
from loyalty.privacy import audit
from loyalty.privacy.compliance import CustomerRequest, due_at, lock_shop
from loyalty.privacy.export_document import build_export


def export_customer_data(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    shop_id: int,
    request: CustomerRequest,
    *,
    received_at: datetime,
) -> int | None:
    """Build and store the export for one data request; returns the PrivacyRequest's id.

    Idempotent: a request already completed under the same Shopify request id is returned as
    it is. A customer Klubb never saw gets a completed request whose export says so. None when
    the shop itself is gone (purged meanwhile): nothing is held, so nothing is stored.
    """
    hashes = customer_hashes(hash_keys, shop_id, request.customer_id)
    with sessions.begin() as s:
        shop = lock_shop(s, shop_id)
        if shop is None:
            return None
        existing = _existing(s, shop_id, request.request_id)
        if existing is not None and existing.completed_at is not None:
            return existing.id
        member = s.scalars(
            select(Member).where(
                Member.shop_id == shop_id, Member.customer_id == request.customer_id
            )
        ).one_or_none()
        export = build_export(s, shop, member, request, hashes)
        row = existing or PrivacyRequest(
            shop_id=shop_id,
            kind=PrivacyRequestKind.DATA_REQUEST,
            shopify_request_id=request.request_id,
            received_at=received_at,
            due_at=due_at(received_at),
        )
        row.member_id = member.id if member else None
        row.customer_hash = hashes[0]
        row.export_json = json.dumps(export, ensure_ascii=False, sort_keys=True)
        row.completed_at = utcnow()
        s.add(row)
        if member is not None:
            audit.record(
                s, shop_id, audit.ActorType.SYSTEM, None, "privacy.data_request_exported", member.id
            )
        s.flush()
        return row.id


def _existing(s: Session, shop_id: int, request_id: str | None) -> PrivacyRequest | None:
    if request_id is None:
        return None
    return s.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.shop_id == shop_id,
            PrivacyRequest.kind == PrivacyRequestKind.DATA_REQUEST,
            PrivacyRequest.shopify_request_id == request_id,
        )
    ).first()
