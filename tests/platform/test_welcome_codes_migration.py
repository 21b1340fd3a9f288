"""Revision 0016 gives each member who joined before it a welcome-code row still to be looked
up in Shopify, on both databases; an anonymised or detached member gets none."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text

from loyalty.core.config import Config
from loyalty.core.models import ProgramSettings, WelcomeCode
from migrations import upgrade
from tests.support.config import EMBEDDED, scratch_postgres_database

pytestmark = pytest.mark.embedded


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database of its own, SQLite on the embedded run and PostgreSQL otherwise."""
    if EMBEDDED:
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    with scratch_postgres_database(f"klubb_test_0016_{os.getpid()}") as url:
        yield url


def test_earlier_members_get_a_row_to_look_up_and_the_setting_defaults_to_no_end(
    empty_database, tmp_path
):
    config = Config(database_url=empty_database, instance_path=tmp_path)
    upgrade(config, "0015")
    engine = create_engine(config.sqlalchemy_url)
    now = {"now": "2026-01-01 00:00:00"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shops (id, domain, scopes, currency, timezone, locale, created_at,"
                " updated_at) VALUES (7, 'old.myshopify.com', '', 'NOK', 'Europe/Oslo', 'nb',"
                " :now, :now)"
            ),
            now,
        )
        conn.execute(
            text(
                "INSERT INTO program_settings (shop_id, earn_rate, signup_bonus,"
                " welcome_discount_percent, expiry_months, auto_enrol, pending_days,"
                " inactive_member_months, webhook_body_days, export_days, audit_months,"
                " updated_at) VALUES (7, 1, 100, 10, 12, true, 0, 24, 30, 30, 24, :now)"
            ),
            now,
        )
        for member_id, customer_id, status in (
            (1, 42, "active"),
            (2, 43, "restricted"),
            (3, 44, "anonymised"),
            (4, -4, "anonymised"),  # left the club: detached from the customer
        ):
            conn.execute(
                text(
                    "INSERT INTO members (id, shop_id, customer_id, points_balance,"
                    " lifetime_points, status, email_consent, sms_consent, joined_at,"
                    " created_at, updated_at) VALUES (:id, 7, :customer, 0, 0, :status, false,"
                    " false, :now, :now, :now)"
                ),
                {"id": member_id, "customer": customer_id, "status": status, **now},
            )

    upgrade(config)

    with engine.connect() as conn:
        got = conn.execute(
            select(WelcomeCode.member_id, WelcomeCode.shop_id, WelcomeCode.code).order_by(
                WelcomeCode.member_id
            )
        ).all()
        days = conn.scalar(select(ProgramSettings.welcome_discount_days))
    engine.dispose()
    assert [tuple(r) for r in got] == [(1, 7, None), (2, 7, None)]
    assert days == 0
