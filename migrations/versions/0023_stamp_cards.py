"""stamp cards: order lines and their refunds, cards, the stamp ledger, rewards

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 11:40:00

``order_lines`` and ``order_line_refunds`` hold each order's lines (product, variant, quantity,
price, gift card) and the units each refund took back; a line's ``stamp_card_ids`` are decided
once when it is first recorded. ``stamp_cards`` are the merchant's cards,
``collection_products`` the products of the collections they count (as the Admin API said),
``stamp_entries`` the stamp ledger (unique per shop and source key), ``stamp_card_members``
each member's sum and rewards on a card, ``stamp_rewards`` one row per (card, member, fill).
Orders recorded before this revision have no lines: they give no stamps.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loyalty.core.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = loyalty.core.types.UTCDateTime(timezone=True)
MONEY = sa.Numeric(precision=20, scale=4)


def _id() -> sa.Column[int]:
    return sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "order_lines",
        _id(),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("variant_id", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("gift_card", sa.Boolean(), nullable=False),
        sa.Column("stamp_card_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("order_lines", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint(
            "shop_id", "order_id", "line_id", name=op.f("uq_order_lines_shop_id_order_id_line_id")
        ),
    )
    op.create_table(
        "order_line_refunds",
        _id(),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("refund_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("order_line_refunds", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line_refunds")),
        sa.UniqueConstraint(
            "shop_id",
            "refund_id",
            "line_id",
            name=op.f("uq_order_line_refunds_shop_id_refund_id_line_id"),
        ),
    )
    op.create_index(
        "ix_order_line_refunds_shop_id_order_id", "order_line_refunds", ["shop_id", "order_id"]
    )
    op.create_table(
        "stamp_cards",
        _id(),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("collection_ids", sa.JSON(), nullable=False),
        sa.Column("stamps_required", sa.Integer(), nullable=False),
        sa.Column("reward", sa.JSON(), nullable=False),
        sa.Column("repeatable", sa.Boolean(), nullable=False),
        sa.Column("starts_at", TIME, nullable=True),
        sa.Column("ends_at", TIME, nullable=True),
        sa.Column("paused_reason", sa.String(length=40), nullable=True),
        sa.Column("deleted_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("stamp_cards", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stamp_cards")),
    )
    op.create_index("ix_stamp_cards_shop_id", "stamp_cards", ["shop_id"])
    op.create_table(
        "collection_products",
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        _fk("collection_products", "shop_id", "shops"),
        sa.PrimaryKeyConstraint(
            "shop_id", "collection_id", "product_id", name=op.f("pk_collection_products")
        ),
    )
    op.create_table(
        "stamp_entries",
        _id(),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("card_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("stamp_entries", "shop_id", "shops"),
        _fk("stamp_entries", "card_id", "stamp_cards"),
        _fk("stamp_entries", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stamp_entries")),
        sa.UniqueConstraint(
            "shop_id", "source_key", name=op.f("uq_stamp_entries_shop_id_source_key")
        ),
    )
    op.create_index("ix_stamp_entries_shop_id_order_id", "stamp_entries", ["shop_id", "order_id"])
    op.create_index("ix_stamp_entries_member_id", "stamp_entries", ["member_id"])
    op.create_table(
        "stamp_card_members",
        sa.Column("card_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=False),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("rewards", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("stamp_card_members", "card_id", "stamp_cards"),
        _fk("stamp_card_members", "member_id", "members"),
        _fk("stamp_card_members", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("card_id", "member_id", name=op.f("pk_stamp_card_members")),
    )
    op.create_index(
        op.f("ix_stamp_card_members_member_id"), "stamp_card_members", ["member_id"]
    )
    op.create_table(
        "stamp_rewards",
        _id(),
        sa.Column("shop_id", BIGINT_ID, nullable=False),
        sa.Column("card_id", BIGINT_ID, nullable=False),
        sa.Column("member_id", BIGINT_ID, nullable=False),
        sa.Column("fill", sa.Integer(), nullable=False),
        sa.Column("reward", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("discount_id", sa.String(length=100), nullable=True),
        sa.Column("used_at", TIME, nullable=True),
        sa.Column("used_order_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("issued_at", TIME, nullable=True),
        _fk("stamp_rewards", "shop_id", "shops"),
        _fk("stamp_rewards", "card_id", "stamp_cards"),
        _fk("stamp_rewards", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stamp_rewards")),
        sa.UniqueConstraint(
            "card_id", "member_id", "fill", name=op.f("uq_stamp_rewards_card_id_member_id_fill")
        ),
    )
    op.create_index("ix_stamp_rewards_shop_id_state", "stamp_rewards", ["shop_id", "state"])


def downgrade() -> None:
    for table in (
        "stamp_rewards",
        "stamp_card_members",
        "stamp_entries",
        "collection_products",
        "stamp_cards",
        "order_line_refunds",
        "order_lines",
    ):
        op.drop_table(table)
