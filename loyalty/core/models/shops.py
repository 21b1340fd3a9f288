"""Shops, their program settings and the widget's appearance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loyalty.core.models.base import Base, BigIntPK
from loyalty.core.types import UTCDateTime, utcnow


class Shop(Base):
    """A shop that installed Klubb; tokens are stored encrypted (see ``loyalty.shopify.tokens``)."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    shopify_shop_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    access_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(String(1000), default="")
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shopify refused the stored tokens then: nothing calls Shopify for the shop until the
    # merchant opens the app and a new token is exchanged (loyalty.shopify.authorisation).
    needs_authorisation_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The admin home's setup guide, put away by the merchant (loyalty.onboarding).
    setup_guide_dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    program_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the app proxy is in the storefront, as Shopify last said (loyalty.shopify.proxy_path).
    proxy_path: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    settings: Mapped[ProgramSettings | None] = relationship(
        back_populates="shop", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_installed(self) -> bool:
        """Installed and not uninstalled since, with a token to call Shopify with."""
        return self.installed_at is not None and self.uninstalled_at is None


class ProgramSettings(Base):
    """A shop's loyalty program: the earning rules' parameters (DESIGN.md, "Earning rules")."""

    __tablename__ = "program_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    # Points per whole unit of the shop's currency.
    earn_rate: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(1))
    signup_bonus: Mapped[int] = mapped_column(Integer, default=100)
    welcome_discount_percent: Mapped[int] = mapped_column(Integer, default=10)
    # Days a welcome code is valid once issued (its endsAt in Shopify); 0: no end date.
    welcome_discount_days: Mapped[int] = mapped_column(Integer, default=0)
    expiry_months: Mapped[int] = mapped_column(Integer, default=12)
    auto_enrol: Mapped[bool] = mapped_column(Boolean, default=True)
    pending_days: Mapped[int] = mapped_column(Integer, default=0)
    # Retention periods (loyalty.privacy.retention_policy; checked in loyalty.points.settings).
    inactive_member_months: Mapped[int] = mapped_column(Integer, default=24)
    webhook_body_days: Mapped[int] = mapped_column(Integer, default=30)
    export_days: Mapped[int] = mapped_column(Integer, default=30)
    audit_months: Mapped[int] = mapped_column(Integer, default=24)
    # Ways to earn beyond orders (loyalty.club.earning_settings).
    birthday_reward: Mapped[str] = mapped_column(String(10), default="off")
    birthday_points: Mapped[int] = mapped_column(Integer, default=100)
    birthday_discount_percent: Mapped[int] = mapped_column(Integer, default=10)
    birthday_code_days: Mapped[int] = mapped_column(Integer, default=30)
    birthday_timing: Mapped[str] = mapped_column(String(10), default="month")
    birthday_change_wait_days: Mapped[int] = mapped_column(Integer, default=30)
    instagram_url: Mapped[str | None] = mapped_column(String(255))
    instagram_points: Mapped[int] = mapped_column(Integer, default=50)
    facebook_url: Mapped[str | None] = mapped_column(String(255))
    facebook_points: Mapped[int] = mapped_column(Integer, default=50)
    tiktok_url: Mapped[str | None] = mapped_column(String(255))
    tiktok_points: Mapped[int] = mapped_column(Integer, default=50)
    newsletter_points: Mapped[int] = mapped_column(Integer, default=0)
    # No marketing SMS from start to end ("HH:MM", the shop's time zone); both null = none.
    quiet_hours_start: Mapped[str | None] = mapped_column(String(5), default="21:00")
    quiet_hours_end: Mapped[str | None] = mapped_column(String(5), default="08:00")
    # VIP tiers (loyalty.club): days a member keeps a tier after no longer qualifying, and
    # whether staff adjustments count as points earned.
    tier_grace_days: Mapped[int] = mapped_column(Integer, default=30)
    tier_counts_adjustments: Mapped[bool] = mapped_column(Boolean, default=False)
    # Referrals (loyalty.club.referrals): off until the merchant turns them on.
    referral_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_points: Mapped[int] = mapped_column(Integer, default=500)
    referral_discount_percent: Mapped[int] = mapped_column(Integer, default=10)
    referral_code_days: Mapped[int] = mapped_column(Integer, default=30)
    referral_wait_days: Mapped[int] = mapped_column(Integer, default=14)
    referral_monthly_cap: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="settings")

    @property
    def quiet_hours(self) -> dict[str, str] | None:
        """``{"start", "end"}`` ("HH:MM"), or None: no quiet hours."""
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return None
        return {"start": self.quiet_hours_start, "end": self.quiet_hours_end}

    @quiet_hours.setter
    def quiet_hours(self, value: dict[str, str] | None) -> None:
        self.quiet_hours_start = value["start"] if value else None
        self.quiet_hours_end = value["end"] if value else None


class WidgetAppearance(Base):
    """How the storefront widget looks, as the merchant set it in the admin (issue 7)."""

    __tablename__ = "widget_appearances"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    accent_color: Mapped[str] = mapped_column(String(7))
    accent_text_color: Mapped[str] = mapped_column(String(7))
    background_color: Mapped[str] = mapped_column(String(7))
    text_color: Mapped[str] = mapped_column(String(7))
    position: Mapped[str] = mapped_column(String(8))
    # {"en": "Rewards", "nb": "Fordeler"}; a missing language uses the extension's own text.
    launcher_text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
