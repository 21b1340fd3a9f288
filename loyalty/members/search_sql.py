"""The SQL of the admin's members list: the search's branches, filters, keyset position and
order, built so that PostgreSQL can serve each from an index (bench/RESULTS.md, "Member
search", has the plans; migrations 0008 and 0010 the indexes). :mod:`loyalty.members.search`
parses what the admin asks and runs these statements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

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

from loyalty.club.tier_view import in_tier
from loyalty.core.ids import id_from_text
from loyalty.core.models import Member, MemberStatus

if TYPE_CHECKING:
    from loyalty.members.search import MemberFilter

_PHONE_QUERY = re.compile(r"^\+?[\d\s().-]{3,}$")


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
    customer_id = id_from_text(query)
    if customer_id is not None:
        branches.append(Member.customer_id == customer_id)
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


def members_statement(
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
    if wanted.status == "current":  # loyalty.members.search.CURRENT
        found.append(Member.status != MemberStatus.ANONYMISED)
    elif wanted.status:
        found.append(Member.status == wanted.status)
    if wanted.min_balance is not None:
        found.append(Member.points_balance >= wanted.min_balance)
    if wanted.max_balance is not None:
        found.append(Member.points_balance <= wanted.max_balance)
    if wanted.tier is not None:
        found.append(in_tier(wanted.tier))
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
