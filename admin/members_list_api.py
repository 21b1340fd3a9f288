"""``/api/members``: find members (search, filters, sort, keyset pages) and export them as CSV.

Also ``GET /api/members/{customer_id}/profile``: the profile and consents that the detail route
in :mod:`admin.members_api` leaves out. Declared on the admin API's registry, imported by
:func:`admin.init_app` before the blueprint is registered. Every read is audited with the
session token's staff user (see :mod:`loyalty.members.search`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, g, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from errors import json_error, streamed
from loyalty.core.ids import id_from_text
from loyalty.core.models import MemberStatus
from loyalty.core.spreadsheet import safe_cell
from loyalty.members.search import (
    MAX_PAGE_SIZE,
    MAX_QUERY,
    PAGE_SIZE,
    SORTS,
    STATUSES,
    export_members,
    member_profile,
    parse_filter,
    search_members,
)
from openapi import Answer, Param, id_schema
from runtime import current_runtime

CSV_COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "points_balance",
    "lifetime_points",
    "status",
    "email_consent",
    "sms_consent",
    "joined_at",
    "last_activity_at",
    "tier",
)
_TIME = {"type": ["string", "null"], "format": "date-time"}
_ROW: dict[str, Any] = {
    "customer_id": {"type": "string", "description": "Shopify customer id."},
    "first_name": {"type": ["string", "null"]},
    "last_name": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]},
    "phone": {"type": ["string", "null"]},
    "points_balance": {"type": "integer"},
    "lifetime_points": {"type": "integer"},
    "status": {"enum": [s.value for s in MemberStatus]},
    "email_consent": {"type": "boolean"},
    "sms_consent": {"type": "boolean"},
    "joined_at": {"type": "string", "format": "date-time"},
    "last_activity_at": _TIME,
    "tier": {
        "type": ["object", "null"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "description": "The member's VIP tier, if any.",
    },
}
api.schemas.update(
    {
        "MemberRow": {"type": "object", "required": list(_ROW), "properties": _ROW},
        "MemberPage": {
            "type": "object",
            "required": ["members", "next"],
            "properties": {
                "members": {"type": "array", "items": {"$ref": "#/components/schemas/MemberRow"}},
                "next": {
                    "type": ["string", "null"],
                    "description": "Pass as `after` for the next page; null on the last page.",
                },
            },
        },
        "MemberProfile": {
            "type": "object",
            "properties": {
                **_ROW,
                "preferred_name": {"type": ["string", "null"]},
                "birthday": {"type": ["string", "null"], "format": "date"},
                "language": {"type": ["string", "null"]},
                "consent_history": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "channel": {"enum": ["email", "sms"]},
                            "granted": {"type": "boolean"},
                            "source": {"type": "string"},
                            "created_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            },
        },
    }
)
_BALANCE = {"type": "integer", "minimum": -(10**15) + 1, "maximum": 10**15 - 1}
FILTER_PARAMS = (
    Param("query", {"type": "string", "maxLength": MAX_QUERY}, "A name, email, phone or id."),
    Param(
        "status",
        {"enum": list(STATUSES)},
        "`current`: active or restricted (erased members left out, as the page does by default).",
    ),
    Param("min_balance", _BALANCE, "Whole points."),
    Param("max_balance", _BALANCE, "Whole points; not below `min_balance`."),
    Param(
        "tier",
        {"type": "string", "pattern": r"^(none|[1-9][0-9]{0,18})$"},
        "Members in the tier with this id, or `none`: in no tier.",
    ),
    Param(
        "sort",
        {"enum": [f"{sign}{name}" for name in SORTS for sign in ("", "-")]},
        "Default `-joined_at`.",
    ),
)
PAGE_PARAMS = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
    Param(
        "after",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "The previous page's `next` (for the same `sort`); any other value is a 422.",
    ),
)
_FILTERS = (
    "Query parameters: `query` (a name, email or phone: names and email match from their start, "
    "case-insensitive; a phone matches on its digits; a customer id exactly), `status` (current, active, "
    "restricted, anonymised; none: everyone), `min_balance` and `max_balance` (whole points), `tier` (a tier's "
    "id, or `none`), `sort` "
    "(joined_at, points_balance or last_activity, which is the join time for members who have "
    "done nothing yet; a leading `-` sorts descending; default `-joined_at`). Each bad parameter is named in `error.fields` (422)."
)


@api.route(
    "/members",
    "GET",
    summary="Find members: search, filter, sort, page",
    response="MemberPage",
    errors=(422,),
    description=(
        f"{_FILTERS} Pages are keyset-paginated: `limit` (1 to {MAX_PAGE_SIZE}, default "
        f"{PAGE_SIZE}) and `after` (the previous page's `next`). Audited as `members.searched`."
    ),
    query=(*FILTER_PARAMS, *PAGE_PARAMS),
)
@session_token_required
def list_members() -> Response:
    """One page of the authenticated shop's members matching the query parameters."""
    wanted, limit, after = parse_filter(request.args)
    page = search_members(
        current_runtime().sessions,
        current_shop().id,
        wanted,
        limit=limit,
        after=after,
        staff_user_id=g.staff_user_id,
    )
    return jsonify(page)


@api.route(
    "/members.csv",
    "GET",
    summary="Export the filtered members as CSV (streamed)",
    response=None,
    errors=(422,),
    media_types=("text/csv",),
    answers=(
        Answer(
            200,
            f"A header row ({', '.join(CSV_COLUMNS)}), then a row per member.",
            headers=(("Content-Disposition", '`attachment; filename="klubb-members.csv"`'),),
        ),
    ),
    query=FILTER_PARAMS,
    description=(
        f"{_FILTERS} The answer is `text/csv` with a header row, every matching member in the "
        "chosen order. Audited as `members.exported`. Text cells that a spreadsheet would run as "
        "a formula (starting with = + - @) are prefixed with `'`, phone numbers like +47… too. "
        "The body is streamed (chunked): should the server fail once it has started, the "
        "transfer is broken off without its final chunk, so the download fails rather than "
        "ending short."
    ),
)
@session_token_required
def export_members_csv() -> Response:
    """Every member matching the query parameters, as a streamed CSV download."""
    wanted, _, _ = parse_filter({k: v for k, v in request.args.items() if k != "after"})
    rows = export_members(
        current_runtime().sessions, current_shop().id, wanted, staff_user_id=g.staff_user_id
    )
    # A database failure before the first rows is a 503; after them, the download is cut
    # off (an incomplete transfer, never a short file that looks complete): errors.streamed.
    response = Response(streamed(_csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="klubb-members.csv"'
    return response


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell through the project's one formula guard; booleans as true/false, a tier by name."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return safe_cell(value.get("name"))
    return safe_cell(value)


@api.route(
    "/members/<customer_id>/profile",
    "GET",
    summary="A member's profile and marketing consents",
    response="MemberProfile",
    errors=(404,),
    path={"customer_id": id_schema("The member's Shopify customer id.")},
    description="Audited as `member.read` (detail `profile`).",
)
@session_token_required
def read_member_profile(customer_id: str) -> Response:
    """Name, contact details, language, consents and consent history of one member."""
    parsed = id_from_text(customer_id)
    if parsed is None:
        return json_error(404, "not_found", "This shop has no such member.")
    return jsonify(
        member_profile(
            current_runtime().sessions,
            current_shop().id,
            parsed,
            staff_user_id=g.staff_user_id,
        )
    )
