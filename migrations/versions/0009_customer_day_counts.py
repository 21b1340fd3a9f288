"""customer day counts: each day's customers by the gap to their previous and next order days

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 12:00:00

``customer_day_counts`` lets a report sum any period's distinct and repeat customers from one
array element per series and day (loyalty.analytics.customer_counts), instead of aggregating every
customer day of the period per customer. It is filled here from ``customer_day_orders``;
``loyalty.analytics.customer_days.add_customer_orders`` keeps both from then on, reading a
customer's days through the new index on (shop_id, customer_key, day).

The fill runs the app's own ``rebuild_customer_counts`` (the only definition of the table's
contents); at 9,000,000 customer days it takes a minute or two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INT_ARRAY = sa.ARRAY(sa.Integer()).with_variant(sa.JSON(), "sqlite")


def upgrade() -> None:
    from loyalty.analytics.customer_counts_rebuild import rebuild_customer_counts

    op.create_table(
        "customer_day_counts",
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("series", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("by_gap", INT_ARRAY, nullable=False),
        sa.Column("single_firsts", INT_ARRAY, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_customer_day_counts_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "series", "day", name=op.f("pk_customer_day_counts")),
    )
    op.create_index(
        "ix_customer_day_orders_shop_id_customer_key_day",
        "customer_day_orders",
        ["shop_id", "customer_key", "day"],
    )
    rebuild_customer_counts(op.get_bind())


def downgrade() -> None:
    op.drop_index(
        "ix_customer_day_orders_shop_id_customer_key_day", table_name="customer_day_orders"
    )
    op.drop_table("customer_day_counts")
