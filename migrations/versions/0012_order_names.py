"""order names: the order's name as merchants know it ("#1001") on its record

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 03:30:00

The member page's points history links each order entry to its Shopify order; it named the
order by Shopify's internal id. Orders recorded from now on keep their name; older ones
(and backfilled ones) keep showing the id. The column is ``order_name``, not ``name``: no
table of Klubb's has a column that could be taken for a person's name.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_records") as batch:
        batch.add_column(sa.Column("order_name", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_records") as batch:
        batch.drop_column("order_name")
