"""Klubb's tables, as SQLAlchemy 2.0 typed models (DESIGN.md, "Data model").

Shopify ids exceed 2^53: they are BIGINT here and strings in JSON. Money is ``Numeric``
(``Decimal`` in Python) in the shop's currency; points are integers. Every row that belongs to
a shop carries ``shop_id`` so that every query can be scoped by shop (invariant 7).

One module per concept: ``base`` (the declarative base and shared column types), ``shops``,
``members``, ``ledger`` (with the order facts), ``rewards``, ``earning`` (birthday rewards),
``webhook_events``, ``privacy``, ``analytics``, ``imports`` (with the backfill), ``messaging``
(providers, sent messages), ``campaigns`` (segments, campaigns, their recipients), ``club``
(tiers), ``vouchers`` (spend-threshold vouchers), ``stamps`` (order lines, stamp cards), ``referrals`` and ``welcome``. Importing this package registers every table on ``Base.metadata``
(Alembic's ``migrations/env.py`` relies on it); every public name is re-exported here, so
``from loyalty.core.models import X`` is the way to import a model.
"""

from __future__ import annotations

from loyalty.core.models.analytics import (
    CustomerDayCounts,
    CustomerDayOrders,
    DailyRollup,
    IntArray,
)
from loyalty.core.models.base import ENUM_STR, MONEY, NAMING, Base, BigIntPK
from loyalty.core.models.campaigns import (
    Campaign,
    CampaignClick,
    CampaignCode,
    CampaignCodeState,
    CampaignRecipient,
    CampaignState,
    RecipientState,
    Segment,
)
from loyalty.core.models.club import MemberTier, Tier, TierBasis, TierChange, TierPeriod
from loyalty.core.models.earning import BirthdayReward, BirthdayRewardKind, BirthdayRewardState
from loyalty.core.models.imports import Backfill, ImportRow, ImportRun
from loyalty.core.models.ledger import LedgerEntry, LedgerKind, OrderRecord, OrderRefund
from loyalty.core.models.members import (
    ConsentEvent,
    Member,
    MemberStatus,
    Tombstone,
    TombstoneReason,
)
from loyalty.core.models.messaging import (
    STATUS_RANK,
    MessageChannel,
    MessageStatus,
    MessagingSettings,
    SentMessage,
)
from loyalty.core.models.privacy import (
    AuditLog,
    PrivacyRequest,
    PrivacyRequestKind,
    ShopRedaction,
)
from loyalty.core.models.referrals import (
    Referral,
    ReferralCode,
    ReferralCodeState,
    ReferralOutcome,
)
from loyalty.core.models.rewards import (
    PriceChange,
    Redemption,
    RedemptionState,
    Reward,
    RewardKind,
    RewardPause,
)
from loyalty.core.models.shops import ProgramSettings, Shop, WidgetAppearance
from loyalty.core.models.stamps import (
    CollectionProduct,
    OrderLine,
    OrderLineRefund,
    StampCard,
    StampCardMember,
    StampEntry,
    StampReward,
    StampRewardKind,
    StampRewardState,
)
from loyalty.core.models.vouchers import (
    Voucher,
    VoucherEvent,
    VoucherEventKind,
    VoucherKind,
    VoucherPeriod,
    VoucherRule,
    VoucherState,
)
from loyalty.core.models.webhook_events import EventStatus, WebhookEvent
from loyalty.core.models.welcome import WelcomeCode, WelcomeState

__all__ = [
    "ENUM_STR",
    "MONEY",
    "NAMING",
    "STATUS_RANK",
    "AuditLog",
    "Backfill",
    "Base",
    "BigIntPK",
    "BirthdayReward",
    "BirthdayRewardKind",
    "BirthdayRewardState",
    "Campaign",
    "CampaignClick",
    "CampaignCode",
    "CampaignCodeState",
    "CampaignRecipient",
    "CampaignState",
    "CollectionProduct",
    "ConsentEvent",
    "CustomerDayCounts",
    "CustomerDayOrders",
    "DailyRollup",
    "EventStatus",
    "ImportRow",
    "ImportRun",
    "IntArray",
    "LedgerEntry",
    "LedgerKind",
    "Member",
    "MemberStatus",
    "MemberTier",
    "MessageChannel",
    "MessageStatus",
    "MessagingSettings",
    "OrderLine",
    "OrderLineRefund",
    "OrderRecord",
    "OrderRefund",
    "PriceChange",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "ProgramSettings",
    "RecipientState",
    "Redemption",
    "RedemptionState",
    "Referral",
    "ReferralCode",
    "ReferralCodeState",
    "ReferralOutcome",
    "Reward",
    "RewardKind",
    "RewardPause",
    "Segment",
    "SentMessage",
    "Shop",
    "ShopRedaction",
    "StampCard",
    "StampCardMember",
    "StampEntry",
    "StampReward",
    "StampRewardKind",
    "StampRewardState",
    "Tier",
    "TierBasis",
    "TierChange",
    "TierPeriod",
    "Tombstone",
    "TombstoneReason",
    "Voucher",
    "VoucherEvent",
    "VoucherEventKind",
    "VoucherKind",
    "VoucherPeriod",
    "VoucherRule",
    "VoucherState",
    "WebhookEvent",
    "WelcomeCode",
    "WelcomeState",
    "WidgetAppearance",
]
