"""The rollups analytics read: per day, per customer and day, and customer counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalty.core.models.base import MONEY, Base


class DailyRollup(Base):
    """Per shop per day figures for analytics, kept current by the workers."""

    __tablename__ = "daily_rollups"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_orders: Mapped[int] = mapped_column(Integer, default=0)
    member_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    guest_orders: Mapped[int] = mapped_column(Integer, default=0)
    guest_revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    new_members: Mapped[int] = mapped_column(Integer, default=0)
    points_issued: Mapped[int] = mapped_column(BigInteger, default=0)
    points_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    points_expired: Mapped[int] = mapped_column(BigInteger, default=0)


class CustomerDayOrders(Base):
    """How many orders one customer placed on one shop-local day, as member or not.

    Kept by the workers beside DailyRollup (loyalty.points.order_rollups), so that distinct
    customers and repeat buyers over any period are exact without reading orders
    (loyalty.analytics.reports). The customer is a keyed hash, not the Shopify id: the row
    outlives a redaction anonymously.
    """

    __tablename__ = "customer_day_orders"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    customer_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)


# A customer's days in order, for keeping CustomerDayCounts (loyalty.analytics.customer_days).
Index(
    "ix_customer_day_orders_shop_id_customer_key_day",
    CustomerDayOrders.shop_id,
    CustomerDayOrders.customer_key,
    CustomerDayOrders.day,
)


# PostgreSQL's integer arrays; the embedded SQLite database keeps the same lists as JSON.
IntArray = ARRAY(Integer).with_variant(JSON(), "sqlite")


class CustomerDayCounts(Base):
    """Per shop, series and day: the customers of that day by how long since their last order.

    A series is the orders placed as a member, as a non-member, or all of them
    (``loyalty.analytics.customer_counts.Series``). ``by_gap[t]`` (1-based) counts the customers whose
    day this is and whose previous day in the series is at least ``t`` days earlier (or who
    have none); ``single_firsts[t]`` counts those whose first day in the series this is, with
    one order, and whose next day comes at least ``t`` days later (or never). Gaps are capped
    at ``customer_counts.CAP``. Both arrays are stored without their repeated tail (a position
    past the end holds the last value; an empty array is all zeros). Any period's distinct and
    repeat customers then take one array element per day (loyalty.analytics.reports).
    """

    __tablename__ = "customer_day_counts"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    by_gap: Mapped[list[int]] = mapped_column(IntArray)
    single_firsts: Mapped[list[int]] = mapped_column(IntArray)
