"""campaigns: segments, campaigns and their recipients, quiet hours

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:30:00

``segments`` are saved filters over members; ``campaigns`` send one message to a segment;
``campaign_recipients`` is a campaign's frozen audience, one row per (campaign, member), claimed
before each message goes so that a resumed campaign messages nobody twice. ``sent_messages``
gains the campaign of each message, ``program_settings`` the quiet hours (21:00-08:00 by
default, both null = none).

PostgreSQL also gets ``ix_order_records_segment``: the paid, standing, non-test orders of a
shop by member, covering what segment filters read (spend, last order, channel), so an
audience over a million members is one index-only aggregate (docs/decisions.md, Session 8:
segments and campaigns). It is a partial index with INCLUDE columns, which SQLite lacks; the
embedded database is for one small shop.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = loyalty.core.types.UTCDateTime(timezone=True)
SEGMENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_order_records_segment ON order_records "
    "(shop_id, member_id) INCLUDE (ordered_at, paid_subtotal, refunded_subtotal, source_name) "
    "WHERE paid AND NOT cancelled AND NOT test AND member_id IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("program_settings") as batch:
        batch.add_column(
            sa.Column(
                "quiet_hours_start", sa.String(length=5), nullable=True, server_default="21:00"
            )
        )
        batch.add_column(
            sa.Column("quiet_hours_end", sa.String(length=5), nullable=True, server_default="08:00")
        )
    with op.batch_alter_table("program_settings") as batch:
        batch.alter_column("quiet_hours_start", server_default=None)
        batch.alter_column("quiet_hours_end", server_default=None)
    op.create_table(
        "segments",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("filter", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_segments_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
    )
    op.create_index(op.f("ix_segments_shop_id"), "segments", ["shop_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("segment_id", BIGINT_ID, nullable=True),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("send_at", TIME, nullable=True),
        sa.Column("resume_at", TIME, nullable=True),
        sa.Column("audience", sa.Integer(), nullable=True),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_campaigns_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_campaigns_segment_id_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_shop_id"), "campaigns", ["shop_id"])
    op.create_index(op.f("ix_campaigns_segment_id"), "campaigns", ["segment_id"])
    op.create_index(op.f("ix_campaigns_state"), "campaigns", ["state"])
    with op.batch_alter_table("sent_messages") as batch:
        batch.add_column(sa.Column("campaign_id", BIGINT_ID, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_sent_messages_campaign_id_campaigns"),
            "campaigns",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_sent_messages_campaign_id"), ["campaign_id"])
    op.create_table(
        "campaign_recipients",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("campaign_id", BIGINT_ID, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("message_id", BIGINT_ID, nullable=True),
        sa.Column("link_token", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_campaign_recipients_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_campaign_recipients_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["sent_messages.id"],
            name=op.f("fk_campaign_recipients_message_id_sent_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint(
            "campaign_id", "member_id", name=op.f("uq_campaign_recipients_campaign_id_member_id")
        ),
        sa.UniqueConstraint("link_token", name=op.f("uq_campaign_recipients_link_token")),
    )
    op.create_index(
        "ix_campaign_recipients_campaign_id_state", "campaign_recipients", ["campaign_id", "state"]
    )
    op.create_index(op.f("ix_campaign_recipients_member_id"), "campaign_recipients", ["member_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEGMENT_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_order_records_segment")
    op.drop_table("campaign_recipients")
    with op.batch_alter_table("sent_messages") as batch:
        batch.drop_index(batch.f("ix_sent_messages_campaign_id"))
        batch.drop_constraint(batch.f("fk_sent_messages_campaign_id_campaigns"), type_="foreignkey")
        batch.drop_column("campaign_id")
    op.drop_table("campaigns")
    op.drop_table("segments")
    with op.batch_alter_table("program_settings") as batch:
        batch.drop_column("quiet_hours_end")
        batch.drop_column("quiet_hours_start")
