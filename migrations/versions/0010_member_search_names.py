"""member search names: the sort indexes also hold the lowercased names and email

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 22:30:00

A one-word search of the members list (loyalty.members.search) takes, from each of first name,
last name and email, the first page of members whose value starts with the text, in the
list's order, and merges them. For a common word (a first name 1 member in 30 has) the fast
way to that page is to walk the sort's index until enough match; with the lowercased values
in the index itself the walk tests them there, without reading each member's row
(bench/RESULTS.md, "Member search"). So each sort index of 0008 gets them as trailing
columns: same names, same leading columns (sorts and keyset pages use them as before).

PostgreSQL only, like 0008 (tests/platform/test_migrations.py lists the names).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTS = {
    "ix_members_shop_joined": "shop_id, joined_at, id",
    "ix_members_shop_balance": "shop_id, points_balance, id",
    "ix_members_shop_activity": "shop_id, coalesce(last_activity_at, joined_at), id",
}
NAMES = (
    "lower(first_name) text_pattern_ops, lower(last_name) text_pattern_ops, "
    "lower(email) text_pattern_ops"
)


def _rebuild(with_names: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in SORTS.items():
        definition = f"{columns}, {NAMES}" if with_names else columns
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON members ({definition})")


def upgrade() -> None:
    _rebuild(with_names=True)


def downgrade() -> None:
    _rebuild(with_names=False)
