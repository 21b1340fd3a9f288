"""Alembic's migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from loyalty.core.models import Base

# Indexes that exist only on PostgreSQL (e.g. trigram search) and so differ by design.
# Defined in migration 0008 only: expression, operator-class and trigram indexes.
POSTGRES_ONLY_INDEXES: set[str] = {
    "ix_members_shop_joined",
    "ix_members_shop_balance",
    "ix_members_shop_activity",
    "ix_members_shop_email_prefix",
    "ix_members_shop_first_name_prefix",
    "ix_members_shop_last_name_prefix",
    "ix_members_shop_full_name_prefix",
    "ix_members_phone_trigram",
    # Migration 0020: a partial index with INCLUDE columns, for segments.
    "ix_order_records_segment",
}


@pytest.mark.embedded
def test_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [
            d
            for d in compare_metadata(context, Base.metadata)
            if not (d[0] in ("add_index", "remove_index") and d[1].name in POSTGRES_ONLY_INDEXES)
        ]
    engine.dispose()
    assert diff == []


@pytest.mark.embedded
def test_shopify_ids_are_64_bit(database_url):
    engine = create_engine(database_url)
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("members")}
    engine.dispose()
    assert "BIGINT" in str(columns["customer_id"]).upper()


@pytest.mark.embedded
def test_db_upgrade_command_builds_a_fresh_database(tmp_path, runner, app):
    """`flask --app app db upgrade` on an empty SQLite file creates every table."""
    from app import create_app

    fresh = app.config["KLUBB"].with_overrides(
        database_url=f"sqlite:///{tmp_path / 'fresh.db'}", instance_path=tmp_path
    )
    result = create_app(fresh).test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(fresh.sqlalchemy_url)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    engine.dispose()
