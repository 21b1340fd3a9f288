"""Members' welcome discount codes and what became of them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class WelcomeState(enum.StrEnum):
    """What the member JSON says of a welcome code (derived, not stored: see WelcomeCode)."""

    ISSUED = "issued"
    USED = "used"
    EXPIRED = "expired"


class WelcomeCode(Base):
    """One member's welcome discount code: the facts its state is read from.

    ``issued_at`` is set once the code exists in Shopify, ``used_at`` (with the order) once an
    order carried it, ``ends_at`` when the code has an end date; the state follows from them
    (:mod:`loyalty.points.welcome_state`), whichever fact arrived first. ``code`` is NULL only
    on a row revision 0016 made for a member who joined before it, until the code is looked
    up in Shopify (:mod:`loyalty.points.welcome_earlier`).
    """

    __tablename__ = "welcome_codes"
    __table_args__ = (Index("ix_welcome_codes_shop_id_code", "shop_id", "code"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str | None] = mapped_column(String(32))
    percentage: Mapped[int | None] = mapped_column(Integer)
    discount_id: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
