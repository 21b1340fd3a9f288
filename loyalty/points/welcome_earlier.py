"""Welcome codes of members who joined before revision 0016, looked up in Shopify once.

Before 0016 nothing recorded whether the welcome job had made a member's code, so the migration
gave every member who was not anonymised a ``welcome_codes`` row without a code. Shopify holds
the truth: :func:`check_earlier_codes` looks each such member's code up there, a batch at a
time, and records a welcome discount it finds as Shopify holds it (start, end, and ``used`` if
its usage count says so, :func:`loyalty.points.welcome.record_found`); when Shopify has none
(the member was backfilled or imported, or joined while the discount was off), the row goes.
Nothing is created in Shopify.

The code is tried under each accepted customer-hash key, the writing key first (a code made
before ``KLUBB_CUSTOMER_HASH_KEY`` was set was keyed by the app's secret). Shops that are not
installed or await their merchant's authorisation are left for later; a call Shopify does not
answer ends the run, and the next run goes on where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, ProgramSettings, Shop, WelcomeCode
from loyalty.core.types import utcnow
from loyalty.members.enrolment import settings_defaults
from loyalty.points.welcome import find_welcome_code, record_found
from loyalty.points.welcome_state import welcome_code
from loyalty.rewards.discount_codes import AccessToken, DiscountRejected, FoundCode
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopNeedsAuthorisation
from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable


@dataclass(frozen=True)
class Earlier:
    """One member from before revision 0016 whose code is still to be looked up."""

    member_id: int
    shop_id: int
    shop_domain: str
    customer_id: int
    percent: int


@dataclass
class CheckRun:
    """What one run found: members with a code, members without one, shops left for later."""

    found: int = 0
    absent: int = 0
    shops_waiting: set[str] = field(default_factory=set)


def earlier_members(sessions: sessionmaker[Session], limit: int) -> list[Earlier]:
    """Members still to be looked up, in shops Klubb can call now, oldest rows first."""
    default = settings_defaults()["welcome_discount_percent"]
    with sessions() as s:
        rows = s.execute(
            select(
                WelcomeCode.member_id,
                WelcomeCode.shop_id,
                Shop.domain,
                Member.customer_id,
                func.coalesce(ProgramSettings.welcome_discount_percent, default),
            )
            .join(Member, Member.id == WelcomeCode.member_id)
            .join(Shop, Shop.id == WelcomeCode.shop_id)
            .outerjoin(ProgramSettings, ProgramSettings.shop_id == WelcomeCode.shop_id)
            .where(
                WelcomeCode.code.is_(None),
                Member.customer_id > 0,
                Shop.installed_at.is_not(None),
                Shop.uninstalled_at.is_(None),
                Shop.needs_authorisation_since.is_(None),
            )
            .order_by(WelcomeCode.id)
            .limit(limit)
        ).all()
    return [Earlier(m, s_id, d, c, min(int(p), 100)) for m, s_id, d, c, p in rows]


def check_earlier_codes(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    keys: Sequence[bytes],
    *,
    limit: int = 200,
    seconds: float | None = None,
    now: datetime | None = None,
) -> CheckRun:
    """Look up to ``limit`` members up in Shopify (for at most ``seconds``); what was found.

    Shopify's unavailability and throttling propagate once the client's own retries are spent:
    the rows not yet looked up wait for the next run.
    """
    run = CheckRun()
    started = time.monotonic()
    for member in earlier_members(sessions, limit):
        if seconds is not None and time.monotonic() - started > seconds:
            break
        if member.shop_domain in run.shops_waiting:
            continue
        try:
            token = access_token(member.shop_domain)
            found = _find(client, member, token, keys)
        except (ShopNotInstalled, TokenUnavailable, ShopNeedsAuthorisation):
            run.shops_waiting.add(member.shop_domain)
            continue
        if found is None:
            with sessions.begin() as s:
                _forget_unchecked(s, member.member_id)
            run.absent += 1
            continue
        code, discount = found
        record_found(
            sessions,
            member.shop_id,
            member.member_id,
            code,
            discount,
            member.percent,
            now or utcnow(),
        )
        run.found += 1
    return run


def _find(
    client: ShopifyClient, member: Earlier, token: str, keys: Sequence[bytes]
) -> tuple[str, FoundCode] | None:
    """The member's welcome code and discount in Shopify under any of the keys, or None."""
    for key in keys:
        code = welcome_code(key, member.shop_id, member.customer_id)
        try:
            found = find_welcome_code(client, member.shop_domain, token, code)
        except DiscountRejected:
            found = None  # the code names a discount that is not Klubb's welcome: not theirs
        if found is not None:
            return code, found
    return None


def _forget_unchecked(s: Session, member_id: int) -> None:
    """The member has no welcome code in Shopify: drop the row, unless an order or the welcome
    job recorded a code on it meanwhile."""
    s.execute(
        delete(WelcomeCode).where(WelcomeCode.member_id == member_id, WelcomeCode.code.is_(None))
    )
