"""The welcome discount: one Shopify code per member, for that customer only, one use.

DESIGN.md's earning rules: a member gets a welcome discount (``welcome_discount_percent`` of the
program settings; 0 turns it off) as a one-customer code (``context.customers.add``,
``usageLimit: 1``). It is created through :mod:`loyalty.rewards.discount_codes` like a reward code.

Once per member without a column: the code is deterministic, derived from the shop, the customer
and a secret key (an HMAC, so nobody can guess another shopper's code), and its title ends in
``(Klubb welcome #<member id>)``. Whichever way the member joins (customers/create, a first
order, the widget's join), the path queues the job when :func:`joined_since` says the member is
new to it. Before creating, the job looks the code up in Shopify; a code
found with our title means an earlier run (or a duplicate delivery) already created it, and
Shopify's ``TAKEN`` answer to a racing create is read the same way. No database transaction is
open during a call to Shopify.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, MemberStatus, ProgramSettings, RewardKind, Shop
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings, settings_defaults
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    CodeTaken,
    DiscountRejected,
    create_code,
    find_code,
)
from loyalty.shopify.client import ShopifyClient

CODE_PREFIX = "WELCOME-"


@dataclass(frozen=True)
class WelcomeTarget:
    """What the welcome code of one member needs, read in one short transaction."""

    shop_id: int
    shop_domain: str
    member_id: int
    customer_id: int
    percent: int


def welcome_code(key: bytes, shop_id: int, customer_id: int) -> str:
    """The member's welcome code: ``WELCOME-`` and 12 characters of an HMAC (deterministic)."""
    digest = hmac.new(key, f"welcome:{shop_id}:{customer_id}".encode(), hashlib.sha256)
    return CODE_PREFIX + digest.hexdigest()[:12].upper()


def welcome_title(member_id: int, percent: int) -> str:
    """The discount's title; its ending is how a code found in Shopify is known as ours."""
    return f"Welcome {percent} % off (Klubb welcome #{member_id})"


def joined_since(sessions: sessionmaker[Session], member_id: int, since: datetime) -> bool:
    """Whether a welcome code is due to a member an enrolment path just saw: the shop gives one,
    the member is active and joined at or after ``since``.

    ``since`` is when the path began (an event's receipt, a join request's start), so a member
    that the path itself enrolled (customers/create or /update, a first order, the widget's
    join) qualifies, also when its job is re-run after a crash, while a member who joined
    before does not (an old or backfilled member's next order makes no welcome code). A member
    enrolled by another path running at the same moment may qualify twice: the welcome job is
    idempotent, so that is one code.
    """
    # Every order of a member asks this: one autocommitted statement, no BEGIN and ROLLBACK
    # round trips, and the shop's settings (or their default) read in the same statement.
    default = settings_defaults()["welcome_discount_percent"]
    engine = sessions.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(
            select(
                Member.joined_at,
                Member.status,
                func.coalesce(ProgramSettings.welcome_discount_percent, default).label("percent"),
            )
            .outerjoin(ProgramSettings, ProgramSettings.shop_id == Member.shop_id)
            .where(Member.id == member_id)
        ).one_or_none()
    if row is None or row.status != MemberStatus.ACTIVE or row.joined_at < since:
        return False
    return int(row.percent) > 0


def welcome_target(sessions: sessionmaker[Session], member_id: int) -> WelcomeTarget | None:
    """The member's shop, customer and percentage; None if no code is due (off, not active)."""
    with sessions() as s:
        row = s.execute(
            select(Member.shop_id, Member.customer_id, Member.status, Shop.domain)
            .join(Shop, Shop.id == Member.shop_id)
            .where(Member.id == member_id)
        ).one_or_none()
        if row is None:
            return None
        shop_id, customer_id, status, domain = row
        percent = program_settings(s, shop_id).welcome_discount_percent
    if status != MemberStatus.ACTIVE or customer_id <= 0 or percent <= 0:
        return None
    return WelcomeTarget(int(shop_id), domain, member_id, int(customer_id), min(int(percent), 100))


def issue_welcome_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    member_id: int,
    *,
    key: bytes,
    now: datetime | None = None,
) -> str:
    """Create the member's welcome code unless it exists; ``created``, ``exists`` or ``skipped``.

    Raises the client's errors (unavailable, throttled) so the job is retried, and
    :class:`DiscountRejected` when Shopify refuses the discount or the code is someone else's.
    """
    target = welcome_target(sessions, member_id)
    if target is None:
        return "skipped"
    code = welcome_code(key, target.shop_id, target.customer_id)
    title = welcome_title(member_id, target.percent)
    token = access_token(target.shop_domain)
    if _ours_exists(client, target, token, code):
        return "exists"
    spec = CodeSpec(
        kind=RewardKind.PERCENTAGE,
        code=code,
        title=title,
        customer_id=target.customer_id,
        starts_at=now or utcnow(),
        fraction=Decimal(target.percent) / 100,
    )
    try:
        create_code(client, target.shop_domain, token, spec)
    except CodeTaken:
        # A racing run created it between our look-up and our create.
        if _ours_exists(client, target, token, code):
            return "exists"
        raise
    return "created"


def _ours_exists(client: ShopifyClient, target: WelcomeTarget, token: str, code: str) -> bool:
    found = find_code(client, target.shop_domain, token, code)
    if found is None:
        return False
    if "(Klubb welcome #" in found.title:
        # Ours; another member number means the customer left and joined again: one welcome
        # discount per customer, as the signup bonus is once per customer.
        return True
    raise DiscountRejected("welcome code held by another discount", ["TAKEN"])
