"""Why a ledger entry was posted: a code and JSON-safe parameters, put into words where shown.

Every entry stores a :class:`ReasonCode` in ``reason_code`` and the facts its words need in
``reason_params`` (``{"order_id": "6210000001001"}``, ``{"reward_id": 5}``, ``{"source":
"Smile.io", "points": 40}``); the engine passes both as one :class:`Reason` to
:func:`loyalty.points.ledger.post`. Free text belongs only to codes in :data:`FREE_TEXT`: a staff
adjustment's reason as its author typed it, and the text of a ``legacy`` entry (written before
revision 0013 in words no pattern recognised). Erasing a member (invariant 8) nulls the text and
keeps the code.

Words are made where they are shown, in the reader's language: :data:`LABELS` holds each code's
English message, marked for translation, and :func:`label` fills it in with the caller's
``translate`` (the admin's and the widget's flask-babel ``gettext``; English by default). The ``reason`` column still receives :func:`english_text`, the fixed English
text the engine wrote before codes existed (``order 6210000001001``, ``signup bonus``), for the
programs that read it (the API's ``reason`` field, the exports); nothing is rendered from it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Params = Mapping[str, str | int]
"""JSON-safe values: Shopify ids as strings (they exceed 2^53), Klubb's own ids and points as ints."""


class ReasonCode(enum.StrEnum):
    """Why points moved; the comment names the entry kinds and the parameters of each."""

    ORDER = "order"  # earn, refund, cancel: {"order_id": str, +"tier": str, "multiplier": str}
    SIGNUP_BONUS = "signup_bonus"  # bonus
    REWARD = "reward"  # redeem: {"reward_id": int}
    REWARD_CODE_NOT_CREATED = "reward_code_not_created"  # redeem_return: {"error": str}
    REWARD_RELEASED = "reward_released"  # redeem_return: the code never appeared in time
    EXPIRY = "expiry"  # expire: after a period without activity
    LEFT_CLUB = "left_club"  # expire: the balance forfeited on leaving the club
    RETENTION = "retention"  # expire: forfeited when anonymised after inactivity
    IMPORT = "import"  # import, points added: {"source": str}
    IMPORT_BALANCE_SET = "import_balance_set"  # import: {"source": str, "points": int}
    STAFF_ADJUSTMENT = "staff_adjustment"  # adjust: the text staff typed
    LEGACY = "legacy"  # before revision 0013, text no pattern recognised: the text
    BIRTHDAY = "birthday"  # bonus: {"year": int}
    SOCIAL_FOLLOW = "social_follow"  # bonus: {"network": str, "network_name": str}
    NEWSLETTER = "newsletter"  # bonus: email marketing consent given
    # VIP tiers (loyalty.club): bonus, each {"tier_id": int, "tier": str}
    TIER_BONUS = "tier_bonus"  # the tier's entry bonus
    TIER_BONUS_REVERSED = "tier_bonus_reversed"  # taken back: a refund undid the reaching
    TIER_REWARD = "tier_reward"  # the tier's recurring reward, + {"period": "2026-12" | "2026"}
    CAMPAIGN_BONUS = (
        "campaign_bonus"  # bonus: a campaign's offer, {"campaign_id": int, "campaign": str}
    )
    # Referrals (loyalty.club.referral_payouts): bonus, each {"referral_id": int, "order_id": str}
    REFERRAL = "referral"  # a referred friend's first order stood through the waiting period
    REFERRAL_REVERSED = "referral_reversed"  # taken back: that order was cancelled later


FREE_TEXT = frozenset({ReasonCode.STAFF_ADJUSTMENT, ReasonCode.LEGACY})
"""Codes whose words are the entry's own text, not Klubb's."""


@dataclass(frozen=True)
class Reason:
    """What :func:`loyalty.points.ledger.post` stores about why: code, parameters, free text."""

    code: ReasonCode
    params: Params | None = None
    text: str | None = None


def order(order_id: int, tier: str | None = None, multiplier: str | None = None) -> Reason:
    """An order's points: earned, refunded or cancelled; in a tier with its multiplier."""
    if tier is None or multiplier is None:
        return Reason(ReasonCode.ORDER, {"order_id": str(order_id)})
    return Reason(
        ReasonCode.ORDER, {"order_id": str(order_id), "tier": tier, "multiplier": multiplier}
    )


def tier(code: ReasonCode, tier_id: int, name: str, period: str | None = None) -> Reason:
    """A tier's entry bonus (or its taking back), or its recurring reward for ``period``."""
    params: dict[str, str | int] = {"tier_id": tier_id, "tier": name}
    if period is not None:
        params["period"] = period
    return Reason(code, params)


def reward(reward_id: int) -> Reason:
    """Points spent on a reward of the catalogue."""
    return Reason(ReasonCode.REWARD, {"reward_id": reward_id})


def code_not_created(error: str) -> Reason:
    """Points given back because Shopify would not create the discount code (its error code)."""
    return Reason(ReasonCode.REWARD_CODE_NOT_CREATED, {"error": error})


def imported(source: str, balance_set_to: int | None = None) -> Reason:
    """Points moved from another app's file: added, or the balance set to ``balance_set_to``."""
    if balance_set_to is None:
        return Reason(ReasonCode.IMPORT, {"source": source})
    return Reason(ReasonCode.IMPORT_BALANCE_SET, {"source": source, "points": balance_set_to})


def birthday(year: int) -> Reason:
    """The birthday reward of ``year`` (loyalty.club.birthdays)."""
    return Reason(ReasonCode.BIRTHDAY, {"year": year})


def social_follow(network: str, network_name: str) -> Reason:
    """Following the shop on a social network (``instagram``, shown as ``Instagram``)."""
    return Reason(ReasonCode.SOCIAL_FOLLOW, {"network": network, "network_name": network_name})


def campaign_bonus(campaign_id: int, name: str) -> Reason:
    """The bonus points a campaign's offer gave (loyalty.campaigns.offers)."""
    return Reason(ReasonCode.CAMPAIGN_BONUS, {"campaign_id": campaign_id, "campaign": name})


def staff_adjustment(text: str) -> Reason:
    """A manual adjustment, with the reason its author typed."""
    return Reason(ReasonCode.STAFF_ADJUSTMENT, text=text)


def referral(code: ReasonCode, referral_id: int, order_id: int) -> Reason:
    """A referral's reward (``REFERRAL``) or its taking back (``REFERRAL_REVERSED``)."""
    return Reason(code, {"referral_id": referral_id, "order_id": str(order_id)})


SIGNUP_BONUS = Reason(ReasonCode.SIGNUP_BONUS)
EXPIRY = Reason(ReasonCode.EXPIRY)
REWARD_RELEASED = Reason(ReasonCode.REWARD_RELEASED)
LEFT_CLUB = Reason(ReasonCode.LEFT_CLUB)
RETENTION = Reason(ReasonCode.RETENTION)
NEWSLETTER = Reason(ReasonCode.NEWSLETTER)

_ENGLISH_TEXT: dict[str, str] = {
    ReasonCode.ORDER: "order {order_id}",
    ReasonCode.SIGNUP_BONUS: "signup bonus",
    ReasonCode.REWARD: "reward {reward_id}",
    ReasonCode.REWARD_CODE_NOT_CREATED: "code not created: {error}",
    ReasonCode.REWARD_RELEASED: "reservation released",
    ReasonCode.EXPIRY: "points expired after inactivity",
    ReasonCode.LEFT_CLUB: "forfeited: left the club",
    ReasonCode.RETENTION: "forfeited: anonymised after inactivity",
    ReasonCode.IMPORT: "Imported from {source}",
    ReasonCode.IMPORT_BALANCE_SET: "Imported from {source} (balance set to {points})",
    ReasonCode.BIRTHDAY: "birthday {year}",
    ReasonCode.SOCIAL_FOLLOW: "followed on {network_name}",
    ReasonCode.NEWSLETTER: "newsletter signup",
    ReasonCode.TIER_BONUS: "tier bonus: {tier}",
    ReasonCode.TIER_BONUS_REVERSED: "tier bonus taken back: {tier}",
    ReasonCode.TIER_REWARD: "tier reward: {tier} {period}",
    ReasonCode.CAMPAIGN_BONUS: "campaign bonus: {campaign}",
    ReasonCode.REFERRAL: "referral {referral_id}",
    ReasonCode.REFERRAL_REVERSED: "referral {referral_id} taken back",
}


def english_text(reason: Reason) -> str | None:
    """The ``reason`` column's text: the free text, or the engine's words from before codes."""
    template = _ENGLISH_TEXT.get(reason.code)
    if template is None:
        return reason.text
    return template.format_map(dict(reason.params or {}))


def columns(reason: Reason) -> dict[str, object]:
    """The ledger entry's ``reason_code``, ``reason_params`` and ``reason`` for ``reason``."""
    return {
        "reason_code": str(reason.code),
        "reason_params": dict(reason.params) if reason.params else None,
        "reason": english_text(reason),
    }


def _l(message: str) -> str:
    """Mark ``message`` for translation (tests/unit/test_translations.py finds it); the caller
    of :func:`label` translates it when it is shown."""
    return message


ERASED = _l("Erased")
"""The words of a free-text reason whose text was erased with its member."""

LABELS: dict[str, str] = {
    ReasonCode.ORDER: _l("Order %(order)s"),
    ReasonCode.SIGNUP_BONUS: _l("Signup bonus"),
    ReasonCode.REWARD: _l("Reward %(reward_id)s"),
    ReasonCode.REWARD_CODE_NOT_CREATED: _l("The discount code could not be created"),
    ReasonCode.REWARD_RELEASED: _l("The reserved reward was released"),
    ReasonCode.EXPIRY: _l("Expired after a period without activity"),
    ReasonCode.LEFT_CLUB: _l("Forfeited: the member left the club"),
    ReasonCode.RETENTION: _l("Forfeited: anonymised after a period without activity"),
    ReasonCode.IMPORT: _l("Imported from %(source)s"),
    ReasonCode.IMPORT_BALANCE_SET: _l("Imported from %(source)s (balance set to %(points)s)"),
    ReasonCode.BIRTHDAY: _l("Birthday reward"),
    ReasonCode.SOCIAL_FOLLOW: _l("Followed us on %(network_name)s"),
    ReasonCode.NEWSLETTER: _l("Newsletter signup"),
    ReasonCode.TIER_BONUS: _l("Bonus for reaching %(tier)s"),
    ReasonCode.TIER_BONUS_REVERSED: _l("Bonus for %(tier)s taken back"),
    ReasonCode.TIER_REWARD: _l("%(tier)s reward for %(period)s"),
    ReasonCode.CAMPAIGN_BONUS: _l("Campaign bonus: %(campaign)s"),
    ReasonCode.REFERRAL: _l("A friend you referred placed a first order"),
    ReasonCode.REFERRAL_REVERSED: _l(
        "Referral reward taken back: the friend's order was cancelled"
    ),
}
"""Each code's English words (``%(name)s``: a parameter), except the :data:`FREE_TEXT` codes."""
ORDER_IN_TIER = _l("Order %(order)s · %(tier)s ×%(multiplier)s")  # noqa: RUF001 (times sign)
"""An order's words when it earned in a tier with a multiplier: "Order #1001 · Gold", times 1.5."""


def _same(message: str) -> str:
    return message


def _decimal_text(text: str, number: Callable[[int], str]) -> str:
    """``"1.5"`` with the decimal sign of the language ``number`` writes in, told by how it
    groups 1000: "1,000" (English) has a decimal point, "1 000" or "1.000" a decimal comma."""
    whole, _, fraction = text.partition(".")
    if not fraction:
        return whole
    grouped = number(1000)
    sign = "." if "," in grouped or grouped == "1000" else ","
    return f"{whole}{sign}{fraction}"


def label(
    code: str,
    params: Mapping[str, object] | None,
    text: str | None,
    *,
    translate: Callable[[str], str] = _same,
    number: Callable[[int], str] = str,
    order_name: str | None = None,
) -> str:
    """An entry's reason in words: a free-text reason as typed (:data:`ERASED` once erased),
    Klubb's own through :data:`LABELS`, ``translate`` and ``number`` (which formats points).

    ``order_name`` names an order as the merchant and the shopper know it (``#1001``), when
    the reader has it; otherwise the order's Shopify id does. A code this version does not
    know (written by a newer one) shows its text, else the code itself.
    """
    template = LABELS.get(code)
    if code == ReasonCode.ORDER and params and "multiplier" in params:
        template = ORDER_IN_TIER
    if code in FREE_TEXT or template is None:
        return text or (translate(ERASED) if code in FREE_TEXT else code)
    values = {
        k: number(v) if k == "points" and isinstance(v, int) else v
        for k, v in (params or {}).items()
    }
    if isinstance(values.get("multiplier"), str):  # "1.5" in the reader's decimal sign
        values["multiplier"] = _decimal_text(str(values["multiplier"]), number)
    values["order"] = order_name or values.get("order_id", "")
    try:
        return translate(template) % values
    except (KeyError, TypeError, ValueError):  # a parameter missing: the stored text instead
        return text or code
