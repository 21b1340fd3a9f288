"""campaign offers (a code per member, a shared code, bonus points), clicks, attribution

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 11:30:00

``campaigns`` gains its offer (JSON), the shared code's discount in Shopify, when the codes job
last finished, and the attribution window in hours (72 by default). ``campaign_codes`` holds a
campaign's code for each member (their own, made ahead of the sending, or the shared code they
were sent) and the earliest order that used it: the campaign's redeemed codes.
``campaign_clicks`` counts each recipient's clicks on each tracked link of their message.
``order_records.campaign_multiplier``: a double-points campaign's multiplier on the order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = loyalty.core.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("offer", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("discount_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("codes_ready_at", TIME, nullable=True))
        batch.add_column(
            sa.Column("attribution_hours", sa.Integer(), nullable=False, server_default="72")
        )
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("attribution_hours", server_default=None)
    op.create_table(
        "campaign_codes",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("campaign_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("discount_id", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("used_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_campaign_codes_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_codes_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_campaign_codes_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_codes")),
        sa.UniqueConstraint(
            "campaign_id", "member_id", name=op.f("uq_campaign_codes_campaign_id_member_id")
        ),
    )
    op.create_index("ix_campaign_codes_shop_id_code", "campaign_codes", ["shop_id", "code"])
    op.create_table(
        "campaign_clicks",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("campaign_id", BIGINT_ID, nullable=False),
        sa.Column("recipient_id", BIGINT_ID, nullable=False),
        sa.Column("link", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("first_clicked_at", TIME, nullable=False),
        sa.Column("last_clicked_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_campaign_clicks_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_clicks_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["campaign_recipients.id"],
            name=op.f("fk_campaign_clicks_recipient_id_campaign_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_clicks")),
        sa.UniqueConstraint(
            "recipient_id", "link", name=op.f("uq_campaign_clicks_recipient_id_link")
        ),
    )
    op.create_index("ix_campaign_clicks_campaign_id", "campaign_clicks", ["campaign_id"])
    with op.batch_alter_table("order_records") as batch:
        batch.add_column(sa.Column("campaign_multiplier", sa.Numeric(6, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_records") as batch:
        batch.drop_column("campaign_multiplier")
    op.drop_table("campaign_clicks")
    op.drop_table("campaign_codes")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("attribution_hours")
        batch.drop_column("codes_ready_at")
        batch.drop_column("discount_id")
        batch.drop_column("offer")
