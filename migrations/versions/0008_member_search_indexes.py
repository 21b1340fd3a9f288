"""member search indexes: keyset sorts, prefix search on names and email, phone digits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 19:30:00

The members list (loyalty.members.search) must stay fast at 1,000,000 members of one shop:
each sort is served by an index on (shop_id, sort value, id), so a keyset page reads only its
own rows; name and email search match from the start (lower(...) LIKE 'text%'), served by
text_pattern_ops indexes; phone search matches digits anywhere, served by a trigram index.

Only PostgreSQL gets them (the expression, operator-class and trigram indexes are PostgreSQL's
own; the embedded SQLite database is for one small shop). tests/platform/test_migrations.py
lists them as PostgreSQL-only. bench/member_search.py measures them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FULL_NAME = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"

INDEXES = {
    "ix_members_shop_joined": "(shop_id, joined_at, id)",
    "ix_members_shop_balance": "(shop_id, points_balance, id)",
    "ix_members_shop_activity": "(shop_id, coalesce(last_activity_at, joined_at), id)",
    "ix_members_shop_email_prefix": "(shop_id, lower(email) text_pattern_ops)",
    "ix_members_shop_first_name_prefix": "(shop_id, lower(first_name) text_pattern_ops)",
    "ix_members_shop_last_name_prefix": "(shop_id, lower(last_name) text_pattern_ops)",
    "ix_members_shop_full_name_prefix": f"(shop_id, ({FULL_NAME}) text_pattern_ops)",
    "ix_members_phone_trigram": "USING gin (phone gin_trgm_ops)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON members {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
