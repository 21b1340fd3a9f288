"""analytics: orders per customer and day, and the orders' pseudonymous customer keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:00:00

``customer_day_orders`` lets distinct customers and repeat buyers over any period be counted
exactly from rollups (loyalty.analytics.reports). Orders recorded before this revision have no customer
key yet (it is a keyed hash, and the key is not known to a migration): the scheduled job
``jobs.rollups.key_recorded_orders`` fills them in and counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_day_orders",
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("customer_key", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_customer_day_orders_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "shop_id", "day", "member", "customer_key", name=op.f("pk_customer_day_orders")
        ),
    )
    with op.batch_alter_table("order_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_key", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("rollup_customer_key", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_records", schema=None) as batch_op:
        batch_op.drop_column("rollup_customer_key")
        batch_op.drop_column("customer_key")
    op.drop_table("customer_day_orders")
