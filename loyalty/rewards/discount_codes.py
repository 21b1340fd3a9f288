"""Reward codes in Shopify: the discount mutations, and carrying a redemption through them.

Each redemption becomes one Shopify code discount (SHOPIFY.md §8): ``discountCodeBasicCreate``
(amount or percentage off) or ``discountCodeFreeShippingCreate``, for that one customer
(``context.customers.add``), ``usageLimit: 1``, ``appliesOncePerCustomer``, from the
redemption's time to its ``expires_at``, with the reward's minimum subtotal. Its title ends in
``(Klubb #<redemption id>)``: that is how a code found in Shopify is recognised as ours.

:func:`issue_code` takes a ``reserved`` redemption to ``issued`` (or ``returned``) and is safe to
run again: a run that follows one which may have reached Shopify (a timeout) looks the code up
first and adopts it, so a redemption never gets two discounts; a discount created for a
redemption that was meanwhile returned is deleted again. No database transaction is open
during any call to Shopify. :func:`release_stale_reservations` settles reservations a crash left.

Errors, besides the client's (:mod:`loyalty.shopify.client`)::

    ShopifyError
    └── DiscountRejected     userErrors: Shopify will not create this discount (``codes``)
        └── CodeTaken        the code exists already; try another
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import LoyaltyError
from loyalty.core.models import RedemptionState, RewardKind
from loyalty.core.money import quantize
from loyalty.core.types import utcnow
from loyalty.points import reasons
from loyalty.rewards import redemptions as rewards
from loyalty.rewards.redemptions import RedemptionView
from loyalty.shopify.client import (
    GraphQLError,
    ShopifyClient,
    ShopifyError,
    ShopifyThrottled,
    ShopifyUnavailable,
)

log = logging.getLogger(__name__)

AccessToken = Callable[[str], str]
"""``access_token(shop_domain)``: a valid Admin API token for the shop."""

CODE_ATTEMPTS = 3

_PAYLOAD = "codeDiscountNode { id } userErrors { field code message }"
CREATE_BASIC = (
    "mutation KlubbRewardCode($input: DiscountCodeBasicInput!) {"
    f" discountCodeBasicCreate(basicCodeDiscount: $input) {{ {_PAYLOAD} }} }}"
)
CREATE_FREE_SHIPPING = (
    "mutation KlubbShippingCode($input: DiscountCodeFreeShippingInput!) {"
    f" discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {{ {_PAYLOAD} }} }}"
)
DELETE = (
    "mutation KlubbDeleteCode($id: ID!) { discountCodeDelete(id: $id) {"
    " deletedCodeDiscountId userErrors { field code message } } }"
)
FIND = (
    "query KlubbFindCode($code: String!) { codeDiscountNodeByCode(code: $code) { id"
    " codeDiscount { ... on DiscountCodeBasic { title } ... on DiscountCodeFreeShipping { title } }"
    " } }"
)


class DiscountRejected(ShopifyError):
    """Shopify answered the mutation with userErrors; ``codes`` are theirs (``TAKEN``…)."""

    code = "discount_rejected"

    def __init__(self, message: str, codes: list[str]) -> None:
        super().__init__(message)
        self.codes = codes


class CodeTaken(DiscountRejected):
    """A discount with this code exists already in the shop."""

    code = "code_taken"


@dataclass(frozen=True)
class CodeSpec:
    """One customer's single-use code discount."""

    kind: str
    code: str
    title: str
    customer_id: int
    starts_at: datetime
    ends_at: datetime | None = None
    amount: Decimal | None = None  # fixed amount off, in the shop's currency
    fraction: Decimal | None = None  # percentage off, 0..1
    minimum_subtotal: Decimal | None = None


@dataclass(frozen=True)
class FoundCode:
    """A code discount found in Shopify by its code."""

    id: str
    title: str


def discount_input(spec: CodeSpec) -> dict[str, Any]:
    """The mutation's input for ``spec``: one customer, one use, its dates and minimum."""
    data: dict[str, Any] = {
        "title": spec.title,
        "code": spec.code,
        "startsAt": spec.starts_at.isoformat(),
        "endsAt": spec.ends_at.isoformat() if spec.ends_at else None,
        "context": {"customers": {"add": [f"gid://shopify/Customer/{spec.customer_id}"]}},
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
    }
    if spec.minimum_subtotal:
        data["minimumRequirement"] = {
            "subtotal": {"greaterThanOrEqualToSubtotal": str(spec.minimum_subtotal)}
        }
    if spec.kind == RewardKind.FREE_SHIPPING:
        data["destination"] = {"all": True}
        return data
    if spec.kind == RewardKind.PERCENTAGE and spec.fraction is not None:
        # GraphQL's Float: a fraction like 0.1, not money.
        value: dict[str, Any] = {"percentage": float(spec.fraction)}
    elif spec.kind == RewardKind.FIXED_AMOUNT and spec.amount is not None:
        value = {"discountAmount": {"amount": str(spec.amount), "appliesOnEachItem": False}}
    else:
        raise DiscountRejected(f"reward kind {spec.kind!r} without its value", ["INVALID"])
    data["customerGets"] = {"value": value, "items": {"all": True}}
    return data


def create_code(client: ShopifyClient, shop: str, token: str, spec: CodeSpec) -> str:
    """Create the code discount; its id (``gid://shopify/DiscountCodeNode/…``).

    Raises :class:`CodeTaken`, :class:`DiscountRejected`, or the client's errors.
    """
    free_shipping = spec.kind == RewardKind.FREE_SHIPPING
    name = "discountCodeFreeShippingCreate" if free_shipping else "discountCodeBasicCreate"
    query = CREATE_FREE_SHIPPING if free_shipping else CREATE_BASIC
    payload = client.graphql(shop, token, query, {"input": discount_input(spec)}).get(name) or {}
    errors = payload.get("userErrors") or []
    codes = [str(e.get("code") or "INVALID") for e in errors]
    if "TAKEN" in codes:
        raise CodeTaken(f"{name} for {shop}: code taken", codes)
    if "INTERNAL_ERROR" in codes:
        raise ShopifyUnavailable(f"{name} for {shop}: INTERNAL_ERROR")
    node = payload.get("codeDiscountNode")
    if errors or not node or not node.get("id"):
        raise DiscountRejected(f"{name} for {shop}: {', '.join(codes) or 'no node'}", codes)
    return str(node["id"])


def find_code(client: ShopifyClient, shop: str, token: str, code: str) -> FoundCode | None:
    """The shop's code discount with this code, or None."""
    node = client.graphql(shop, token, FIND, {"code": code}).get("codeDiscountNodeByCode")
    if not node:
        return None
    return FoundCode(id=str(node["id"]), title=str((node.get("codeDiscount") or {}).get("title")))


def delete_code(client: ShopifyClient, shop: str, token: str, discount_id: str) -> bool:
    """Delete a code discount; False if Shopify had no such discount."""
    payload = client.graphql(shop, token, DELETE, {"id": discount_id}).get("discountCodeDelete")
    return bool((payload or {}).get("deletedCodeDiscountId"))


def is_transient(err: LoyaltyError) -> bool:
    """Whether trying again later may succeed (no answer, 5xx, throttled, Shopify's own fault)."""
    if isinstance(err, ShopifyUnavailable | ShopifyThrottled):
        return True
    return isinstance(err, GraphQLError) and "INTERNAL_SERVER_ERROR" in err.codes


def title_for(view: RedemptionView) -> str:
    """The discount's title: the reward's, marked with the redemption it belongs to."""
    mark = f" (Klubb #{view.id})"
    return view.reward_title[: 255 - len(mark)] + mark


def spec_for(view: RedemptionView) -> CodeSpec:
    """The code discount a redemption stands for."""
    assert view.code is not None

    def money(value: Decimal | None) -> Decimal | None:
        return None if value is None else quantize(value, view.currency)

    return CodeSpec(
        kind=view.kind,
        code=view.code,
        title=title_for(view),
        customer_id=view.customer_id,
        starts_at=view.created_at,
        ends_at=view.expires_at,
        amount=money(view.value) if view.kind == RewardKind.FIXED_AMOUNT else None,
        fraction=view.value if view.kind == RewardKind.PERCENTAGE else None,
        minimum_subtotal=money(view.minimum_order),
    )


def issue_code(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    redemption_id: int,
    *,
    look_first: bool,
    give_up: bool,
    now: datetime | None = None,
) -> RedemptionView:
    """Create a ``reserved`` redemption's code in Shopify; the redemption afterwards.

    ``issued`` on success; still ``reserved`` when Shopify may succeed later and ``give_up`` is
    False (the caller retries); ``returned``, points back, when Shopify refuses or ``give_up``.
    ``look_first``: an earlier attempt may have created the code, so look it up before creating.
    A redemption that is not ``reserved`` is returned as it is.
    """
    view = rewards.get_redemption(sessions, redemption_id)
    if view.state != RedemptionState.RESERVED:
        return view
    try:
        token = access_token(view.shop_domain)
        discount_id = _create_or_adopt(sessions, client, token, view, look_first)
    except LoyaltyError as err:
        if is_transient(err) and not give_up:
            log.info("redemption %s: Shopify not ready (%s), later", redemption_id, err.code)
            return rewards.get_redemption(sessions, redemption_id)
        log.warning("redemption %s: code not created (%s), points back", redemption_id, err.code)
        return rewards.return_reservation(
            sessions, redemption_id, reasons.code_not_created(err.code)
        )
    after, changed = rewards.confirm_issued(sessions, redemption_id, discount_id, now)
    if not changed and after.discount_id != discount_id:
        # Released or returned meanwhile: nobody paid for this discount.
        _delete_quietly(client, view.shop_domain, token, discount_id)
    return after


def _create_or_adopt(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    token: str,
    view: RedemptionView,
    look_first: bool,
) -> str:
    for attempt in range(CODE_ATTEMPTS):
        if look_first or attempt:
            found = find_code(client, view.shop_domain, token, view.code or "")
            if found is not None and _is_ours(found, view):
                return found.id
            if found is not None:
                view = rewards.change_code(sessions, view.id, rewards.new_code())
        try:
            return create_code(client, view.shop_domain, token, spec_for(view))
        except CodeTaken:
            continue
    raise DiscountRejected(f"no free code after {CODE_ATTEMPTS} attempts", ["TAKEN"])


def _is_ours(found: FoundCode, view: RedemptionView) -> bool:
    return found.title.endswith(f"(Klubb #{view.id})")


def _delete_quietly(client: ShopifyClient, shop: str, token: str, discount_id: str) -> None:
    try:
        delete_code(client, shop, token, discount_id)
    except LoyaltyError as err:
        log.warning("orphan discount on %s not deleted (%s)", shop, err.code)


def release_stale_reservations(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    *,
    older_than: timedelta,
    give_up_after: timedelta = timedelta(hours=24),
    now: datetime | None = None,
    limit: int = 100,
) -> dict[str, int]:
    """Settle redemptions left ``reserved`` longer than ``older_than`` (a crash, lost jobs).

    Each one's code is looked up in Shopify first: found, it is ``issued`` (the shopper sees
    it when polling); not found, the points come back. While a shop's Shopify does not answer
    its reservations wait for the next run, up to ``give_up_after``; then the points come back.
    Counts by outcome: issued, returned, waiting.
    """
    now = now or utcnow()
    summary: Counter[str] = Counter()
    unreachable: set[str] = set()
    for redemption_id in rewards.stale_reservations(sessions, older_than, now=now, limit=limit):
        view = rewards.get_redemption(sessions, redemption_id)
        overdue = view.created_at < now - give_up_after
        if view.state != RedemptionState.RESERVED:
            continue
        if view.shop_domain in unreachable and not overdue:
            summary["waiting"] += 1
            continue
        found = None
        try:
            token = access_token(view.shop_domain)
            found = find_code(client, view.shop_domain, token, view.code or "")
        except LoyaltyError as err:
            if is_transient(err) and not overdue:
                unreachable.add(view.shop_domain)
                summary["waiting"] += 1
                continue
        if found is not None and _is_ours(found, view):
            _, changed = rewards.confirm_issued(sessions, redemption_id, found.id, now)
            summary["issued"] += changed
        else:
            after = rewards.return_reservation(
                sessions, redemption_id, reasons.REWARD_RELEASED, now
            )
            summary["returned"] += after.state == RedemptionState.RETURNED
    return dict(summary)
