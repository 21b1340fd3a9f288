"""Members' referral codes and links: ``"referral": {"code", "url"} | null`` in the member JSON.

A code is 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L), random, so it says
nothing about its member; it is made the first time the member's JSON is shown and kept for
good (``referral_codes``, unique per shop). The link is the shop's domain with ``?ref=CODE``:
the storefront embed reads the parameter and the widget offers the friend's discount.
``referral`` is null while the shop has referrals off, and for a member who is not active.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.models import Member, MemberStatus, ReferralCode, Shop
from loyalty.members.enrolment import program_settings

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
CODE_PATTERN = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")
_ATTEMPTS = 5


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(text: object) -> str | None:
    """``text`` as a code (trimmed, upper case), or None if it cannot be one."""
    if not isinstance(text, str):
        return None
    code = text.strip().upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def email_key(text: str) -> str:
    """An email as Klubb compares it: trimmed, lower case, without a ``+tag`` on its name."""
    name, _, domain = text.strip().lower().partition("@")
    return f"{name.split('+', 1)[0]}@{domain}"


def referral_url(shop_domain: str, code: str) -> str:
    """The member's link: the shop with ``?ref=CODE``."""
    return f"https://{shop_domain}/?ref={code}"


def ensure_code(s: Session, shop_id: int, member_id: int) -> str:
    """The member's code, made now if the member has none (in the caller's transaction)."""
    for _ in range(_ATTEMPTS):
        held = s.scalar(select(ReferralCode.code).where(ReferralCode.member_id == member_id))
        if held is not None:
            return held
        s.execute(
            upsert(s, ReferralCode)
            .values(member_id=member_id, shop_id=shop_id, code=new_code())
            .on_conflict_do_nothing()
        )
    raise RuntimeError("no free referral code after several attempts")  # 31^8 codes: never


def referral_of(s: Session, shop: Shop, member: Member) -> dict[str, Any] | None:
    """The member JSON's ``referral`` (the code made if needed), or None."""
    if member.status != MemberStatus.ACTIVE:
        return None
    if not program_settings(s, shop.id).referral_enabled:
        return None
    code = ensure_code(s, shop.id, member.id)
    return {"code": code, "url": referral_url(shop.domain, code)}


def referrer_of(s: Session, shop_id: int, code: str) -> Member | None:
    """The member whose code this is in this shop (a code of another shop finds no one)."""
    return s.scalars(
        select(Member)
        .join(ReferralCode, ReferralCode.member_id == Member.id)
        .where(
            ReferralCode.shop_id == shop_id, ReferralCode.code == code, Member.shop_id == shop_id
        )
    ).one_or_none()


def customer_referral(
    sessions: sessionmaker[Session], shop_id: int, customer_id: int
) -> dict[str, Any] | None:
    """The signed-in member's ``referral`` and ``referrals`` (their newest referrals) for
    ``GET /proxy/api/member``, in a short transaction of their own (the first call makes the
    code); None for a shopper who is not an active member or a shop with referrals off."""
    from loyalty.club.referral_view import my_referrals

    with sessions.begin() as s:
        member = s.scalars(
            select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        ).one_or_none()
        shop = s.get(Shop, shop_id)
        if member is None or shop is None:
            return None
        referral = referral_of(s, shop, member)
        if referral is None:
            return None
        return {"referral": referral, "referrals": my_referrals(s, shop_id, member.id)}
