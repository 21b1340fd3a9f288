"""welcome codes: each member's welcome discount code and its state

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 10:00:00

``welcome_codes`` holds one row per member whose welcome code Klubb knows of: the code, its
percentage, when it was issued in Shopify, when it ends, when an order used it (and which).
``program_settings.welcome_discount_days`` gives new codes an end date (0: none, as before).

Members who joined before this revision may hold a welcome code already, but nothing recorded
whether the welcome job made one (it made none for backfilled or imported members, nor while
the discount was off or the shop's token failed). So every member who is not anonymised gets a
row without a code here; ``loyalty.points.welcome_earlier`` later looks each one up in Shopify
(where the code, its dates and its usage count are the truth), records what it finds, and
deletes the row when Shopify holds no welcome code for the member.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types
from loyalty.core.types import utcnow

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = loyalty.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("welcome_discount_days", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.alter_column("welcome_discount_days", server_default=None)

    welcome_codes = op.create_table(
        "welcome_codes",
        sa.Column("id", BIGINT_PK, nullable=False),
        sa.Column("shop_id", BIGINT_PK, nullable=False),
        sa.Column("member_id", BIGINT_PK, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("percentage", sa.Integer(), nullable=True),
        sa.Column("discount_id", sa.String(length=100), nullable=True),
        sa.Column("issued_at", UTC_TIME, nullable=True),
        sa.Column("ends_at", UTC_TIME, nullable=True),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_welcome_codes_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_welcome_codes_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_welcome_codes")),
        sa.UniqueConstraint("member_id", name=op.f("uq_welcome_codes_member_id")),
    )
    op.create_index("ix_welcome_codes_shop_id_code", "welcome_codes", ["shop_id", "code"])

    # Earlier members: a row each, to be looked up in Shopify (see the module docstring).
    members = sa.table(
        "members", sa.column("id"), sa.column("shop_id"), sa.column("customer_id"), sa.column("status")
    )
    earlier = sa.select(
        members.c.shop_id, members.c.id, sa.literal(utcnow(), UTC_TIME)
    ).where(members.c.status != "anonymised", members.c.customer_id > 0)
    op.execute(
        sa.insert(welcome_codes).from_select(["shop_id", "member_id", "created_at"], earlier)
    )


def downgrade() -> None:
    op.drop_index("ix_welcome_codes_shop_id_code", table_name="welcome_codes")
    op.drop_table("welcome_codes")
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.drop_column("welcome_discount_days")
