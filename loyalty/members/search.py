"""Finding members in the admin: search, filters, sort and keyset pages; CSV rows for export.

Every query is scoped by shop. Pages are keyset-paginated on ``(sort value, id)`` so that the
thousandth page costs what the first one does; the cursor is opaque to clients (base64 of a
small JSON array) and checked on the way back in. Each search and export is written to the
audit log with the staff user as actor; ``detail`` names the filters used, never their values
(a search text is often somebody's name or email).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.tier_view import tiers_of_members
from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.ids import MAX_ID, id_from_json, id_from_text, whole_from_text
from loyalty.core.models import ConsentEvent, Member, MemberStatus
from loyalty.core.payloads import parse_time
from loyalty.members.search_sql import members_statement
from loyalty.privacy import audit

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EXPORT_BATCH = 1000
MAX_QUERY = 100
MAX_BALANCE = 10**15
SORTS = ("joined_at", "points_balance", "last_activity")
FILTER_NAMES = ("query", "status", "min_balance", "max_balance", "tier")
CURRENT = "current"
"""The ``status`` filter of everyone still a member (active or restricted): erased rows out."""
STATUSES = (CURRENT, *(s.value for s in MemberStatus))


@dataclass(frozen=True)
class MemberFilter:
    """What the members list shows: a search text, filters, a sort (``-`` = descending)."""

    query: str = ""
    status: str | None = None
    min_balance: int | None = None
    max_balance: int | None = None
    sort: str = "-joined_at"
    tier: str | None = None  # a tier's id, or "none" (loyalty.club)

    def used(self) -> str:
        """The names of the filters in use, for the audit log (no values)."""
        names = [n for n in FILTER_NAMES if getattr(self, n)]
        names += [f"sort={self.sort}"]
        return ",".join(names)


def parse_filter(args: Mapping[str, str]) -> tuple[MemberFilter, int, tuple[Any, int] | None]:
    """The filter, page size and keyset position from query parameters; ValidationError if bad."""
    problems: dict[str, str] = {}
    query = (args.get("query") or "").strip()
    if len(query) > MAX_QUERY:
        problems["query"] = f"At most {MAX_QUERY} characters."
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        problems["status"] = "Choose current, active, restricted or anonymised."
    balances = {}
    for name in ("min_balance", "max_balance"):
        balances[name] = _whole(args.get(name), name, problems)
    low, high = balances["min_balance"], balances["max_balance"]
    if low is not None and high is not None and low > high and "max_balance" not in problems:
        problems["max_balance"] = "The maximum must not be below the minimum."
    tier = args.get("tier") or None
    if tier is not None and tier != "none" and id_from_text(tier) is None:
        problems["tier"] = "Choose a tier, or none."
    sort = args.get("sort") or "-joined_at"
    if sort.removeprefix("-") not in SORTS:
        problems["sort"] = "Sort by joined_at, points_balance or last_activity (- for descending)."
    limit = _whole(args.get("limit"), "limit", problems)
    limit = PAGE_SIZE if limit is None else limit
    if not 1 <= limit <= MAX_PAGE_SIZE and "limit" not in problems:
        problems["limit"] = f"A whole number from 1 to {MAX_PAGE_SIZE}."
    after = None
    if args.get("after") and "sort" not in problems:
        after = decode_cursor(args["after"], sort)
        if after is None:
            problems["after"] = "This page link is not valid any more; start from the first page."
    if problems:
        raise ValidationError(problems, "Some query parameters are not valid.")
    return MemberFilter(query, status, low, high, sort, tier), limit, after


def _whole(raw: str | None, name: str, problems: dict[str, str]) -> int | None:
    if raw is None or raw == "":
        return None
    value = whole_from_text(raw.strip(), -MAX_BALANCE, MAX_BALANCE)
    if value is None:
        problems[name] = "Enter a whole number."
    return value


def encode_cursor(sort: str, value: Any, member_id: int) -> str:
    """An opaque cursor for the page after the member with this sort value and id."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    raw = json.dumps([sort, value, member_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The ``(sort value, id)`` a cursor stands for, or None if it is not one of ours for ``sort``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, member_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        return None
    member_id = id_from_json(member_id) if isinstance(member_id, int) else None
    if made_for != sort or member_id is None:
        return None
    if sort.removeprefix("-") == "points_balance":
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID
        return (value, member_id) if ok else None
    moment = parse_time(value)
    return None if moment is None else (moment, member_id)


def member_row(member: Member, tier: dict[str, str] | None = None) -> dict[str, Any]:
    """One member as the list shows it (ids as strings, ISO times), with their tier."""
    return {
        "customer_id": str(member.customer_id),
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "phone": member.phone,
        "points_balance": member.points_balance,
        "lifetime_points": member.lifetime_points,
        "status": member.status,
        "email_consent": member.email_consent,
        "sms_consent": member.sms_consent,
        "joined_at": member.joined_at.isoformat(),
        "last_activity_at": member.last_activity_at.isoformat()
        if member.last_activity_at
        else None,
        "tier": tier,
    }


def _rows(s: Session, members: list[Member]) -> list[dict[str, Any]]:
    tiers = tiers_of_members(s, [m.id for m in members])
    return [member_row(m, tiers.get(m.id)) for m in members]


def search_members(
    sessions: sessionmaker[Session],
    shop_id: int,
    wanted: MemberFilter,
    *,
    limit: int = PAGE_SIZE,
    after: tuple[Any, int] | None = None,
    staff_user_id: str | None,
) -> dict[str, Any]:
    """One page of the shop's members: ``{"members": [...], "next": cursor or None}``."""
    with sessions.begin() as s:
        rows = s.execute(members_statement(shop_id, wanted, after, limit + 1)).all()
        audit.record(s, shop_id, "staff", staff_user_id, "members.searched", detail=wanted.used())
        page = rows[:limit]
        following = None
        if len(rows) > limit:
            last = page[-1]
            following = encode_cursor(wanted.sort, last.sort_value, last.Member.id)
        return {"members": _rows(s, [r.Member for r in page]), "next": following}


def export_members(
    sessions: sessionmaker[Session],
    shop_id: int,
    wanted: MemberFilter,
    *,
    staff_user_id: str | None,
) -> Iterator[dict[str, Any]]:
    """Every member the filter matches, in its order, read in batches (for a streamed CSV).

    The export is audited when it starts (``members.exported``, detail ``csv`` and the filter
    names). Each batch is its own short transaction, so a slow download holds no lock.
    """
    with sessions.begin() as s:
        audit.record(
            s, shop_id, "staff", staff_user_id, "members.exported", detail=f"csv,{wanted.used()}"
        )
    return _batches(sessions, shop_id, wanted)


def _batches(
    sessions: sessionmaker[Session], shop_id: int, wanted: MemberFilter
) -> Iterator[dict[str, Any]]:
    after: tuple[Any, int] | None = None
    while True:
        with sessions() as s:
            rows = s.execute(members_statement(shop_id, wanted, after, EXPORT_BATCH)).all()
            batch = _rows(s, [r.Member for r in rows])
            if rows:
                after = (rows[-1].sort_value, rows[-1].Member.id)
        yield from batch
        if len(rows) < EXPORT_BATCH:
            return


def member_profile(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int, *, staff_user_id: str | None
) -> dict[str, Any]:
    """A member's profile and marketing consents with their history (newest first, 50).

    What ``GET /api/members/{id}`` (balance and ledger) leaves out; audited as a read.
    """
    with sessions.begin() as s:
        member = s.scalar(
            select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )
        if member is None:
            raise NotFound("This shop has no such member.")
        history = s.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.shop_id == shop_id, ConsentEvent.member_id == member.id)
            .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
            .limit(50)
        ).all()
        audit.record_read(s, shop_id, staff_user_id, member.id, "profile")
        return {
            **member_row(member),
            "preferred_name": member.preferred_name,
            "birthday": member.birthday.isoformat() if member.birthday else None,
            "language": member.language,
            "consent_history": [
                {
                    "channel": e.channel,
                    "granted": e.granted,
                    "source": e.source,
                    "created_at": e.created_at.isoformat(),
                }
                for e in history
            ],
        }
