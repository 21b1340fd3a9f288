"""Ways to earn beyond orders, each once per customer, and the list the widget shows.

| way | paid | ledger source key |
|---|---|---|
| creating an account | the signup bonus (:mod:`loyalty.members.enrolment`) | ``signup:{customer}`` |
| the birthday | once a year (:mod:`loyalty.club.birthdays`) | ``birthday:{customer}:{year}`` |
| following the shop on a network | when the member opens the profile from the widget | ``follow:{network}:{customer}`` |
| the newsletter | when email marketing consent is given, in the widget or in Shopify | ``newsletter:{customer}`` |

Each is a ``bonus`` entry under its key, so it is paid once per customer however often it is
claimed (twice, at once, after unsubscribing and subscribing again, after leaving the club and
joining again), like the signup bonus. A follow is on the honour system: nobody can see who
follows a shop, so opening the profile is what counts. Only active members earn.

Errors: :class:`EarningPaused` (403: the member restricted processing),
:class:`~loyalty.core.errors.ValidationError` (422: a network the shop offers nothing for),
:class:`~loyalty.privacy.self_service_rules.NotAMember` (404).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from loyalty.club.birthdays import source_key as birthday_key
from loyalty.club.newsletter import newsletter_key
from loyalty.club.social import NETWORKS
from loyalty.core.errors import LoyaltyError, ValidationError
from loyalty.core.models import (
    BirthdayReward,
    BirthdayRewardState,
    LedgerEntry,
    LedgerKind,
    Member,
    MemberStatus,
    ProgramSettings,
    Shop,
)
from loyalty.core.types import utcnow
from loyalty.members.enrolment import program_settings
from loyalty.points import reasons
from loyalty.points.ledger import post, zone_of
from loyalty.privacy.self_service import find_member


class EarningPaused(LoyaltyError):
    """The member restricted processing: they earn nothing until they lift it."""

    code = "earning_paused"


@dataclass(frozen=True)
class FollowCredit:
    """A claimed follow: the points it gave now (0 when claimed before), the balance after."""

    network: str
    points: int
    points_balance: int
    member_id: int


def follow_key(network: str, customer_id: int) -> str:
    return f"follow:{network}:{customer_id}"


def _offered_follow(settings: ProgramSettings, network: str) -> tuple[str, int] | None:
    """The profile link and points of a follow the shop offers, else None."""
    url = getattr(settings, f"{network}_url", None)
    points = int(getattr(settings, f"{network}_points", 0) or 0)
    return (url, points) if url and points > 0 else None


def parse_follow(body: Mapping[str, Any]) -> str:
    """The network of ``{"network": "instagram"}``; ValidationError names every bad field."""
    problems = {str(k)[:100]: "Not a field of this call." for k in body if k != "network"}
    network = body.get("network")
    if not isinstance(network, str) or network not in NETWORKS:
        problems["network"] = "One of: " + ", ".join(NETWORKS) + "."
    if problems:
        raise ValidationError(problems)
    return str(network)


def claim_follow(
    sessions: sessionmaker[Session],
    shop_id: int,
    customer_id: int,
    body: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> FollowCredit:
    """The member opened the shop's profile on a network: its points, once per customer."""
    network = parse_follow(body)
    with sessions.begin() as s:
        member = find_member(s, shop_id, customer_id, lock=True)
        if member.status != MemberStatus.ACTIVE:
            raise EarningPaused("Your membership is paused: you earn no points.")
        offered = _offered_follow(program_settings(s, shop_id), network)
        if offered is None:
            raise ValidationError(
                {
                    "network": f"This shop gives no points for following it on {NETWORKS[network].name}."
                }
            )
        _url, points = offered
        posted = post(
            s,
            shop_id=shop_id,
            member_id=member.id,
            points=points,
            kind=LedgerKind.BONUS,
            source_key=follow_key(network, customer_id),
            reason=reasons.social_follow(network, NETWORKS[network].name),
            now=now,
        )
        return FollowCredit(network, points if posted else 0, int(member.points_balance), member.id)


@dataclass(frozen=True)
class _Done:
    """What a signed-in customer has had: ledger keys, this year's birthday reward (state,
    code, end) and whether they gave a birthday."""

    keys: frozenset[str] = frozenset()
    birthday: tuple[str, str | None, datetime | None] | None = None
    birthday_given: bool = False


def _done(s: Session, shop_id: int, customer_id: int, keys: list[str], year: int) -> _Done:
    """One statement: the birthday reward's row, the ledger keys among ``keys`` (by the unique
    index), and a row if the member gave a birthday. The birthday reward's select comes first,
    so its column types decode the union's columns."""
    rows: Sequence[Any] = s.execute(
        union_all(
            select(
                literal("birthday"),
                BirthdayReward.state,
                BirthdayReward.code,
                BirthdayReward.ends_at,
            ).where(
                BirthdayReward.shop_id == shop_id,
                BirthdayReward.source_key == birthday_key(customer_id, year),
            ),
            select(LedgerEntry.source_key, null(), null(), null()).where(
                LedgerEntry.shop_id == shop_id, LedgerEntry.source_key.in_(keys)
            ),
            select(literal("birthday_given"), null(), null(), null()).where(
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
                Member.status != MemberStatus.ANONYMISED,
                Member.birthday.is_not(None),
            ),
        )
    ).all()
    found = {key: (state, code, ends) for key, state, code, ends in rows}
    return _Done(
        keys=frozenset(found) & frozenset(keys),
        birthday=found.get("birthday"),
        birthday_given="birthday_given" in found,
    )


def ways_to_earn(
    s: Session, shop: Shop, settings: ProgramSettings, customer_id: int | None
) -> list[dict[str, Any]]:
    """The ways to earn beyond orders the shop offers, what each pays and (for a signed-in
    customer) which are done, read in one statement. Birthday: done once this year's reward is
    given (or its code on its way), with the code once Shopify has it."""
    follows = {n: o for n in NETWORKS if (o := _offered_follow(settings, n)) is not None}
    keys = {
        "signup": f"signup:{customer_id}",
        "newsletter": newsletter_key(customer_id or 0),
        **{n: follow_key(n, customer_id or 0) for n in follows},
    }
    had = _Done()
    if customer_id is not None:
        year = utcnow().astimezone(zone_of(shop.timezone)).year
        had = _done(s, shop.id, customer_id, list(keys.values()), year)

    def done(name: str) -> bool:
        return keys[name] in had.keys

    ways: list[dict[str, Any]] = []
    if settings.signup_bonus > 0:
        ways.append({"kind": "signup", "points": settings.signup_bonus, "done": done("signup")})
    if settings.birthday_reward in ("points", "code"):
        state, birthday_code, ends_at = had.birthday or (None, None, None)
        issued = state == BirthdayRewardState.ISSUED
        code = settings.birthday_reward == "code"
        ways.append(
            {
                "kind": "birthday",
                "reward": settings.birthday_reward,
                "points": None if code else settings.birthday_points,
                "discount_percent": settings.birthday_discount_percent if code else None,
                "timing": settings.birthday_timing,
                "change_wait_days": settings.birthday_change_wait_days,
                "birthday_given": had.birthday_given,
                "done": state in (BirthdayRewardState.ISSUED, BirthdayRewardState.PENDING),
                "code": birthday_code if issued else None,
                "code_ends_at": ends_at.isoformat() if issued and ends_at else None,
            }
        )
    for network, (url, points) in follows.items():
        ways.append(
            {
                "kind": f"follow_{network}",
                "network": network,
                "network_name": NETWORKS[network].name,
                "points": points,
                "url": url,
                "done": done(network),
            }
        )
    if settings.newsletter_points > 0:
        ways.append(
            {"kind": "newsletter", "points": settings.newsletter_points, "done": done("newsletter")}
        )
    return ways
