"""Saved segments: create, list, change, delete; their live count and members.

A segment stores its filter in the form :func:`~loyalty.campaigns.segment_filter.parse_filter`
reads; the count and the member pages compile it afresh (:mod:`loyalty.campaigns.segment_sql`),
so they always reflect the members as they are now. Every query is scoped by shop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.segment_filter import SegmentFilter, filter_json, parse_filter
from loyalty.campaigns.segment_sql import count_statement, segment_select
from loyalty.core.errors import LoyaltyError, NotFound, ValidationError
from loyalty.core.models import Campaign, CampaignState, Member, Segment, Shop, Tier
from loyalty.core.text import is_storable
from loyalty.core.types import utcnow

MAX_NAME = 255
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_NOT_FOUND = "This shop has no such segment."
_LIVE_CAMPAIGNS = (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.SENDING)


class SegmentInUse(LoyaltyError):
    """A campaign still to be sent uses the segment (HTTP 409)."""

    code = "segment_in_use"


def check_references(s: Session, shop_id: int, wanted: SegmentFilter) -> None:
    """Refuse a filter naming what the shop does not have: another shop's tier, or none."""
    if wanted.tier_id is not None and not s.scalar(
        select(Tier.id).where(Tier.id == wanted.tier_id, Tier.shop_id == shop_id)
    ):
        raise ValidationError(
            {"filter.tier": "This shop has no such tier."}, "The filter is not valid."
        )


def check_name(value: Any, errors: dict[str, str], values: dict[str, Any]) -> None:
    """A segment's or campaign's ``name``: not blank, at most :data:`MAX_NAME` characters,
    stripped into ``values`` or its problem into ``errors``."""
    if not isinstance(value, str) or not value.strip() or not is_storable(value):
        errors["name"] = "Enter a name."
    elif len(value.strip()) > MAX_NAME:
        errors["name"] = f"At most {MAX_NAME} characters."
    else:
        values["name"] = value.strip()


def _checked(s: Session, shop_id: int, body: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key in body:
        if key not in ("name", "filter"):
            errors[str(key)[:100]] = "Unknown field."
    if "name" in body or not partial:
        check_name(body.get("name"), errors, values)
    if "filter" in body or not partial:
        try:
            wanted = parse_filter(body.get("filter", {}))
            check_references(s, shop_id, wanted)
            values["filter"] = filter_json(wanted)
        except ValidationError as err:
            errors.update(err.fields)
    if errors:
        raise ValidationError(errors)
    return values


def segment_json(row: Segment) -> dict[str, Any]:
    """One segment as the API shows it."""
    return {
        "id": str(row.id),
        "name": row.name,
        "filter": row.filter,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _find(s: Session, shop_id: int, segment_id: int) -> Segment:
    row = s.scalars(
        select(Segment).where(Segment.shop_id == shop_id, Segment.id == segment_id)
    ).one_or_none()
    if row is None:
        raise NotFound(_NOT_FOUND)
    return row


def list_segments(sessions: sessionmaker[Session], shop_id: int) -> list[dict[str, Any]]:
    """The shop's segments, oldest first."""
    with sessions() as s:
        rows = s.scalars(select(Segment).where(Segment.shop_id == shop_id).order_by(Segment.id))
        return [segment_json(r) for r in rows]


def create_segment(
    sessions: sessionmaker[Session], shop_id: int, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Check and store a segment (``name``, ``filter``); ValidationError naming every bad field."""
    with sessions.begin() as s:
        row = Segment(shop_id=shop_id, **_checked(s, shop_id, body, partial=False))
        s.add(row)
        s.flush()
        return segment_json(row)


def update_segment(
    sessions: sessionmaker[Session], shop_id: int, segment_id: int, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Change the name or filter (a filter sent replaces the stored one whole)."""
    with sessions.begin() as s:
        row = _find(s, shop_id, segment_id)
        for name, value in _checked(s, shop_id, body, partial=True).items():
            setattr(row, name, value)
        s.flush()
        return segment_json(row)


def delete_segment(
    sessions: sessionmaker[Session], shop_id: int, segment_id: int
) -> dict[str, Any]:
    """Delete a segment no unsent campaign uses (sent campaigns keep their frozen audience);
    the segment as it was."""
    with sessions.begin() as s:
        row = _find(s, shop_id, segment_id)
        used = s.scalar(
            select(Campaign.id).where(
                Campaign.shop_id == shop_id,
                Campaign.segment_id == row.id,
                Campaign.state.in_(_LIVE_CAMPAIGNS),
            )
        )
        if used is not None:
            raise SegmentInUse("A campaign that is not sent yet uses this segment.")
        gone = segment_json(row)
        s.delete(row)
        return gone


def stored_filter(s: Session, shop_id: int, segment_id: int) -> SegmentFilter:
    """The segment's filter, parsed (NotFound if the shop has no such segment)."""
    return parse_filter(_find(s, shop_id, segment_id).filter)


def shop_language(s: Session, shop_id: int) -> str:
    """The language of members who have none of their own: the shop's."""
    locale = s.scalar(select(Shop.locale).where(Shop.id == shop_id))
    return locale if locale in ("nb", "en") else "en"


def count_members(
    sessions: sessionmaker[Session],
    shop_id: int,
    segment_id: int,
    *,
    channel: str | None = None,
    now: datetime | None = None,
) -> int:
    """How many members the segment holds now (with ``channel``'s consent and contact)."""
    with sessions() as s:
        wanted = stored_filter(s, shop_id, segment_id)
        statement = count_statement(
            shop_id,
            wanted,
            now=now or utcnow(),
            default_language=shop_language(s, shop_id),
            channel=channel,
        )
        return int(s.scalar(statement) or 0)


def member_page(
    sessions: sessionmaker[Session],
    shop_id: int,
    segment_id: int,
    *,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> dict[str, Any]:
    """One page of the segment's members by id: ``{"members": [...], "next": str | None}``."""
    m = Member
    with sessions() as s:
        wanted = stored_filter(s, shop_id, segment_id)
        statement = segment_select(
            [m.id, m.customer_id, m.first_name, m.last_name],
            shop_id,
            wanted,
            now=utcnow(),
            default_language=shop_language(s, shop_id),
        )
        if after is not None:
            statement = statement.where(m.id > after)
        rows = s.execute(statement.order_by(m.id).limit(limit + 1)).all()
    page = rows[:limit]
    return {
        "members": [
            {
                "customer_id": str(r.customer_id),
                "first_name": r.first_name,
                "last_name": r.last_name,
            }
            for r in page
        ],
        "next": str(page[-1].id) if len(rows) > limit else None,
    }
