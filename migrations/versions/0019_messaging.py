"""messaging: providers per shop and the log of messages sent

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 10:00:00

``messaging_settings`` holds a shop's SMS provider (Twilio or Sveve) and its SMTP server, the
secrets encrypted with TOKEN_ENCRYPTION_KEYS, and the secret of its provider callback URLs.
``sent_messages`` records each message handed to a provider and the delivery status the
provider reports; its recipient is personal data, erased with the member.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "messaging_settings",
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secrets_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("hook_secret_digest", sa.String(length=64), nullable=True),
        sa.Column("hook_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "channel", name=op.f("pk_messaging_settings")),
        sa.UniqueConstraint(
            "hook_secret_digest", name=op.f("uq_messaging_settings_hook_secret_digest")
        ),
    )
    op.create_table(
        "sent_messages",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_message_id", sa.String(length=64), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("sent_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loyalty.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_sent_messages_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_sent_messages_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_messages")),
        sa.UniqueConstraint(
            "shop_id",
            "provider",
            "provider_message_id",
            name=op.f("uq_sent_messages_shop_id_provider_provider_message_id"),
        ),
    )
    op.create_index(op.f("ix_sent_messages_shop_id"), "sent_messages", ["shop_id"])
    op.create_index(op.f("ix_sent_messages_member_id"), "sent_messages", ["member_id"])
    op.create_index(
        "ix_sent_messages_shop_id_recipient", "sent_messages", ["shop_id", "recipient"]
    )


def downgrade() -> None:
    op.drop_table("sent_messages")
    op.drop_table("messaging_settings")
