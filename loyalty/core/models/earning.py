"""Ways to earn beyond orders that need a record of their own: the birthday reward."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import ENUM_STR, Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class BirthdayRewardKind(enum.StrEnum):
    POINTS = "points"
    CODE = "code"


class BirthdayRewardState(enum.StrEnum):
    PENDING = "pending"  # a code still to be created in Shopify (jobs.birthdays)
    ISSUED = "issued"  # points posted, or the code exists in Shopify
    FAILED = "failed"  # Shopify refused the code; nothing was given


class BirthdayReward(Base):
    """One birthday reward, once per customer and year (loyalty.club.birthdays).

    ``source_key`` is ``birthday:{customer id}:{year}``, unique per shop: the row is the
    once-a-year guard whichever reward the shop gives, and a points reward posts its ledger
    entry under the same key.
    """

    __tablename__ = "birthday_rewards"
    __table_args__ = (UniqueConstraint("shop_id", "source_key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(ENUM_STR)
    points: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(ENUM_STR, default=BirthdayRewardState.ISSUED)
    code: Mapped[str | None] = mapped_column(String(64))
    discount_id: Mapped[str | None] = mapped_column(String(100))
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
