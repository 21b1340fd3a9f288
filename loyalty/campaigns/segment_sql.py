"""A segment's filter as one SQL statement (SQLAlchemy Core), scoped by shop.

Only active members are ever in a segment: restricted and anonymised members never appear.
Conditions on orders read one aggregate of the shop's paid, standing, non-test orders per
member, joined to the members (left outer: a member without orders has spent 0). On PostgreSQL
the aggregate reads only ``ix_order_records_segment`` (revision 0020), whose predicate the
``WHERE`` below repeats word for word (``paid AND NOT cancelled AND NOT test``) so the planner
can use it; docs/decisions.md records the plan at a million members.

A channel adds what sending needs (:func:`channel_condition`): SMS consent and a phone, or
email consent and an address. Whether the phone normalises to E.164 is checked as each message
is sent (``loyalty.campaigns.phones``), where a bad one is skipped with its reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, extract, func, not_, or_, select
from sqlalchemy.sql.selectable import FromClause

from loyalty.campaigns.segment_filter import SegmentFilter
from loyalty.club.tier_view import in_tier
from loyalty.core.models import Member, MemberStatus, MessageChannel, OrderRecord

POS_SOURCE = "pos"


def tier_condition(tier_id: int) -> ColumnElement[bool]:
    """The members whose tier is ``tier_id`` now, as the members list filters them
    (:func:`loyalty.club.tier_view.in_tier`); that the tier is the shop's is checked when the
    filter is saved (:func:`loyalty.campaigns.segments.check_references`)."""
    return in_tier(str(tier_id))


def _orders(shop_id: int, now: datetime, recent_days: int | None) -> FromClause:
    """Per member: spend, last order, recent orders, whether they bought in the shop / online."""
    o = OrderRecord
    columns: list[Any] = [
        o.member_id.label("member_id"),
        func.sum(o.paid_subtotal - o.refunded_subtotal).label("spend"),
        func.max(o.ordered_at).label("last_order_at"),
        func.max(case((o.source_name == POS_SOURCE, 1), else_=0)).label("pos"),
        func.max(
            case((or_(o.source_name.is_(None), o.source_name != POS_SOURCE), 1), else_=0)
        ).label("online"),
    ]
    if recent_days is not None:
        cutoff = now - timedelta(days=recent_days)
        columns.append(func.sum(case((o.ordered_at >= cutoff, 1), else_=0)).label("recent"))
    return (
        select(*columns)
        .where(
            o.shop_id == shop_id,
            o.paid,
            not_(o.cancelled),
            not_(o.test),
            o.member_id.is_not(None),
        )
        .group_by(o.member_id)
        .subquery("member_orders")
    )


def _member_conditions(
    shop_id: int, wanted: SegmentFilter, default_language: str
) -> list[ColumnElement[bool]]:
    m = Member
    conditions: list[ColumnElement[bool]] = [
        m.shop_id == shop_id,
        m.status == MemberStatus.ACTIVE,
    ]
    if wanted.min_points is not None:
        conditions.append(m.points_balance >= wanted.min_points)
    if wanted.max_points is not None:
        conditions.append(m.points_balance <= wanted.max_points)
    if wanted.birthday_month is not None:
        conditions.append(extract("month", m.birthday) == wanted.birthday_month)
    if wanted.language is not None:
        conditions.append(func.coalesce(m.language, default_language) == wanted.language)
    if wanted.email_consent is not None:
        conditions.append(m.email_consent.is_(wanted.email_consent))
    if wanted.sms_consent is not None:
        conditions.append(m.sms_consent.is_(wanted.sms_consent))
    if wanted.joined_before is not None:
        conditions.append(m.joined_at < wanted.joined_before)
    if wanted.joined_after is not None:
        conditions.append(m.joined_at >= wanted.joined_after)
    if wanted.tier_id is not None:
        conditions.append(tier_condition(wanted.tier_id))
    return conditions


def _order_conditions(wanted: SegmentFilter, orders: FromClause) -> list[ColumnElement[bool]]:
    c = orders.c
    spend = func.coalesce(c.spend, 0)
    conditions: list[ColumnElement[bool]] = []
    if wanted.min_spend is not None:
        conditions.append(spend >= wanted.min_spend)
    if wanted.max_spend is not None:
        conditions.append(spend <= wanted.max_spend)
    if wanted.recent_days is not None:
        conditions.append(func.coalesce(c.recent, 0) >= (wanted.recent_min_orders or 1))
    if wanted.last_order_before is not None:  # members who never ordered do not match
        conditions.append(c.last_order_at < wanted.last_order_before)
    if wanted.last_order_after is not None:
        conditions.append(c.last_order_at >= wanted.last_order_after)
    if wanted.buyer is not None:
        conditions.append(c.pos == 1 if wanted.buyer == POS_SOURCE else c.online == 1)
    return conditions


def channel_condition(channel: str) -> ColumnElement[bool]:
    """What a campaign on ``channel`` needs of a member: the consent and a contact."""
    m = Member
    if channel == MessageChannel.SMS:
        return and_(m.sms_consent.is_(True), m.phone.is_not(None), m.phone != "")
    return and_(m.email_consent.is_(True), m.email.is_not(None), m.email != "")


def segment_select(
    columns: list[Any],
    shop_id: int,
    wanted: SegmentFilter,
    *,
    now: datetime,
    default_language: str,
    channel: str | None = None,
) -> Select[Any]:
    """``SELECT columns`` over the members ``wanted`` matches (with ``channel``'s needs)."""
    conditions = _member_conditions(shop_id, wanted, default_language)
    source: FromClause = Member.__table__
    if wanted.needs_orders:
        orders = _orders(shop_id, now, wanted.recent_days)
        source = source.outerjoin(orders, orders.c.member_id == Member.id)
        conditions += _order_conditions(wanted, orders)
    if channel is not None:
        conditions.append(channel_condition(channel))
    return select(*columns).select_from(source).where(*conditions)


def count_statement(
    shop_id: int,
    wanted: SegmentFilter,
    *,
    now: datetime,
    default_language: str,
    channel: str | None = None,
) -> Select[Any]:
    """How many members ``wanted`` matches: one statement."""
    return segment_select(
        [func.count()],
        shop_id,
        wanted,
        now=now,
        default_language=default_language,
        channel=channel,
    )
