"""``GET /api/analytics`` (JSON) and ``GET /api/analytics.csv``: the dashboard's figures.

Thin over :mod:`loyalty.analytics.reports`, which reads the daily rollups only. Declared on the admin
API's registry and imported by :func:`admin.init_app` before the blueprint is registered.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, jsonify, request

from admin.api import api
from admin.auth import current_shop, session_token_required
from loyalty.analytics.customer_counts import MAX_DAYS
from loyalty.analytics.periods import parse_period, shop_today
from loyalty.analytics.reports import DAY_COLUMNS, report
from loyalty.core.errors import ValidationError
from loyalty.core.spreadsheet import safe_cell
from openapi import JSON, Answer, Param
from runtime import current_runtime

_MONEY = {"type": ["string", "null"], "description": "A decimal in the shop's currency."}
_RATIO = {"type": ["number", "null"], "description": "0 to 1, four decimals; null if undefined."}
_SEGMENT: dict[str, Any] = {
    "revenue": _MONEY,
    "orders": {"type": "integer"},
    "average_order_value": _MONEY,
    "customers": {"type": "integer", "description": "Distinct customers who ordered."},
    "orders_with_customer": {
        "type": "integer",
        "description": "Orders placed by a known customer (orders per customer counts these).",
    },
    "orders_per_customer": {"type": ["number", "null"]},
    "repeat_customers": {
        "type": "integer",
        "description": (
            "Customers of the period with 2 or more orders up to its last day, in this segment "
            "(orders before the period count)."
        ),
    },
    "repeat_purchase_rate": _RATIO,
}
_DAY: dict[str, Any] = {
    name: _MONEY if name.endswith("_revenue") else {"type": "integer"} for name in DAY_COLUMNS
}
_DAY["day"] = {"type": "string", "format": "date"}
api.schemas.update(
    {
        "AnalyticsSegment": {"type": "object", "required": list(_SEGMENT), "properties": _SEGMENT},
        "Analytics": {
            "type": "object",
            "required": [
                "period",
                "currency",
                "members",
                "non_members",
                "all",
                "members_revenue_share",
                "new_members",
                "points",
                "days",
            ],
            "properties": {
                "period": {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                        "days": {"type": "integer"},
                        "time_zone": {"type": "string", "examples": ["Europe/Oslo"]},
                    },
                },
                "currency": {"type": "string", "examples": ["NOK"]},
                "members": {"$ref": "#/components/schemas/AnalyticsSegment"},
                "non_members": {"$ref": "#/components/schemas/AnalyticsSegment"},
                "all": {"$ref": "#/components/schemas/AnalyticsSegment"},
                "members_revenue_share": _RATIO,
                "new_members": {"type": "integer"},
                "points": {
                    "type": "object",
                    "properties": {
                        "issued": {"type": "integer"},
                        "redeemed": {"type": "integer"},
                        "expired": {"type": "integer"},
                        "redemption_rate": _RATIO,
                        "outstanding": {
                            "type": "integer",
                            "description": "Points outstanding at the end of the period.",
                        },
                        "point_value": {
                            "type": ["string", "null"],
                            "description": "The most one point buys through an active "
                            "fixed-amount reward; null without one.",
                        },
                        "outstanding_value": _MONEY,
                    },
                },
                "days": {
                    "type": "array",
                    "items": {"type": "object", "required": list(_DAY), "properties": _DAY},
                },
            },
        },
    }
)
PERIOD_PARAMS = (
    Param("from", {"type": "string", "format": "date"}, "The first day (YYYY-MM-DD), up to today."),
    Param(
        "to",
        {"type": "string", "format": "date"},
        "The last day (YYYY-MM-DD), up to today and not before `from`.",
    ),
)
_CSV_ANSWER = Answer(
    200,
    f"One row per day: {', '.join(DAY_COLUMNS)}.",
    headers=(("Content-Disposition", '`attachment; filename="klubb-analytics-FROM-TO.csv"`'),),
)
_PARAMETERS = (
    "Query parameters: `from` and `to`, days as YYYY-MM-DD in the shop's time zone, both "
    "included, up to today; default the last 30 days, at most "
    f"{MAX_DAYS}. Each bad parameter is named in `error.fields` (422). Figures come from the "
    "daily rollups; revenue is net merchandise (paid minus refunded subtotal) on the order's day."
)


@api.route(
    "/analytics",
    "GET",
    summary="The dashboard's figures for a period",
    response="Analytics",
    errors=(422,),
    description=f"{_PARAMETERS} `format=csv` answers as `/api/analytics.csv` does.",
    media_types=(JSON, "text/csv"),
    query=(*PERIOD_PARAMS, Param("format", {"enum": ["json", "csv"]}, "Default `json`.")),
)
@session_token_required
def read_analytics() -> Response:
    """Members vs non-members, points and the daily series for the period asked for."""
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "csv"):
        raise ValidationError(
            {"format": "Choose json or csv."}, "Some query parameters are not valid."
        )
    if wanted == "csv":
        return export_analytics_csv()
    return jsonify(_report())


@api.route(
    "/analytics.csv",
    "GET",
    summary="The period's daily figures as CSV",
    response=None,
    errors=(422,),
    description=(
        f"{_PARAMETERS} One row per day: {', '.join(DAY_COLUMNS)} (money in the shop's "
        "currency, as decimals)."
    ),
    media_types=("text/csv",),
    answers=(_CSV_ANSWER,),
    query=PERIOD_PARAMS,
)
@session_token_required
def export_analytics_csv() -> Response:
    """The daily series of the period asked for, one CSV row per day."""
    data = _report()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DAY_COLUMNS)
    for day in data["days"]:
        writer.writerow([safe_cell(day[name]) for name in DAY_COLUMNS])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    period = data["period"]
    filename = f"klubb-analytics-{period['from']}-{period['to']}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report() -> dict[str, Any]:
    sessions, shop_id = current_runtime().sessions, current_shop().id
    period = parse_period(request.args, shop_today(sessions, shop_id))
    return report(sessions, shop_id, period)
