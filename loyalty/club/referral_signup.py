"""A friend signs up through a member's referral link and gets a one-use code for a first order.

``POST /proxy/api/referrals`` (a guest, usually) sends ``{"code", "email", "consent": true}``.
The sign-up, in order, with no database transaction open while Shopify is called:

1. the body's fields (:func:`parse_signup`); ``consent`` must be true: the friend agrees to
   the terms the widget showed;
2. the referrer and the guards Klubb can tell alone (:func:`check_referrer`): referrals on, the
   code is a member's of *this* shop (a code of another shop finds no one), the signed-in
   shopper is not the referrer, the email (normalised) is not the referrer's, and no earlier
   sign-up used it;
3. the friend in Shopify (:mod:`loyalty.club.referral_friends`), found or created, and the
   guards that need it: not the referrer's own customer, not the referrer's phone (both as
   E.164, :func:`loyalty.campaigns.phones.to_e164`), no order yet (Shopify's count, and Klubb's
   own records): the offer is for a first order;
4. the row (:class:`~loyalty.core.models.Referral`), unique per shop and email: of two racing
   sign-ups with one email, one wins;
5. the code in Shopify (:mod:`loyalty.rewards.discount_codes`): a percentage off for that one
   customer, one use, ``referral_code_days`` long, titled ``… (Klubb referral #<id>)``; looked
   up first, so a retried sign-up whose code was made makes no second one.

The same email through the same link again resumes that sign-up: it is shown the code made
for it (a double click, a lost answer); through another link it is told the email was used. Refusals are :class:`ReferralRefused` (422, one field,
its ``code`` saying which guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.phones import PhoneRefused, to_e164
from loyalty.club.referral_codes import email_key, new_code, normalise_code, referrer_of
from loyalty.club.referral_friends import Friend, find_or_create_friend
from loyalty.core.errors import ValidationError
from loyalty.core.models import (
    MemberStatus,
    OrderRecord,
    Referral,
    ReferralCodeState,
    RewardKind,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.imports.parse import EMAIL_PATTERN
from loyalty.members.enrolment import program_settings
from loyalty.rewards.discount_codes import (
    AccessToken,
    CodeSpec,
    DiscountRejected,
    create_code,
    find_code,
)
from loyalty.shopify.client import ShopifyClient

MAX_EMAIL = 320
CODE_PREFIX = "FRIEND-"


class ReferralRefused(ValidationError):
    """A guard refused the sign-up; ``code`` names the guard, the field says why in words."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__({field: message}, message)
        self.code = code


def _unknown_code() -> ReferralRefused:
    return ReferralRefused("unknown_referral_code", "code", "This referral link is not valid.")


def _self_referral() -> ReferralRefused:
    return ReferralRefused(
        "self_referral", "email", "You cannot refer yourself: share the link with a friend."
    )


def _used() -> ReferralRefused:
    return ReferralRefused(
        "email_already_referred", "email", "This email address has already been referred."
    )


def _not_new() -> ReferralRefused:
    return ReferralRefused(
        "not_a_new_customer",
        "email",
        "This email address belongs to a customer who has ordered before: the friend's "
        "discount is for a first order.",
    )


@dataclass(frozen=True)
class Signup:
    """A sign-up's checked input: the referral code, the email as typed (trimmed) and its key."""

    code: str
    email: str
    key: str


def parse_signup(body: dict[str, Any]) -> Signup:
    """The body's fields, or :class:`ValidationError` naming each bad one."""
    errors: dict[str, str] = {}
    code = normalise_code(body.get("code"))
    if code is None:
        errors["code"] = "This referral link is not valid."
    raw = body.get("email")
    email = raw.strip() if isinstance(raw, str) else ""
    if not email or len(email) > MAX_EMAIL or not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an email address, like name@example.com."
    if body.get("consent") is not True:
        errors["consent"] = "Accept the terms to get the discount."
    unknown = sorted(set(body) - {"code", "email", "consent"})
    for name in unknown[:5]:
        errors[str(name)[:100]] = "Unknown field."
    if errors:
        raise ValidationError(errors)
    assert code is not None
    return Signup(code, email, email_key(email))


@dataclass(frozen=True)
class Referrer:
    """The referring member and the terms the sign-up is made under."""

    shop_id: int
    shop_domain: str
    locale: str
    member_id: int
    customer_id: int
    phone: str | None
    points: int
    percent: int
    days: int
    resume: int | None  # an earlier sign-up of this email through this link


def _e164(text: str | None) -> str | None:
    try:
        return to_e164(text)
    except PhoneRefused:
        return None


def check_referrer(
    sessions: sessionmaker[Session], shop_id: int, signup: Signup, shopper: int | None
) -> Referrer:
    """The referrer, after the guards Klubb can tell without Shopify."""
    with sessions() as s:
        settings = program_settings(s, shop_id)
        shop = s.get(Shop, shop_id)
        if shop is None or not settings.referral_enabled:
            raise ReferralRefused(
                "referrals_off", "code", "This shop does not take referrals at the moment."
            )
        member = referrer_of(s, shop_id, signup.code)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise _unknown_code()
        if shopper is not None and shopper == member.customer_id:
            raise ReferralRefused(
                "own_referral_link",
                "code",
                "This is your own referral link: share it with a friend instead.",
            )
        if member.email and email_key(member.email) == signup.key:
            raise _self_referral()
        earlier = s.execute(
            select(Referral.id, Referral.referrer_id, Referral.state).where(
                Referral.shop_id == shop_id, Referral.friend_email == signup.key
            )
        ).one_or_none()
        resume = None
        if earlier is not None:
            if earlier.referrer_id != member.id or earlier.state == ReferralCodeState.FAILED:
                raise _used()
            resume = int(earlier.id)
        return Referrer(
            shop_id=shop_id,
            shop_domain=shop.domain,
            locale=shop.locale,
            member_id=member.id,
            customer_id=int(member.customer_id),
            phone=_e164(member.phone),
            points=settings.referral_points,
            percent=settings.referral_discount_percent,
            days=settings.referral_code_days,
            resume=resume,
        )


def check_friend(sessions: sessionmaker[Session], referrer: Referrer, friend: Friend) -> None:
    """The guards that need the friend's Shopify customer."""
    if friend.customer_id == referrer.customer_id:
        raise _self_referral()
    phone = _e164(friend.phone)
    if phone is not None and phone == referrer.phone:
        raise _self_referral()
    if friend.orders > 0:
        raise _not_new()
    with sessions() as s:
        ordered = s.scalar(
            select(
                exists().where(
                    OrderRecord.shop_id == referrer.shop_id,
                    OrderRecord.customer_id == friend.customer_id,
                    OrderRecord.test.is_(False),
                )
            )
        )
        if ordered:
            raise _not_new()
        referred = s.scalar(
            select(
                exists().where(
                    Referral.shop_id == referrer.shop_id,
                    Referral.friend_customer_id == friend.customer_id,
                    Referral.id != (referrer.resume or 0),
                )
            )
        )
        if referred:
            raise _used()


def record_referral(
    sessions: sessionmaker[Session],
    referrer: Referrer,
    signup: Signup,
    friend: Friend,
    now: datetime,
) -> int:
    """The referral's row (made, or the pending one resumed); its id."""
    if referrer.resume is not None:
        with sessions.begin() as s:
            s.execute(
                update(Referral)
                .where(Referral.id == referrer.resume)
                .values(friend_customer_id=friend.customer_id, consented_at=now)
            )
        return referrer.resume
    try:
        with sessions.begin() as s:
            row = Referral(
                shop_id=referrer.shop_id,
                referrer_id=referrer.member_id,
                friend_email=signup.key,
                friend_customer_id=friend.customer_id,
                consented_at=now,
                points=referrer.points,
                percent=referrer.percent,
                state=ReferralCodeState.PENDING,
                code=CODE_PREFIX + new_code(),
                created_at=now,
            )
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        raise _used() from None  # a racing sign-up with the same email won


@dataclass(frozen=True)
class FriendCode:
    """What the friend is shown: the code, its percentage and its end; ``made``: whether this
    call created it in Shopify (``created``), found it there (``exists``) or had it already."""

    referral_id: int
    code: str
    percent: int
    ends_at: datetime | None
    made: str = "created"


def code_title(referral_id: int, percent: int) -> str:
    """The discount's title; its ending is how a code found in Shopify is known as ours."""
    return f"Referral {percent} % off (Klubb referral #{referral_id})"


def _finish(sessions: sessionmaker[Session], referral_id: int, **values: Any) -> None:
    with sessions.begin() as s:
        s.execute(
            update(Referral)
            .where(Referral.id == referral_id, Referral.state == ReferralCodeState.PENDING)
            .values(**values)
        )


def issue_friend_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    referral_id: int,
    now: datetime | None = None,
) -> FriendCode | None:
    """Create the friend's code in Shopify unless it exists; None if the referral is not
    pending (or its friend or shop is gone). Raises the client's errors (unavailable,
    throttled) and :class:`DiscountRejected` (the referral is then ``failed``)."""
    now = now or utcnow()
    with sessions() as s:
        row = s.get(Referral, referral_id)
        shop = s.get(Shop, row.shop_id) if row is not None else None
        if row is None or shop is None or row.friend_customer_id is None:
            return None
        if row.state != ReferralCodeState.PENDING:
            return None
        code, percent, customer_id = row.code, row.percent, int(row.friend_customer_id)
        days = program_settings(s, row.shop_id).referral_code_days
        domain = shop.domain
    ends_at = now + timedelta(days=days)
    title = code_title(referral_id, percent)
    token = access_token(domain)
    done = {"state": ReferralCodeState.ISSUED, "issued_at": now, "ends_at": ends_at}
    found = find_code(client, domain, token, code)
    if found is not None and found.title == title:
        _finish(sessions, referral_id, discount_id=found.id, **{**done, "ends_at": found.ends_at})
        return FriendCode(referral_id, code, percent, found.ends_at, "exists")
    spec = CodeSpec(
        kind=RewardKind.PERCENTAGE,
        code=code,
        title=title,
        customer_id=customer_id,
        starts_at=now,
        ends_at=ends_at,
        fraction=Decimal(percent) / 100,
    )
    try:
        discount_id = create_code(client, domain, token, spec)
    except DiscountRejected:  # CodeTaken too: the code is random, another discount has it
        _finish(sessions, referral_id, state=ReferralCodeState.FAILED)
        raise
    _finish(sessions, referral_id, discount_id=discount_id, **done)
    return FriendCode(referral_id, code, percent, ends_at)


def issued_code(sessions: sessionmaker[Session], referral_id: int) -> FriendCode | None:
    """The referral's code if Shopify has it already (a repeated sign-up is shown it again)."""
    with sessions() as s:
        row = s.get(Referral, referral_id)
        if row is None or row.state != ReferralCodeState.ISSUED:
            return None
        return FriendCode(referral_id, row.code, row.percent, row.ends_at, "issued")


def sign_up_friend(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    shop_id: int,
    body: dict[str, Any],
    *,
    shopper: int | None,
    now: datetime | None = None,
) -> FriendCode:
    """The whole sign-up (module docstring); the friend's code."""
    now = now or utcnow()
    signup = parse_signup(body)
    referrer = check_referrer(sessions, shop_id, signup, shopper)
    if referrer.resume is not None:
        shown = issued_code(sessions, referrer.resume)
        if shown is not None:
            return shown
    token = access_token(referrer.shop_domain)
    friend = find_or_create_friend(
        client, referrer.shop_domain, token, signup.email, referrer.locale
    )
    check_friend(sessions, referrer, friend)
    referral_id = record_referral(sessions, referrer, signup, friend, now)
    made = issue_friend_code(sessions, client, access_token, referral_id, now)
    if made is None:  # failed meanwhile by a racing request: nothing to show
        raise _used()
    return made


def stranded_codes(
    sessions: sessionmaker[Session], after: timedelta, now: datetime | None = None, limit: int = 200
) -> list[int]:
    """Referrals whose code is still pending ``after`` their sign-up (their request died)."""
    now = now or utcnow()
    with sessions() as s:
        return list(
            s.scalars(
                select(Referral.id)
                .where(
                    Referral.state == ReferralCodeState.PENDING,
                    Referral.friend_customer_id.is_not(None),
                    Referral.created_at < now - after,
                )
                .order_by(Referral.id)
                .limit(limit)
            )
        )
