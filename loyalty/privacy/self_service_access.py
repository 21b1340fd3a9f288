"""Member self-service, the reading half: access (Art. 15) and portability (Art. 20).

- :func:`my_data` — what Klubb holds about them;
- :func:`export_member_data` — the same export as ``customers/data_request`` (JSON) or the
  ledger with the welcome code (CSV).

The rest of the member's rights, and how members are found, are :mod:`loyalty.privacy.self_service`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_view import member_standing
from loyalty.core.models import (
    ConsentEvent,
    LedgerEntry,
    PrivacyRequest,
    PrivacyRequestKind,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import customer_hashes
from loyalty.members.storefront import recent_history
from loyalty.points.welcome_state import welcome_of
from loyalty.privacy import audit
from loyalty.privacy.compliance import CustomerRequest, due_at
from loyalty.privacy.export_document import build_export, ledger_csv, welcome_code_row
from loyalty.privacy.self_service import find_member
from loyalty.privacy.self_service_rules import EDITABLE_FIELDS, SHOPIFY_OWNED_FIELDS

RECENT_LEDGER = 50

EXPORT_FORMATS = {"json": "application/json", "csv": "text/csv"}


@dataclass(frozen=True)
class MemberExport:
    """A download: its text, media type and a file name that names no one."""

    content: str
    media_type: str
    filename: str


def my_data(sessions: sessionmaker[Session], shop_id: int, customer_id: int) -> dict[str, Any]:
    """``GET /proxy/api/me``: profile, who owns which field, consents and their history,
    points, the welcome code."""
    with sessions() as s:
        member = find_member(s, shop_id, customer_id)
        history = s.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.member_id == member.id)
            .order_by(ConsentEvent.created_at, ConsentEvent.id)
        )
        profile_fields = (*SHOPIFY_OWNED_FIELDS, *EDITABLE_FIELDS)
        return {
            "customer_id": str(member.customer_id),
            "status": member.status,
            "profile": {name: _json(getattr(member, name)) for name in profile_fields},
            "editable_fields": list(EDITABLE_FIELDS),
            "shopify_owned_fields": list(SHOPIFY_OWNED_FIELDS),
            "consents": {"email": member.email_consent, "sms": member.sms_consent},
            "consent_history": [
                {
                    "channel": e.channel,
                    "granted": e.granted,
                    "source": e.source,
                    "created_at": _json(e.created_at),
                }
                for e in history
            ],
            "points_balance": member.points_balance,
            "lifetime_points": member.lifetime_points,
            "joined_at": _json(member.joined_at),
            "last_activity_at": _json(member.last_activity_at),
            "recent_ledger": recent_history(s, member, RECENT_LEDGER),
            "welcome_code": welcome_of(s, member),
            **member_standing(s, shop_id, member.id),
        }


def export_member_data(
    sessions: sessionmaker[Session],
    hash_keys: Sequence[bytes],
    shop_id: int,
    customer_id: int,
    fmt: str,
    *,
    now: datetime | None = None,
) -> MemberExport:
    """Everything Klubb holds (``json``, the data_request export) or the ledger with the
    welcome code (``csv``).

    The download is answered at once, so the export is not stored: a completed
    ``member_export`` request records that it happened (the merchant sees it in the request
    list), and an audit entry records who took it.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    now = now or utcnow()
    hashes = customer_hashes(hash_keys, shop_id, customer_id)
    with sessions.begin() as s:
        shop = s.get(Shop, shop_id)
        assert shop is not None
        member = find_member(s, shop_id, customer_id)
        s.add(
            PrivacyRequest(
                shop_id=shop_id,
                kind=PrivacyRequestKind.MEMBER_EXPORT,
                member_id=member.id,
                customer_hash=hashes[0],
                received_at=now,
                due_at=due_at(now),
                completed_at=now,
            )
        )
        audit.record(
            s, shop_id, audit.ActorType.MEMBER, customer_id, "member.exported", member.id, fmt
        )
        if fmt == "json":
            request = CustomerRequest(customer_id, None, None, (), None)
            document = build_export(s, shop, member, request, hashes)
            content = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
        else:
            entries = s.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.member_id == member.id)
                .order_by(LedgerEntry.created_at, LedgerEntry.id)
            )
            content = ledger_csv(list(entries), welcome_code_row(s, member))
    stem = "klubb-my-data" if fmt == "json" else "klubb-my-points"
    return MemberExport(content, EXPORT_FORMATS[fmt], f"{stem}-{now.date().isoformat()}.{fmt}")


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
