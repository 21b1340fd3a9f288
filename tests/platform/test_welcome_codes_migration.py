"""Revision 0016 gives each member who joined before it a welcome-code row still to be looked
up in Shopify, on both databases; an anonymised or detached member gets none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text

from loyalty.core.config import Config
from loyalty.core.models import ProgramSettings, WelcomeCode
from migrations import upgrade
from tests.support.config import migration_database
from tests.support.old_rows import OLD_TIME, insert_member, insert_shop

pytestmark = pytest.mark.embedded


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database of its own, SQLite on the embedded run and PostgreSQL otherwise."""
    with migration_database(tmp_path, "0016") as url:
        yield url


def test_earlier_members_get_a_row_to_look_up_and_the_setting_defaults_to_no_end(
    empty_database, tmp_path
):
    config = Config(database_url=empty_database, instance_path=tmp_path)
    upgrade(config, "0015")
    engine = create_engine(config.sqlalchemy_url)
    with engine.begin() as conn:
        insert_shop(conn, 7)
        conn.execute(
            text(
                "INSERT INTO program_settings (shop_id, earn_rate, signup_bonus,"
                " welcome_discount_percent, expiry_months, auto_enrol, pending_days,"
                " inactive_member_months, webhook_body_days, export_days, audit_months,"
                " updated_at) VALUES (7, 1, 100, 10, 12, true, 0, 24, 30, 30, 24, :now)"
            ),
            {"now": OLD_TIME},
        )
        insert_member(conn, 1, 7, 42)
        insert_member(conn, 2, 7, 43, "restricted")
        insert_member(conn, 3, 7, 44, "anonymised")
        insert_member(conn, 4, 7, -4, "anonymised")  # left the club: detached from the customer

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
