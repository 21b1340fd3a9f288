"""referrals: members' referral codes, the friends who signed up through them, the settings

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:30:00

``referral_codes`` holds each member's code (made the first time it is shown); ``referrals``
one row per friend who signed up through a code: the friend's email (unique per shop, erased
with either member), the friend's discount code and what the referrer was paid for the friend's
first order (loyalty.club.referral_payouts). ``program_settings`` gains the referral settings,
off by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = loyalty.core.types.UTCDateTime(timezone=True)
SETTINGS = (
    ("referral_points", "500"),
    ("referral_discount_percent", "10"),
    ("referral_code_days", "30"),
    ("referral_wait_days", "14"),
    ("referral_monthly_cap", "10"),
)


def upgrade() -> None:
    with op.batch_alter_table("program_settings") as batch:
        batch.add_column(
            sa.Column("referral_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, default in SETTINGS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    with op.batch_alter_table("program_settings") as batch:
        batch.alter_column("referral_enabled", server_default=None)
        for name, _ in SETTINGS:
            batch.alter_column(name, server_default=None)
    op.create_table(
        "referral_codes",
        sa.Column("member_id", BIGINT_ID, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_referral_codes_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_referral_codes_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("shop_id", "code", name=op.f("uq_referral_codes_shop_id_code")),
    )
    op.create_table(
        "referrals",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("referrer_id", BIGINT_ID, nullable=False),
        sa.Column("friend_email", sa.String(length=320), nullable=True),
        sa.Column("friend_customer_id", sa.BigInteger(), nullable=True),
        sa.Column("consented_at", TIME, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("discount_id", sa.String(length=100), nullable=True),
        sa.Column("issued_at", TIME, nullable=True),
        sa.Column("ends_at", TIME, nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("rewarded_points", sa.Integer(), nullable=False),
        sa.Column("settled_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_referrals_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"],
            ["members.id"],
            name=op.f("fk_referrals_referrer_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint(
            "shop_id", "friend_email", name=op.f("uq_referrals_shop_id_friend_email")
        ),
    )
    op.create_index(op.f("ix_referrals_referrer_id"), "referrals", ["referrer_id"])
    op.create_index(
        "ix_referrals_shop_id_friend_customer_id", "referrals", ["shop_id", "friend_customer_id"]
    )


def downgrade() -> None:
    op.drop_table("referrals")
    op.drop_table("referral_codes")
    with op.batch_alter_table("program_settings") as batch:
        for name, _ in reversed(SETTINGS):
            batch.drop_column(name)
        batch.drop_column("referral_enabled")
