"""The rewards catalogue: what the merchant offers, checked and stored (``/api/rewards``).

:func:`validate_reward` parses a reward's JSON fields and names every bad one; the other
functions list, create, update and archive a shop's rewards and answer each as
:func:`reward_json`. A redemption's life is :mod:`loyalty.rewards.redemptions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import NotFound, ValidationError
from loyalty.core.ids import id_from_json, whole_from_json
from loyalty.core.models import PriceChange, Reward, RewardKind, Shop
from loyalty.core.money import parse_amount
from loyalty.core.payloads import parse_time
from loyalty.rewards.free_products import VariantLookup, apply_facts
from loyalty.shopify.products import VariantFacts
from loyalty.shopify.store_credit import has_store_credit

_CATALOGUE_FIELDS = (
    "kind",
    "title",
    "points_cost",
    "value",
    "minimum_order",
    "code_lifetime_days",
    "limit_per_member",
    "variant_id",
    "on_price_change",
    "active",
    "starts_at",
    "ends_at",
)


def validate_reward(
    data: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Check a reward's fields (``data`` over ``current``); the parsed values to store.

    JSON shapes: ``kind`` one of fixed_amount / percentage / free_shipping / free_product /
    gift_card / store_credit; ``value`` a decimal string, the amount off in the shop's currency,
    the fraction off (``"0.1"`` is 10 %) or a gift card's or store credit's amount, null for
    free shipping and free products (a free product's value is its variant's price, from
    Shopify); ``variant_id`` the free product's Shopify variant (a string of digits), and
    ``on_price_change`` ``follow`` (default) or ``pause``; ``minimum_order`` a decimal string
    or null; times ISO 8601 with a zone.
    Raises ValidationError naming every bad or unknown field; nothing is stored then.
    """
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object."})
    errors = {str(k)[:100]: "Unknown field." for k in data if k not in _CATALOGUE_FIELDS}
    merged = {**(current or {}), **{k: v for k, v in data.items() if k in _CATALOGUE_FIELDS}}
    values: dict[str, Any] = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "kind": _kind,
        "title": _title,
        "points_cost": _whole(1, 10_000_000),
        "minimum_order": _optional(_amount),
        "code_lifetime_days": _optional(_whole(1, 3650)),
        "limit_per_member": _optional(_whole(1, 1000)),
        "active": _flag,
        "starts_at": _optional(_moment),
        "ends_at": _optional(_moment),
    }
    for name, check in checks.items():
        try:
            values[name] = check(merged.get(name, True if name == "active" else None))
        except ValueError as err:
            errors[name] = str(err)
    try:
        values["value"] = _reward_value(values.get("kind"), merged.get("value"))
    except ValueError as err:
        errors["value"] = str(err)
    product = values.get("kind") == RewardKind.FREE_PRODUCT
    try:
        values["variant_id"] = _variant(merged.get("variant_id")) if product else None
    except ValueError as err:
        errors["variant_id"] = str(err)
    try:
        values["on_price_change"] = (
            _price_change(merged.get("on_price_change")) if product else None
        )
    except ValueError as err:
        errors["on_price_change"] = str(err)
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = "End after the start."
    if errors:
        raise ValidationError(errors)
    return values


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _kind(value: Any) -> str:
    if not isinstance(value, str) or value not in {k.value for k in RewardKind}:
        raise ValueError(
            "Choose fixed_amount, percentage, free_shipping, free_product, gift_card or"
            " store_credit."
        )
    return str(value)


def _variant(value: Any) -> int:
    number = id_from_json(value)
    if number is None:
        raise ValueError("Choose the product variant to give away.")
    return number


def _price_change(value: Any) -> str:
    if value is None:
        return PriceChange.FOLLOW.value
    if value not in {p.value for p in PriceChange}:
        raise ValueError("Choose follow or pause.")
    return str(value)


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 255:
        raise ValueError("Enter a title of 1 to 255 characters.")
    return value.strip()


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = whole_from_json(value)
        if number is None or not low <= number <= high:
            raise ValueError(f"Enter a whole number from {low} to {high}.")
        return number

    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Choose true or false.")
    return value


def _amount(value: Any) -> Decimal:
    amount = parse_amount(value) if isinstance(value, str | int) else None
    if amount is None or amount < 0 or amount.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError('Enter an amount as a decimal string, like "50.00".')
    return amount


def _moment(value: Any) -> datetime:
    moment = parse_time(value)
    if moment is None:
        raise ValueError("Enter a time in ISO 8601, like 2026-12-01T00:00:00Z.")
    return moment


def _reward_value(kind: str | None, value: Any) -> Decimal | None:
    if kind == RewardKind.FREE_PRODUCT:
        return None  # the variant's price, from Shopify (loyalty.rewards.free_products)
    if kind == RewardKind.FREE_SHIPPING:
        if value is not None:
            raise ValueError("Free shipping has no value; send null.")
        return None
    if kind in (RewardKind.GIFT_CARD, RewardKind.STORE_CREDIT):
        amount = _amount(value) if value is not None else None
        if amount is None or amount <= 0:
            raise ValueError('Enter an amount above zero, like "100.00".')
        return amount
    amount = _amount(value) if value is not None else None
    if kind == RewardKind.PERCENTAGE and (amount is None or not 0 < amount <= 1):
        raise ValueError('Enter the fraction off, above 0 and at most 1 ("0.1" is 10 %).')
    if kind == RewardKind.FIXED_AMOUNT and (amount is None or amount <= 0):
        raise ValueError('Enter the amount off, like "50.00".')
    return amount


def reward_json(reward: Reward, currency: str) -> dict[str, Any]:
    """A catalogue item as JSON: ids as strings, money as decimal strings with the currency."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    return {
        "id": str(reward.id),
        "kind": reward.kind,
        "title": reward.title,
        "points_cost": reward.points_cost,
        "value": money(reward.value),
        "minimum_order": money(reward.minimum_order),
        "currency": currency,
        "code_lifetime_days": reward.code_lifetime_days,
        "limit_per_member": reward.limit_per_member,
        "variant_id": None if reward.variant_id is None else str(reward.variant_id),
        "product_id": None if reward.product_id is None else str(reward.product_id),
        "product_title": reward.product_title,
        "on_price_change": reward.on_price_change,
        "paused": reward.paused,
        "active": reward.active,
        "starts_at": reward.starts_at.isoformat() if reward.starts_at else None,
        "ends_at": reward.ends_at.isoformat() if reward.ends_at else None,
    }


def list_rewards(sessions: sessionmaker[Session], shop_id: int) -> list[dict[str, Any]]:
    """Every reward of the shop, active or not, cheapest first."""
    with sessions() as s:
        currency = _currency(s, shop_id)
        rows = s.scalars(
            select(Reward).where(Reward.shop_id == shop_id).order_by(Reward.points_cost, Reward.id)
        )
        return [reward_json(r, currency) for r in rows]


def offered_kinds(sessions: sessionmaker[Session], shop_id: int) -> list[str]:
    """The reward kinds this shop can offer: all, store credit only where it has it."""
    scopes = _shop(sessions, shop_id).scopes
    return [k.value for k in RewardKind if k != RewardKind.STORE_CREDIT or has_store_credit(scopes)]


def create_reward(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    lookup: VariantLookup | None = None,
) -> dict[str, Any]:
    """Add a reward to the shop's catalogue; the stored reward as JSON.

    ``lookup`` reads a free product's variant from Shopify (its price is the reward's value).
    """
    values = validate_reward(data)
    shop = _shop(sessions, shop_id)
    facts = _offered(shop, values, lookup)
    with sessions.begin() as s:
        reward = Reward(shop_id=shop_id, **values)
        if facts is not None:
            apply_facts(reward, facts)
        s.add(reward)
        s.flush()
        return reward_json(reward, shop.currency)


def _shop(sessions: sessionmaker[Session], shop_id: int) -> Shop:
    with sessions() as s:
        shop = s.get(Shop, shop_id)
        if shop is None:
            raise NotFound("no such shop")
        return shop


def _offered(
    shop: Shop, values: Mapping[str, Any], lookup: VariantLookup | None
) -> VariantFacts | None:
    """Refuse a kind the shop cannot offer; a free product's variant as Shopify has it."""
    if values["kind"] == RewardKind.STORE_CREDIT and not has_store_credit(shop.scopes):
        raise ValidationError({"kind": "This shop has not given Klubb access to store credit."})
    if values["kind"] != RewardKind.FREE_PRODUCT:
        return None
    facts = lookup(shop.domain, values["variant_id"]) if lookup else None
    if facts is None:
        raise ValidationError({"variant_id": "No such product variant in this shop."})
    return facts


def update_reward(
    sessions: sessionmaker[Session],
    shop_id: int,
    reward_id: int,
    data: Mapping[str, Any],
    lookup: VariantLookup | None = None,
) -> dict[str, Any]:
    """Change some of a reward's fields (checked together with the others); the reward after.

    Redemptions already made keep their points and codes. A free product is read from Shopify
    again (``lookup``): saving it takes its price now and lifts a pause.
    """
    shop = _shop(sessions, shop_id)
    with sessions.begin() as s:
        reward = s.scalar(
            select(Reward)
            .where(Reward.id == reward_id, Reward.shop_id == shop_id)
            .with_for_update()
        )
        if reward is None:
            raise NotFound("no such reward")
        values = validate_reward(data, reward_json(reward, ""))
        # Archiving needs no Shopify: only a change that keeps it offered is checked.
        facts = _offered(shop, values, lookup) if values["active"] else None
        for name, value in values.items():
            if name != "value" or values["kind"] != RewardKind.FREE_PRODUCT:
                setattr(reward, name, value)
        if facts is not None:
            reward.value = None
            apply_facts(reward, facts)
        s.flush()
        return reward_json(reward, shop.currency)


def archive_reward(sessions: sessionmaker[Session], shop_id: int, reward_id: int) -> dict[str, Any]:
    """Take a reward out of the storefront (``active`` false); its history stays."""
    return update_reward(sessions, shop_id, reward_id, {"active": False})


def _currency(s: Session, shop_id: int) -> str:
    return s.scalar(select(Shop.currency).where(Shop.id == shop_id)) or ""
