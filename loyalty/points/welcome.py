"""The welcome discount: one Shopify code per member, for that customer only, one use.

DESIGN.md's earning rules: a member gets a welcome discount (``welcome_discount_percent`` of the
program settings; 0 turns it off) as a one-customer code (``context.customers.add``,
``usageLimit: 1``). It is created through :mod:`loyalty.rewards.discount_codes` like a reward code.

Once per member: the code is deterministic, derived from the shop, the customer and a secret key
(an HMAC, so nobody can guess another shopper's code:
:func:`loyalty.points.welcome_state.welcome_code`), and its title ends in
``(Klubb welcome #<member id>)``. Whichever way the member joins
(customers/create, a first order, the widget's join), the path queues the job when
:func:`joined_since` says the member is new to it. Before creating, the job looks the code up in
Shopify; a code found with our title means an earlier run (or a duplicate delivery) already
created it, and Shopify's ``TAKEN`` answer to a racing create is read the same way. No database
transaction is open during a call to Shopify.

Either way the job records the code on the member's ``welcome_codes`` row
(:func:`loyalty.points.welcome_state.record_issued`): made now, with the shop's
``welcome_discount_days`` as its end (the same ``endsAt`` in Shopify; 0 gives none), or as
found in Shopify, with the dates and usage count Shopify holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, MemberStatus, ProgramSettings, RewardKind, Shop
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings, settings_defaults
from loyalty.points.welcome_state import record_issued, welcome_code
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    CodeTaken,
    DiscountRejected,
    FoundCode,
    create_code,
    find_code,
)
from loyalty.shopify.client import ShopifyClient

_TITLE_PERCENT = re.compile(r"^Welcome (\d{1,3}) % off ")


@dataclass(frozen=True)
class WelcomeTarget:
    """What the welcome code of one member needs, read in one short transaction."""

    shop_id: int
    shop_domain: str
    member_id: int
    customer_id: int
    percent: int
    days: int = 0


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
    """The member's shop, customer, percentage and days; None if no code is due (off, not
    active)."""
    with sessions() as s:
        row = s.execute(
            select(Member.shop_id, Member.customer_id, Member.status, Shop.domain)
            .join(Shop, Shop.id == Member.shop_id)
            .where(Member.id == member_id)
        ).one_or_none()
        if row is None:
            return None
        shop_id, customer_id, status, domain = row
        settings = program_settings(s, shop_id)
        percent, days = settings.welcome_discount_percent, settings.welcome_discount_days
    if status != MemberStatus.ACTIVE or customer_id <= 0 or percent <= 0:
        return None
    return WelcomeTarget(
        int(shop_id), domain, member_id, int(customer_id), min(int(percent), 100), int(days)
    )


def issue_welcome_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    member_id: int,
    *,
    key: bytes,
    now: datetime | None = None,
) -> str:
    """Create the member's welcome code unless it exists, and record it; ``created``,
    ``exists`` or ``skipped``.

    Raises the client's errors (unavailable, throttled) so the job is retried, and
    :class:`DiscountRejected` when Shopify refuses the discount or the code is someone else's.
    """
    target = welcome_target(sessions, member_id)
    if target is None:
        return "skipped"
    now = now or utcnow()
    code = welcome_code(key, target.shop_id, target.customer_id)
    token = access_token(target.shop_domain)
    found = find_welcome_code(client, target.shop_domain, token, code)
    if found is not None:
        record_found(sessions, target.shop_id, member_id, code, found, target.percent, now)
        return "exists"
    spec = CodeSpec(
        kind=RewardKind.PERCENTAGE,
        code=code,
        title=welcome_title(member_id, target.percent),
        customer_id=target.customer_id,
        starts_at=now,
        ends_at=now + timedelta(days=target.days) if target.days > 0 else None,
        fraction=Decimal(target.percent) / 100,
    )
    try:
        discount_id = create_code(client, target.shop_domain, token, spec)
    except CodeTaken:
        # A racing run created it between our look-up and our create.
        found = find_welcome_code(client, target.shop_domain, token, code)
        if found is None:
            raise
        record_found(sessions, target.shop_id, member_id, code, found, target.percent, now)
        return "exists"
    record_issued(
        sessions,
        target.shop_id,
        member_id,
        code=code,
        percentage=target.percent,
        issued_at=now,
        ends_at=spec.ends_at,
        discount_id=discount_id,
    )
    return "created"


def find_welcome_code(client: ShopifyClient, shop: str, token: str, code: str) -> FoundCode | None:
    """The welcome discount with this code in Shopify, or None; :class:`DiscountRejected` if
    the code belongs to a discount that is not a welcome discount of Klubb's."""
    found = find_code(client, shop, token, code)
    if found is None:
        return None
    if "(Klubb welcome #" in found.title:
        # Ours; another member number means the customer left and joined again: one welcome
        # discount per customer, as the signup bonus is once per customer.
        return found
    raise DiscountRejected("welcome code held by another discount", ["TAKEN"])


def record_found(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int,
    code: str,
    found: FoundCode,
    percent: int,
    now: datetime,
) -> None:
    """Record a welcome code found in Shopify as Shopify holds it: its percentage (else its
    title's, else ``percent``), start, end, and whether it was used."""
    if found.fraction is not None:
        percent = int((found.fraction * 100).to_integral_value())
    elif title := _TITLE_PERCENT.match(found.title):
        percent = int(title.group(1))
    record_issued(
        sessions,
        shop_id,
        member_id,
        code=code,
        percentage=percent,
        issued_at=found.starts_at or now,
        ends_at=found.ends_at,
        discount_id=found.id,
        used=found.usage_count > 0,
    )
