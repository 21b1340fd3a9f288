"""The merchant's view of GDPR requests: what came in, what is due when, and the exports.

Shopify sends ``customers/data_request`` to the app, but the data is for the merchant to hand to
the customer: the merchant lists the requests here and downloads each export within 30 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import NotFound
from loyalty.core.models import PrivacyRequest, PrivacyRequestKind
from loyalty.core.types import utcnow
from loyalty.privacy import audit

DUE_SOON = timedelta(days=7)
PAGE = 100


def _status(row: PrivacyRequest, now: datetime) -> str:
    """``completed``, ``overdue``, ``due_soon`` (within 7 days) or ``open``."""
    if row.completed_at is not None:
        return "completed"
    if row.due_at <= now:
        return "overdue"
    return "due_soon" if row.due_at - now <= DUE_SOON else "open"


def _has_export(row: PrivacyRequest) -> bool:
    return (
        row.kind == PrivacyRequestKind.DATA_REQUEST
        and row.export_json is not None
        and row.export_deleted_at is None
    )


def list_requests(
    sessions: sessionmaker[Session], shop_id: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The shop's privacy requests, newest first, each with its due date and status."""
    now = now or utcnow()
    with sessions() as s:
        rows = s.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.shop_id == shop_id)
            .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id.desc())
            .limit(PAGE)
        ).all()
        return [
            {
                "id": str(row.id),
                "kind": row.kind,
                "shopify_request_id": row.shopify_request_id,
                "received_at": row.received_at.isoformat(),
                "due_at": row.due_at.isoformat(),
                "completed_at": row.completed_at.isoformat() if row.completed_at else None,
                "status": _status(row, now),
                "export_available": _has_export(row),
            }
            for row in rows
        ]


def request_export(
    sessions: sessionmaker[Session], shop_id: int, request_id: int, *, staff_user_id: str | None
) -> str:
    """The stored export of a data request (JSON text); the download is audit-logged."""
    with sessions.begin() as s:
        row = s.get(PrivacyRequest, request_id)
        if row is None or row.shop_id != shop_id or not _has_export(row):
            raise NotFound("This shop has no export for that request.")
        audit.record(
            s,
            shop_id,
            "staff",
            staff_user_id,
            "privacy.export_downloaded",
            member_id=row.member_id,
            detail=f"request={row.id}",
        )
        return str(row.export_json)
