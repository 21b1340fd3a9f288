"""The export document: everything Klubb holds about one customer in one shop, as JSON.

The member's profile, consents and their history, ledger (also as CSV, ``ledger_csv``), orders
(those linked to the customer and those Shopify listed in ``orders_requested``) with their
refunds, redemptions and codes, the welcome code, birthday rewards, spend vouchers with their
ledger, earlier privacy requests,
audit entries about them, the messages sent to them, and the import rows that named them.
Shopify ids are strings and money is a decimal string, as in the rest of Klubb's JSON.
``customers/data_request`` stores it (:mod:`loyalty.privacy.export`); a member downloads it
themselves (:mod:`loyalty.privacy.self_service`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from loyalty.club.referral_privacy import export_referrals
from loyalty.club.stamp_view import stamp_export
from loyalty.club.tier_view import member_standing, tier_history
from loyalty.club.voucher_privacy import vouchers_export
from loyalty.core.models import (
    AuditLog,
    BirthdayReward,
    ConsentEvent,
    ImportRow,
    ImportRun,
    LedgerEntry,
    Member,
    OrderRecord,
    OrderRefund,
    PrivacyRequest,
    Redemption,
    Reward,
    SentMessage,
    Shop,
    WelcomeCode,
)
from loyalty.core.spreadsheet import safe_cell
from loyalty.core.types import utcnow
from loyalty.members.enrolment import PERSONAL_FIELDS
from loyalty.points.welcome_state import welcome_json
from loyalty.privacy.compliance import CustomerRequest

EXPORT_FORMAT = "klubb.customer-data/1"
NOTHING_HELD = "Klubb holds no data about this customer in this shop."
# reason_code came last (revision 0013), so the earlier columns keep their places.
LEDGER_CSV_COLUMNS = ("created_at", "kind", "points", "reason", "order_id", "actor", "reason_code")
WELCOME_KIND = "welcome_code"

MEMBER_FIELDS = (
    *PERSONAL_FIELDS,
    "status",
    "points_balance",
    "lifetime_points",
    "email_consent",
    "sms_consent",
    "joined_at",
    "last_activity_at",
    "created_at",
    "updated_at",
)
ORDER_FIELDS = (
    "order_id",
    "currency",
    "total",
    "paid_subtotal",
    "refunded_subtotal",
    "financial_status",
    "paid",
    "cancelled",
    "test",
    "source_name",
    "points_owed",
    "ordered_at",
)
LEDGER_FIELDS = (
    "created_at",
    "kind",
    "points",
    "reason",
    "reason_code",
    "reason_params",
    "actor",
    "order_id",
    "available_at",
)
REDEMPTION_FIELDS = (
    "points",
    "state",
    "code",
    "order_id",
    "created_at",
    "issued_at",
    "used_at",
    "expires_at",
)
# Shopify ids exceed 2^53: strings in JSON.
ID_FIELDS = frozenset({"order_id", "refund_id", "customer_id"})


def build_export(
    s: Session,
    shop: Shop,
    member: Member | None,
    request: CustomerRequest,
    hashes: Sequence[str],
) -> dict[str, Any]:
    """The export document for one customer (read inside the caller's transaction)."""
    orders = _orders(s, shop.id, member, request)
    ledger = (
        list(
            s.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.member_id == member.id)
                .order_by(LedgerEntry.created_at, LedgerEntry.id)
            )
        )
        if member
        else []
    )
    found = member is not None or bool(orders)
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": utcnow().isoformat(),
        "shop_domain": shop.domain,
        "customer_id": str(request.customer_id),
        "shopify_request_id": request.request_id,
        "orders_requested": [str(i) for i in request.order_ids],
        "found": found,
        "note": None if found else NOTHING_HELD,
        "member": _fields(member, MEMBER_FIELDS) if member else None,
        "consent_history": _consents(s, member),
        "ledger": [_fields(e, LEDGER_FIELDS) for e in ledger],
        "ledger_csv": ledger_csv(ledger),
        "orders": [_fields(o, ORDER_FIELDS) for o in orders],
        "refunds": _refunds(s, shop.id, [o.order_id for o in orders]),
        "redemptions": _redemptions(s, member),
        "welcome_code": welcome_json(welcome_code_row(s, member)),
        "birthday_rewards": _birthday_rewards(s, member),
        "privacy_requests": _privacy_requests(s, shop.id, member, hashes),
        "audit_log": _audit(s, member),
        "messages": _messages(s, member),
        "imported_rows": _imported_rows(s, shop.id, request, member),
        "tier": member_standing(s, shop.id, member.id)["tier"] if member else None,
        "tier_changes": tier_history(s, member.id) if member else [],
        "vouchers": vouchers_export(s, member.id if member else None),
        **stamp_export(s, shop.id, member.id if member else None),
        **export_referrals(s, shop.id, member, request.customer_id),
    }
    return document


def _imported_rows(
    s: Session, shop_id: int, request: CustomerRequest, member: Member | None
) -> list[dict[str, Any]]:
    """Rows of the merchant's import files that named this customer (by id or by email)."""
    emails = {e.strip().casefold() for e in (request.email, member.email if member else None) if e}
    named = [ImportRow.customer_id == request.customer_id]
    if emails:
        named.append(func.lower(ImportRow.email).in_(emails))
    rows = s.execute(
        select(ImportRow, ImportRun.created_at, ImportRun.source)
        .join(ImportRun, ImportRun.id == ImportRow.run_id)
        .where(ImportRun.shop_id == shop_id, or_(*named))
        .order_by(ImportRun.created_at, ImportRow.line)
    ).all()
    return [
        {
            "imported_at": created_at.isoformat(),
            "file_format": source,
            **_fields(row, ("line", "outcome", "email", "points", "points_from", "points_to")),
        }
        for row, created_at, source in rows
    ]


def ledger_csv(entries: Sequence[LedgerEntry], welcome: WelcomeCode | None = None) -> str:
    """The ledger as CSV (header row first), for a spreadsheet; with ``welcome``, the welcome
    code as one more row in its place by time (kind ``welcome_code``, no points, the code and
    its state in words as the reason, the order that used it)."""
    rows = [
        (entry.created_at, [_json_value(c, getattr(entry, c)) for c in LEDGER_CSV_COLUMNS])
        for entry in entries
    ]
    shown = welcome_json(welcome)
    if welcome is not None and shown is not None:
        at = welcome.issued_at or welcome.used_at or welcome.created_at
        cells = {
            "created_at": at.isoformat(),
            "kind": WELCOME_KIND,
            "points": None,
            "reason": f"{shown['code']} ({shown['percentage']} % off): {shown['state']}",
            "order_id": shown["order_id"],
            "actor": "system",
            "reason_code": WELCOME_KIND,
        }
        rows.append((at, [cells[c] for c in LEDGER_CSV_COLUMNS]))
        rows.sort(key=lambda row: row[0])  # stable: the ledger keeps its own order
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_CSV_COLUMNS)
    for _, values in rows:
        writer.writerow(safe_cell(v) for v in values)
    return out.getvalue()


def welcome_code_row(s: Session, member: Member | None) -> WelcomeCode | None:
    """The member's welcome code as Klubb holds it (whatever the member's status)."""
    if member is None:
        return None
    return s.scalars(select(WelcomeCode).where(WelcomeCode.member_id == member.id)).one_or_none()


def _orders(
    s: Session, shop_id: int, member: Member | None, request: CustomerRequest
) -> list[OrderRecord]:
    links: list[ColumnElement[bool]] = [OrderRecord.customer_id == request.customer_id]
    if member is not None:
        links.append(OrderRecord.member_id == member.id)
    if request.order_ids:
        links.append(OrderRecord.order_id.in_(request.order_ids))
    return list(
        s.scalars(
            select(OrderRecord)
            .where(OrderRecord.shop_id == shop_id, or_(*links))
            .order_by(OrderRecord.ordered_at, OrderRecord.order_id)
        )
    )


def _refunds(s: Session, shop_id: int, order_ids: list[int]) -> list[dict[str, Any]]:
    if not order_ids:
        return []
    rows = s.scalars(
        select(OrderRefund)
        .where(OrderRefund.shop_id == shop_id, OrderRefund.order_id.in_(order_ids))
        .order_by(OrderRefund.refunded_at, OrderRefund.refund_id)
    )
    return [_fields(r, ("refund_id", "order_id", "subtotal", "refunded_at")) for r in rows]


def _consents(s: Session, member: Member | None) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = s.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.member_id == member.id)
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    )
    return [_fields(r, ("channel", "granted", "source", "created_at")) for r in rows]


def _redemptions(s: Session, member: Member | None) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = s.execute(
        select(Redemption, Reward.title)
        .outerjoin(Reward, Reward.id == Redemption.reward_id)
        .where(Redemption.member_id == member.id)
        .order_by(Redemption.created_at, Redemption.id)
    )
    return [{**_fields(r, REDEMPTION_FIELDS), "reward": title} for r, title in rows]


def _birthday_rewards(s: Session, member: Member | None) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = s.scalars(
        select(BirthdayReward)
        .where(BirthdayReward.member_id == member.id)
        .order_by(BirthdayReward.year, BirthdayReward.id)
    )
    fields = ("year", "kind", "points", "percent", "state", "code", "ends_at", "created_at")
    return [_fields(r, fields) for r in rows]


def _privacy_requests(
    s: Session, shop_id: int, member: Member | None, hashes: Sequence[str]
) -> list[dict[str, Any]]:
    links: list[ColumnElement[bool]] = [PrivacyRequest.customer_hash.in_(hashes)]
    if member is not None:
        links.append(PrivacyRequest.member_id == member.id)
    rows = s.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.shop_id == shop_id, or_(*links))
        .order_by(PrivacyRequest.received_at, PrivacyRequest.id)
    )
    fields = ("kind", "shopify_request_id", "received_at", "due_at", "completed_at")
    return [_fields(r, fields) for r in rows]


def _audit(s: Session, member: Member | None) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = s.scalars(
        select(AuditLog)
        .where(AuditLog.member_id == member.id)
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    return [_fields(r, ("created_at", "actor_type", "action", "detail")) for r in rows]


def _messages(s: Session, member: Member | None) -> list[dict[str, Any]]:
    """The SMS and emails sent to the member (loyalty.campaigns.send_log)."""
    if member is None:
        return []
    rows = s.scalars(
        select(SentMessage)
        .where(SentMessage.member_id == member.id)
        .order_by(SentMessage.sent_at, SentMessage.id)
    )
    fields = ("channel", "provider", "recipient", "status", "error_code", "sent_at")
    return [_fields(r, fields) for r in rows]


def _fields(row: object, names: Sequence[str]) -> dict[str, Any]:
    return {name: _json_value(name, getattr(row, name)) for name in names}


def _json_value(name: str, value: Any) -> Any:
    """A column value in Klubb's JSON conventions (ids and money as strings, ISO times)."""
    if value is None or isinstance(value, bool):
        return value
    if name in ID_FIELDS:
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
