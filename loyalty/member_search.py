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
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, sessionmaker

from loyalty import audit
from loyalty.errors import NotFound, ValidationError
from loyalty.models import ConsentEvent, Member, MemberStatus

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EXPORT_BATCH = 1000
MAX_QUERY = 100
MAX_BALANCE = 10**15
SORTS = ("joined_at", "points_balance", "last_activity")
_PHONE_QUERY = re.compile(r"^\+?[\d\s().-]{3,}$")


@dataclass(frozen=True)
class MemberFilter:
    """What the members list shows: a search text, filters, a sort (``-`` = descending)."""

    query: str = ""
    status: str | None = None
    min_balance: int | None = None
    max_balance: int | None = None
    sort: str = "-joined_at"

    def used(self) -> str:
        """The names of the filters in use, for the audit log (no values)."""
        names = [n for n in ("query", "status", "min_balance", "max_balance") if getattr(self, n)]
        names += [f"sort={self.sort}"]
        return ",".join(names)


def parse_filter(args: Mapping[str, str]) -> tuple[MemberFilter, int, tuple[Any, int] | None]:
    """The filter, page size and keyset position from query parameters; ValidationError if bad."""
    problems: dict[str, str] = {}
    query = (args.get("query") or "").strip()
    if len(query) > MAX_QUERY:
        problems["query"] = f"At most {MAX_QUERY} characters."
    status = args.get("status") or None
    if status is not None and status not in {s.value for s in MemberStatus}:
        problems["status"] = "Choose active, restricted or anonymised."
    balances = {}
    for name in ("min_balance", "max_balance"):
        balances[name] = _whole(args.get(name), name, problems)
    low, high = balances["min_balance"], balances["max_balance"]
    if low is not None and high is not None and low > high and "max_balance" not in problems:
        problems["max_balance"] = "The maximum must not be below the minimum."
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
    return MemberFilter(query, status, low, high, sort), limit, after


def _whole(raw: str | None, name: str, problems: dict[str, str]) -> int | None:
    if raw is None or raw == "":
        return None
    text = raw.strip()
    digits = text.removeprefix("-")
    if digits.isdigit() and len(digits) <= 15:
        return int(text)
    problems[name] = "Enter a whole number."
    return None


def _sort_key(sort: str) -> Any:
    column = sort.removeprefix("-")
    if column == "points_balance":
        return Member.points_balance
    if column == "last_activity":
        # A member who has done nothing yet was last active when they joined. No bound
        # parameters, so an index on (shop_id, coalesce(last_activity_at, joined_at), id)
        # can serve this order.
        return func.coalesce(Member.last_activity_at, Member.joined_at)
    return Member.joined_at


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
    except (binascii.Error, ValueError, TypeError):
        return None
    if made_for != sort or isinstance(member_id, bool) or not isinstance(member_id, int):
        return None
    if sort.removeprefix("-") == "points_balance":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, member_id) if ok else None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return (moment, member_id) if moment.tzinfo else None


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _lower_like(column: Any, prefix: str) -> ColumnElement[bool]:
    return func.lower(column).like(prefix, escape="\\")


def _search_branches(query: str) -> list[ColumnElement[bool]]:
    """What a search matches, one condition per index that finds it (their OR is the search).

    Names and email match from their start, case-insensitive; phones by their digits anywhere
    (three at least); a customer id exactly. A text of only digits and phone punctuation is no
    one's name: it is looked for in emails (which may start with digits) and phones only, each
    branch left out being one less for PostgreSQL to plan on every call. A first name that
    starts with the text is also a full name (first and last) that does, so one of the two is
    enough: the full name for a text of several words, the first name (a shorter expression)
    for one word, where the two are the same.
    """
    prefix = _like_prefix(query.lower())
    email = _lower_like(Member.email, prefix)
    if _PHONE_QUERY.match(query):
        branches = [email]
        digits = re.sub(r"\D", "", query)
        if len(digits) >= 3:
            branches.append(_phone_has(digits))
    else:
        name: Any = Member.first_name
        if " " in query:
            # Literal constants, not bound parameters: the expression must be the one the
            # index of migration 0008 is built on, or PostgreSQL cannot use it.
            empty: ColumnElement[str] = literal_column("''")
            space: ColumnElement[str] = literal_column("' '")
            name = (
                func.coalesce(Member.first_name, empty)
                .op("||")(space)
                .op("||")(func.coalesce(Member.last_name, empty))
            )
        branches = [_lower_like(name, prefix), _lower_like(Member.last_name, prefix), email]
    if query.isdigit() and len(query) <= 18:
        branches.append(Member.customer_id == int(query))
    return branches


def _phone_has(digits: str) -> ColumnElement[bool]:
    """The phone contains these digits; found by the trigram index on their tail.

    The first digits typed are often the country code, which nearly every member's phone
    shares, and a trigram all phones have makes the index read every phone (100+ ms at a
    million members). So the index looks for the digits after the first three (at least four
    stay), and the found phones are checked for all of them; ``phone || ''`` keeps
    PostgreSQL from making that check an index condition too. Three or four digits are
    looked for whole: PostgreSQL's estimate for them then says when nearly every phone has
    them, and it walks the list instead ("+47 9").
    """
    skip = min(3, len(digits) - 4) if len(digits) >= 5 else 0
    found = Member.phone.like(f"%{digits[skip:]}%")
    if not skip:
        return found
    whole: ColumnElement[str] = Member.phone.op("||")(literal_column("''"))
    return and_(found, whole.like(f"%{digits}%"))


def _statement(
    shop_id: int, wanted: MemberFilter, after: tuple[Any, int] | None, limit: int
) -> Select[Any]:
    """The first ``limit`` members the filter matches after ``after``, with their sort value.

    A search first finds the page's ids, with their sort values, then reads those members
    (bench/RESULTS.md, "Member search", has the plans):

    - one word (a first name, say) may match many members: each branch of the search takes
      its own first ``limit`` in the list's order, and the page is the first ``limit`` of
      their union. PostgreSQL plans each branch alone: a common name walks the sort's index
      testing the lowercased names migration 0010 put in it, a rare one reads its prefix index
      and sorts what it found. (An OR of the branches walks the sort's index reading each
      member's row, 6,500 rows for a name 1 member in 30 has.)
    - several words (a full name) match few: all of them are found by the prefix indexes (a
      materialised CTE, or PostgreSQL walks the sort's index testing every member) and the
      page is taken from those. Not a phone number typed in groups ("+47 9"), which may
      match everyone.
    """
    key = _sort_key(wanted.sort)
    descending = wanted.sort.startswith("-")
    conditions = [Member.shop_id == shop_id, *_filters(wanted), *_position(key, descending, after)]
    query = wanted.query.strip()
    if query:
        found = (
            _all_hits(key, conditions, query)
            if " " in query and not _PHONE_QUERY.match(query)
            else _first_hits(key, descending, conditions, query, limit)
        )
        page = select(found.c.id).order_by(*_order(found.c.sort_value, found.c.id, descending))
        conditions = [Member.shop_id == shop_id, Member.id.in_(page.limit(limit))]
    statement = select(Member, key.label("sort_value")).where(*conditions)
    return statement.order_by(*_order(key, Member.id, descending)).limit(limit)


def _hit(key: Any) -> Select[Any]:
    return select(Member.id.label("id"), key.label("sort_value"))


def _all_hits(key: Any, conditions: list[ColumnElement[bool]], query: str) -> Any:
    """Every member the search and filters match: ``(id, sort_value)``."""
    hits = _hit(key).where(*conditions, or_(*_search_branches(query)))
    return hits.cte("hits").prefix_with("MATERIALIZED")


def _first_hits(
    key: Any, descending: bool, conditions: list[ColumnElement[bool]], query: str, limit: int
) -> Any:
    """Each search branch's first ``limit`` members, merged: ``(id, sort_value)``."""
    firsts = [
        _hit(key)
        .where(*conditions, branch)
        .order_by(*_order(key, Member.id, descending))
        .limit(limit)
        .subquery()
        for branch in _search_branches(query)
    ]
    return union(*(select(f.c.id, f.c.sort_value) for f in firsts)).subquery("hits")


def _filters(wanted: MemberFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.status:
        found.append(Member.status == wanted.status)
    if wanted.min_balance is not None:
        found.append(Member.points_balance >= wanted.min_balance)
    if wanted.max_balance is not None:
        found.append(Member.points_balance <= wanted.max_balance)
    return found


def _position(key: Any, descending: bool, after: tuple[Any, int] | None) -> list[Any]:
    """Past the keyset position: a row comparison, which an index on (shop_id, sort value, id)
    serves as one range."""
    if after is None:
        return []
    value, member_id = after
    position = tuple_(key, Member.id)
    return [
        position < tuple_(value, member_id) if descending else position > tuple_(value, member_id)
    ]


def _order(key: Any, tie: Any, descending: bool) -> tuple[Any, Any]:
    return (key.desc(), tie.desc()) if descending else (key.asc(), tie.asc())


def member_row(member: Member) -> dict[str, Any]:
    """One member as the list shows it (ids as strings, ISO times)."""
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
    }


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
        rows = s.execute(_statement(shop_id, wanted, after, limit + 1)).all()
        audit.record(s, shop_id, "staff", staff_user_id, "members.searched", detail=wanted.used())
        page = rows[:limit]
        following = None
        if len(rows) > limit:
            last = page[-1]
            following = encode_cursor(wanted.sort, last.sort_value, last.Member.id)
        return {"members": [member_row(r.Member) for r in page], "next": following}


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
            rows = s.execute(_statement(shop_id, wanted, after, EXPORT_BATCH)).all()
            batch = [member_row(r.Member) for r in rows]
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
        audit.record(
            s, shop_id, "staff", staff_user_id, "member.read", member_id=member.id, detail="profile"
        )
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
