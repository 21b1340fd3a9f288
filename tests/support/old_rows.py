"""Rows as an earlier revision wrote them, in plain SQL: a data migration test's starting point
(the models describe the newest schema, so they cannot write an old one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

OLD_TIME = "2026-01-01 00:00:00"


def insert_shop(conn: Any, shop_id: int) -> None:
    """A shop of the oldest schema's columns."""
    conn.execute(
        text(
            "INSERT INTO shops (id, domain, scopes, currency, timezone, locale, created_at,"
            " updated_at) VALUES (:id, :domain, '', 'NOK', 'Europe/Oslo', 'nb', :now, :now)"
        ),
        {"id": shop_id, "domain": f"old-{shop_id}.myshopify.com", "now": OLD_TIME},
    )


def insert_member(
    conn: Any, member_id: int, shop_id: int, customer_id: int, status: str = "active"
) -> None:
    """A member with no points, no consents, joined at :data:`OLD_TIME`."""
    conn.execute(
        text(
            "INSERT INTO members (id, shop_id, customer_id, points_balance, lifetime_points,"
            " status, email_consent, sms_consent, joined_at, created_at, updated_at)"
            " VALUES (:id, :shop, :customer, 0, 0, :status, false, false, :now, :now, :now)"
        ),
        {
            "id": member_id,
            "shop": shop_id,
            "customer": customer_id,
            "status": status,
            "now": OLD_TIME,
        },
    )
