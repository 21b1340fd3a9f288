"""The privacy and self-service tests' shoppers, their history (seeded through the models) and
Shopify's bodies.

Rows are written straight through the models: the engine that would write them is tested on its
own, and these tests are about what the compliance requests do with whatever is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import (
    AuditLog,
    ConsentEvent,
    DailyRollup,
    LedgerEntry,
    Member,
    OrderRecord,
    OrderRefund,
    Redemption,
    Reward,
    SentMessage,
    WelcomeCode,
)
from loyalty.core.types import utcnow
from loyalty.points import reasons
from tests.support.shops import SHOP


@dataclass(frozen=True)
class Person:
    """A shopper's identity: what must be gone after ``customers/redact``."""

    customer_id: int
    first_name: str
    last_name: str
    preferred_name: str
    email: str
    phone: str
    order_ids: tuple[int, ...]

    @property
    def personal_data(self) -> tuple[str, ...]:
        """The strings no table may hold once the person is redacted."""
        return (self.first_name, self.last_name, self.preferred_name, self.email, self.phone)


INGEBORG = Person(
    191167,
    "Ingeborg",
    "Fjellstad",
    "Borghildur",
    "ingeborg.fjellstad@example.no",
    "+4791234567",
    (299938, 280263),
)
SOLVEIG = Person(
    552211,
    "Solveig",
    "Haugland",
    "Sollemor",
    "solveig.haugland@example.no",
    "+4798765432",
    (410001,),
)
GUEST_ORDER = 220458  # listed in the requests, a guest checkout: no customer on it


def welcome_code_of(person: Person) -> str:
    """The welcome code :func:`seed_customer` gives the person (issued, not used)."""
    return f"WELCOME-{person.customer_id:012d}"


@dataclass(frozen=True)
class Seeded:
    """Ids of what :func:`seed_customer` wrote."""

    shop_id: int
    member_id: int
    balance: int


def seed_customer(sessions: sessionmaker[Session], shop_id: int, person: Person) -> Seeded:
    """A member with consents, a ledger, orders and a refund, codes (a welcome code unused),
    messages sent to them (an SMS and an email), and an audit trail."""
    now = utcnow()
    with sessions.begin() as s:
        member = Member(
            shop_id=shop_id,
            customer_id=person.customer_id,
            first_name=person.first_name,
            last_name=person.last_name,
            preferred_name=person.preferred_name,
            email=person.email,
            phone=person.phone,
            birthday=date(1988, 5, 17),
            language="nb",
            notes=f"Call {person.first_name} before delivery",
            email_consent=True,
            sms_consent=True,
            points_balance=270,
            lifetime_points=220,
            joined_at=now - timedelta(days=90),
        )
        s.add(member)
        s.flush()
        for channel in ("email", "sms"):
            s.add(
                ConsentEvent(
                    shop_id=shop_id,
                    member_id=member.id,
                    channel=channel,
                    granted=True,
                    source="widget",
                )
            )
        goodwill = f"Goodwill for {person.first_name} {person.last_name}"
        entries = [
            (100, "bonus", f"signup:{person.customer_id}", reasons.SIGNUP_BONUS, None),
            (
                120,
                "earn",
                f"order:{person.order_ids[0]}:1",
                reasons.order(person.order_ids[0]),
                person.order_ids[0],
            ),
            (
                50,
                "adjust",
                f"adjust:{person.customer_id}:1",
                reasons.staff_adjustment(goodwill),
                None,
            ),
        ]
        for points, kind, key, reason, order_id in entries:
            s.add(
                LedgerEntry(
                    shop_id=shop_id,
                    member_id=member.id,
                    points=points,
                    kind=kind,
                    source_key=key,
                    order_id=order_id,
                    **reasons.columns(reason),
                )
            )
        for n, order_id in enumerate(person.order_ids):
            s.add(
                OrderRecord(
                    shop_id=shop_id,
                    order_id=order_id,
                    customer_id=person.customer_id,
                    member_id=member.id,
                    currency="NOK",
                    total=Decimal("1250.00"),
                    paid_subtotal=Decimal("1200.00"),
                    financial_status="paid",
                    paid=True,
                    points_owed=120 if n == 0 else 0,
                    ordered_at=now - timedelta(days=30 - n),
                )
            )
        s.add(
            OrderRefund(
                shop_id=shop_id,
                refund_id=person.order_ids[0] + 7,
                order_id=person.order_ids[0],
                subtotal=Decimal("100.00"),
                refunded_at=now,
            )
        )
        reward = Reward(
            shop_id=shop_id,
            kind="fixed_amount",
            title="100 kr off",
            points_cost=100,
            value=Decimal("100"),
        )
        s.add(reward)
        s.flush()
        for state, letter, number in (("issued", "A", 1), ("used", "B", 2)):
            s.add(
                Redemption(
                    shop_id=shop_id,
                    member_id=member.id,
                    reward_id=reward.id,
                    points=100,
                    state=state,
                    code=f"KLUBB-{person.customer_id}{letter}",
                    discount_id=f"gid://shopify/DiscountCodeNode/{person.customer_id}{number}",
                )
            )
        for channel, provider, recipient, status in (
            ("sms", "twilio", person.phone, "delivered"),
            ("email", "smtp", person.email, "sent"),
        ):
            s.add(
                SentMessage(
                    shop_id=shop_id,
                    member_id=member.id,
                    channel=channel,
                    provider=provider,
                    provider_message_id=f"{provider}-{person.customer_id}",
                    recipient=recipient,
                    status=status,
                )
            )
        s.add(
            WelcomeCode(
                shop_id=shop_id,
                member_id=member.id,
                code=welcome_code_of(person),
                percentage=10,
                discount_id=f"gid://shopify/DiscountCodeNode/{person.customer_id}0",
                issued_at=now - timedelta(days=90),
            )
        )
        s.add(
            AuditLog(
                shop_id=shop_id,
                member_id=member.id,
                actor_type="staff",
                actor_id="42",
                action="member.updated",
                detail=f"email changed to {person.email}",
            )
        )
        if s.get(DailyRollup, (shop_id, now.date())) is None:
            s.add(DailyRollup(shop_id=shop_id, day=now.date(), member_orders=2, new_members=1))
        return Seeded(shop_id=shop_id, member_id=member.id, balance=270)


def customer_payload(person: Person) -> dict[str, Any]:
    """A customers/create|update body for the person (Shopify's shape, the fields we read)."""
    return {
        "id": person.customer_id,
        "email": person.email,
        "phone": person.phone,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "updated_at": utcnow().isoformat(),
        "default_address": {"first_name": person.first_name, "phone": person.phone},
    }


def order_payload(person: Person, order_id: int) -> dict[str, Any]:
    """An orders/paid body of the person's (paid, 1000 NOK, one line)."""
    return {
        "id": order_id,
        "email": person.email,
        "phone": person.phone,
        "currency": "NOK",
        "financial_status": "paid",
        "subtotal_price": "1000.00",
        "subtotal_price_set": {"shop_money": {"amount": "1000.00", "currency_code": "NOK"}},
        "total_price": "1000.00",
        "line_items": [{"id": order_id + 1, "price": "1000.00", "quantity": 1}],
        "customer": customer_payload(person),
        "billing_address": {"name": f"{person.first_name} {person.last_name}"},
        "created_at": utcnow().isoformat(),
        "updated_at": utcnow().isoformat(),
        "test": False,
        "source_name": "web",
    }


def data_request_payload(
    person: Person, request_id: int = 9999, shop: str = SHOP
) -> dict[str, Any]:
    """Shopify's customers/data_request body for the person."""
    return {
        "shop_id": 954889,
        "shop_domain": shop,
        "orders_requested": [*person.order_ids, GUEST_ORDER],
        "customer": {"id": person.customer_id, "email": person.email, "phone": person.phone},
        "data_request": {"id": request_id},
    }


def redact_payload(person: Person, shop: str = SHOP) -> dict[str, Any]:
    """Shopify's customers/redact body for the person."""
    return {
        "shop_id": 954889,
        "shop_domain": shop,
        "customer": {"id": person.customer_id, "email": person.email, "phone": person.phone},
        "orders_to_redact": [*person.order_ids, GUEST_ORDER],
    }


def seed_shop_rows(sessions: sessionmaker[Session], shop_id: int) -> None:
    """One row in each per-shop table the customers' history does not reach (shop/redact tests).

    Widget appearance, a backfill, an import run, an analytics day, an SMS provider (its
    secrets as the cipher would leave them: opaque bytes), a segment with a campaign to it and
    its first recipient (with a code and a click), a referral code and a referral, a stamp card with an order's lines, a refund of one, the member's
    stamps and reward (:func:`seed_stamp_rows`), a VIP tier in which the shop's members are
    placed, each with a standing and its history, and a spend voucher rule with a voucher and its
    ledger (seed the shop's members first): settings and bookkeeping of the shop, which
    ``shop/redact`` deletes with everything else.
    """
    from sqlalchemy import select

    from loyalty.club.tier_catalogue import create_tier
    from loyalty.club.tier_rewards import recompute_members
    from loyalty.core.models import (
        Backfill,
        Campaign,
        CampaignClick,
        CampaignCode,
        CampaignRecipient,
        CustomerDayCounts,
        CustomerDayOrders,
        ImportRun,
        Member,
        MessagingSettings,
        Referral,
        ReferralCode,
        Segment,
        WidgetAppearance,
    )

    with sessions.begin() as s:
        s.add_all(
            [
                WidgetAppearance(
                    shop_id=shop_id,
                    accent_color="#1f5f3f",
                    accent_text_color="#ffffff",
                    background_color="#ffffff",
                    text_color="#303030",
                    position="right",
                    launcher_text={"en": "Rewards", "nb": "Fordeler"},
                ),
                Backfill(shop_id=shop_id),
                ImportRun(shop_id=shop_id, mode="add", source="smile", file_hash="0" * 64),
                CustomerDayOrders(
                    shop_id=shop_id, day=utcnow().date(), member=True, customer_key=1, orders=1
                ),
                CustomerDayCounts(
                    shop_id=shop_id,
                    series=0,
                    day=utcnow().date(),
                    orders=1,
                    by_gap=[1],
                    single_firsts=[1],
                ),
                MessagingSettings(
                    shop_id=shop_id,
                    channel="sms",
                    provider="twilio",
                    settings={"account_sid": "AC" + "0" * 32, "sender": "Klubb"},
                    secrets_encrypted=b"gAAAA-not-a-real-ciphertext",
                    hook_secret_digest=f"{shop_id:064d}",
                ),
            ]
        )
        segment = Segment(shop_id=shop_id, name="Alle", filter={})
        s.add(segment)
        s.flush()
        campaign = Campaign(
            shop_id=shop_id,
            name="Jul",
            channel="sms",
            segment_id=segment.id,
            message={"nb": "Hei", "en": "Hi"},
        )
        s.add(campaign)
        s.flush()
        member_id = s.scalars(select(Member.id).where(Member.shop_id == shop_id)).first()
        assert member_id is not None, "seed a member of the shop first"
        recipient = CampaignRecipient(campaign_id=campaign.id, shop_id=shop_id, member_id=member_id)
        s.add(recipient)
        s.flush()
        s.add_all(
            [
                CampaignCode(
                    shop_id=shop_id, campaign_id=campaign.id, member_id=member_id, code="JUL-SEED"
                ),
                CampaignClick(
                    shop_id=shop_id, campaign_id=campaign.id, recipient_id=recipient.id, link=1
                ),
                ReferralCode(member_id=member_id, shop_id=shop_id, code=f"SEED{shop_id:04d}"),
                Referral(
                    shop_id=shop_id,
                    referrer_id=member_id,
                    friend_email="venn@example.com",
                    consented_at=utcnow(),
                    points=100,
                    percent=10,
                    code=f"VENN-SEED{shop_id}",
                ),
            ]
        )
        seed_stamp_rows(s, shop_id, member_id)
    create_tier(sessions, shop_id, {"name": "Member", "basis": "points", "threshold": 0})
    recompute_members(sessions, shop_id, cause="ladder_changed")
    _seed_voucher(sessions, shop_id, member_id)


def _seed_voucher(sessions: sessionmaker[Session], shop_id: int, member_id: int) -> None:
    """A spend voucher rule, a voucher of the member's from it, and its ledger entry."""

    from loyalty.club.voucher_catalogue import create_rule
    from loyalty.core.models import Voucher, VoucherEvent

    rule = {
        "name": "Spend 100",
        "threshold": "100",
        "period": "calendar_year",
        "voucher": {"kind": "discount_code", "amount": "10"},
    }
    rule_id = int(create_rule(sessions, shop_id, rule)["id"])
    with sessions.begin() as s:
        voucher = Voucher(
            shop_id=shop_id,
            rule_id=rule_id,
            member_id=member_id,
            period_key="2026",
            period_start=utcnow(),
            period_end=utcnow(),
            kind="discount_code",
            amount=Decimal(10),
            currency="NOK",
            threshold=Decimal(100),
            spend=Decimal(100),
            qualified=True,
            state="pending",
            debited=Decimal(0),
        )
        s.add(voucher)
        s.flush()
        s.add(VoucherEvent(shop_id=shop_id, voucher_id=voucher.id, kind="reached"))


def seed_stamp_rows(s: Session, shop_id: int, member_id: int) -> None:
    """A stamp card (with a collection's product), an order's line and a refund of it, and the
    member's stamp, progress and reward on the card, written as rows (no Shopify, no ledger)."""
    from loyalty.core.models import (
        CollectionProduct,
        OrderLine,
        OrderLineRefund,
        StampCard,
        StampCardMember,
        StampEntry,
        StampReward,
    )

    card = StampCard(
        shop_id=shop_id,
        name="Kaffekort",
        product_ids=[501],
        collection_ids=[900],
        stamps_required=1,
        reward={"kind": "percentage", "percentage": 10},
        repeatable=True,
    )
    s.add(card)
    s.flush()
    order_id = 990_000 + shop_id
    s.add_all(
        [
            CollectionProduct(shop_id=shop_id, collection_id=900, product_id=501),
            OrderLine(
                shop_id=shop_id,
                order_id=order_id,
                line_id=1,
                product_id=501,
                quantity=2,
                price=Decimal("39"),
                stamp_card_ids=[card.id],
            ),
            OrderLineRefund(shop_id=shop_id, refund_id=1, order_id=order_id, line_id=1, quantity=1),
            StampEntry(
                shop_id=shop_id,
                card_id=card.id,
                member_id=member_id,
                stamps=1,
                order_id=order_id,
                source_key=f"stamps:{order_id}:{card.id}:0",
            ),
            StampCardMember(
                card_id=card.id, member_id=member_id, shop_id=shop_id, stamps=1, rewards=1
            ),
            StampReward(
                shop_id=shop_id,
                card_id=card.id,
                member_id=member_id,
                fill=1,
                reward={"kind": "percentage", "percentage": 10},
                code=f"STAMP-SEED{shop_id}",
            ),
        ]
    )
