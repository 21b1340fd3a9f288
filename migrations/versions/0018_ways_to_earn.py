"""ways to earn beyond orders: the birthday reward, social follows, the newsletter

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00

The program settings gain the birthday reward (off, points or a discount code; in the month or
on the day; the wait after a birthday is changed), the shop's Instagram, Facebook and TikTok
profiles with the points a follow earns, and the newsletter's points. The new settings get a
server default only to fill the rows that exist (a shop's birthday reward starts off, the
newsletter at 0 points, no profile set), dropped afterwards so the schema matches the models,
which set these values in Python.

``members.birthday_changed_at`` starts NULL: a birthday given before this revision was not
given to earn a reward that did not exist, so it counts as given long ago.
``birthday_rewards`` records each birthday reward, once per customer and year.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SETTINGS: dict[str, tuple[sa.types.TypeEngine[object], str]] = {
    "birthday_reward": (sa.String(length=10), "'off'"),
    "birthday_points": (sa.Integer(), "100"),
    "birthday_discount_percent": (sa.Integer(), "10"),
    "birthday_code_days": (sa.Integer(), "30"),
    "birthday_timing": (sa.String(length=10), "'month'"),
    "birthday_change_wait_days": (sa.Integer(), "30"),
    "instagram_points": (sa.Integer(), "50"),
    "facebook_points": (sa.Integer(), "50"),
    "tiktok_points": (sa.Integer(), "50"),
    "newsletter_points": (sa.Integer(), "0"),
}
PROFILES = ("instagram_url", "facebook_url", "tiktok_url")


def upgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name, (kind, default) in SETTINGS.items():
            batch_op.add_column(
                sa.Column(name, kind, nullable=False, server_default=sa.text(default))
            )
        for name in PROFILES:
            batch_op.add_column(sa.Column(name, sa.String(length=255), nullable=True))
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name in SETTINGS:
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "birthday_changed_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )

    op.create_table(
        "birthday_rewards",
        sa.Column("id", BIGINT_PK, nullable=False),
        sa.Column("shop_id", BIGINT_PK, nullable=False),
        sa.Column("member_id", BIGINT_PK, nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("discount_id", sa.String(length=100), nullable=True),
        sa.Column("ends_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_birthday_rewards_member_id_members",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name="fk_birthday_rewards_shop_id_shops", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_birthday_rewards"),
        sa.UniqueConstraint(
            "shop_id", "source_key", name="uq_birthday_rewards_shop_id_source_key"
        ),
    )
    with op.batch_alter_table("birthday_rewards", schema=None) as batch_op:
        batch_op.create_index("ix_birthday_rewards_member_id", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("birthday_rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_birthday_rewards_member_id")
    op.drop_table("birthday_rewards")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("birthday_changed_at")
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for name in reversed(PROFILES):
            batch_op.drop_column(name)
        for name in reversed(SETTINGS):
            batch_op.drop_column(name)
