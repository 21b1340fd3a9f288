"""VIP tiers: a shop's ladder, members' standing and its history, the tier on each order

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00

``tiers`` holds each shop's ladder; ``member_tiers`` the tier each member holds and the
progress it was computed from (loyalty/club/tier_standing.py); ``tier_changes`` every move
between tiers. An order records the tier its member held when it was placed and that tier's
earn multiplier (``order_records.tier_*``), and ``ix_order_records_member_id_ordered_at``
reads a member's orders in time. Two program settings: the downgrade grace period (30 days)
and whether staff adjustments count as points earned (no); their server defaults only fill
the rows that exist and are dropped afterwards, as the models set them in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = loyalty.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tiers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("earn_multiplier", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("perks", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("entry_bonus", sa.Integer(), nullable=False),
        sa.Column("recurring_reward", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_tiers_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiers")),
    )
    with op.batch_alter_table("tiers") as batch:
        batch.create_index("ix_tiers_shop_id_position", ["shop_id", "position"], unique=False)

    op.create_table(
        "member_tiers",
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("tier_id", _ID, nullable=True),
        sa.Column("since", _TIME, nullable=True),
        sa.Column("progress", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("granted_tier_id", _ID, nullable=True),
        sa.Column("granted_at", _TIME, nullable=True),
        sa.Column("granted_until", _TIME, nullable=True),
        sa.Column("computed_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_tiers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_member_tiers_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"], ["tiers.id"], name=op.f("fk_member_tiers_tier_id_tiers"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["granted_tier_id"],
            ["tiers.id"],
            name=op.f("fk_member_tiers_granted_tier_id_tiers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_tiers")),
    )
    with op.batch_alter_table("member_tiers") as batch:
        batch.create_index("ix_member_tiers_shop_id_tier_id", ["shop_id", "tier_id"], unique=False)

    op.create_table(
        "tier_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("from_tier_id", sa.BigInteger(), nullable=True),
        sa.Column("from_name", sa.String(length=60), nullable=True),
        sa.Column("to_tier_id", sa.BigInteger(), nullable=True),
        sa.Column("to_name", sa.String(length=60), nullable=True),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_tier_changes_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_tier_changes_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_changes")),
    )
    with op.batch_alter_table("tier_changes") as batch:
        batch.create_index(
            "ix_tier_changes_member_id_created_at", ["member_id", "created_at"], unique=False
        )

    with op.batch_alter_table("order_records") as batch:
        batch.add_column(sa.Column("tier_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("tier_name", sa.String(length=60), nullable=True))
        batch.add_column(
            sa.Column("tier_multiplier", sa.Numeric(precision=6, scale=2), nullable=True)
        )
        batch.create_index(
            "ix_order_records_member_id_ordered_at", ["member_id", "ordered_at"], unique=False
        )

    with op.batch_alter_table("program_settings") as batch:
        batch.add_column(
            sa.Column("tier_grace_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column(
                "tier_counts_adjustments",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("program_settings") as batch:
        batch.alter_column("tier_grace_days", server_default=None)
        batch.alter_column("tier_counts_adjustments", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("program_settings") as batch:
        batch.drop_column("tier_counts_adjustments")
        batch.drop_column("tier_grace_days")
    with op.batch_alter_table("order_records") as batch:
        batch.drop_index("ix_order_records_member_id_ordered_at")
        batch.drop_column("tier_multiplier")
        batch.drop_column("tier_name")
        batch.drop_column("tier_id")
    with op.batch_alter_table("tier_changes") as batch:
        batch.drop_index("ix_tier_changes_member_id_created_at")
    op.drop_table("tier_changes")
    with op.batch_alter_table("member_tiers") as batch:
        batch.drop_index("ix_member_tiers_shop_id_tier_id")
    op.drop_table("member_tiers")
    with op.batch_alter_table("tiers") as batch:
        batch.drop_index("ix_tiers_shop_id_position")
    op.drop_table("tiers")
