"""The records a fake shop stores: tokens, customers, metafields, discounts, products, gift cards,
orders, bulk operations and the cost bucket.

Plain data, guarded by the one lock owned by :class:`FakeShopify` (see :mod:`.state`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .ids import gid

# ---------------------------------------------------------------------------------------
# Tokens


@dataclass
class AccessToken:
    """An Admin API access token issued to the app for one shop."""

    token: str
    shop: str
    scope: str
    mode: str  # "offline" | "online"
    issued_at: float
    expires_at: float | None  # None: a non-expiring offline token
    grant: str  # how it was obtained, for the log
    user_id: int | None = None
    revoked: bool = False

    def valid_at(self, now: float) -> bool:
        """Whether Shopify would accept the token at ``now``."""
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


@dataclass
class RefreshToken:
    """A refresh token of an expiring offline token.

    Shopify keeps a used refresh token usable (a retry after a lost response) until its
    replacement is used, at most 30 days after its first use, and never past its 90 days.
    """

    token: str
    shop: str
    issued_at: float
    expires_at: float
    access_token: str  # the access token issued together with it
    first_used_at: float | None = None
    successor: str | None = None  # the refresh token its latest use issued
    predecessor: str | None = None
    retired: bool = False  # its successor has been used: rejected from now on
    revoked: bool = False  # uninstall, or replaced by a retry of its predecessor


@dataclass
class AuthorizationCode:
    """A single-use authorization code from the classic OAuth redirect."""

    code: str
    shop: str
    scope: str
    per_user: bool
    expires_at: float
    used: bool = False


# ---------------------------------------------------------------------------------------
# Shop data


@dataclass
class Consent:
    """A marketing consent state (email or SMS)."""

    state: str = "NOT_SUBSCRIBED"
    opt_in_level: str | None = "SINGLE_OPT_IN"
    updated_at: float | None = None
    collected_from: str | None = None


@dataclass
class Metafield:
    """A metafield on an owner (customer or shop)."""

    id: int
    owner_gid: str
    namespace: str
    key: str
    type: str
    value: str
    created_at: float
    updated_at: float
    version: int = 1

    @property
    def gid(self) -> str:
        """The metafield's global id."""
        return gid("Metafield", self.id)

    @property
    def compare_digest(self) -> str:
        """An opaque digest of the stored value, changing with every write."""
        raw = f"{self.gid}|{self.version}|{self.value}".encode()
        return hashlib.sha256(raw).hexdigest()


@dataclass
class Customer:
    """A customer of a fake shop."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    locale: str = "en"
    note: str | None = None
    state: str = "DISABLED"
    created_at: float = 0.0
    updated_at: float = 0.0
    email_consent: Consent = field(default_factory=Consent)
    sms_consent: Consent = field(default_factory=Consent)
    number_of_orders: int = 0
    amount_spent: Decimal = Decimal("0")

    @property
    def gid(self) -> str:
        """The customer's global id."""
        return gid("Customer", self.id)

    @property
    def display_name(self) -> str:
        """Name, else email, else phone, as Shopify's ``displayName``."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email or self.phone or ""


@dataclass
class RedeemCode:
    """One code of a code discount."""

    id: int
    code: str
    usage_count: int = 0


@dataclass
class Discount:
    """A code discount (basic amount/percentage off, or free shipping)."""

    id: int
    kind: str  # "basic" | "free_shipping"
    title: str
    codes: list[RedeemCode]
    starts_at: float
    ends_at: float | None
    created_at: float
    updated_at: float
    usage_limit: int | None = None
    applies_once_per_customer: bool = False
    percentage: float | None = None
    amount: Decimal | None = None
    applies_on_each_item: bool = False
    customer_ids: list[str] | None = None  # None: all buyers
    combines_with: dict[str, bool] = field(default_factory=dict)
    minimum_subtotal: Decimal | None = None
    minimum_quantity: int | None = None
    maximum_shipping_price: Decimal | None = None
    tags: list[str] = field(default_factory=list)
    variant_ids: list[str] = field(default_factory=list)  # empty: all items
    # The products it applies to (``customerGets.items.products``); empty: all items.
    product_gids: list[str] = field(default_factory=list)

    @property
    def gid(self) -> str:
        """The discount node's global id."""
        return gid("DiscountCodeNode", self.id)

    def status(self, now: float) -> str:
        """ACTIVE, SCHEDULED or EXPIRED at ``now``."""
        if self.starts_at > now:
            return "SCHEDULED"
        if self.ends_at is not None and self.ends_at <= now:
            return "EXPIRED"
        return "ACTIVE"


@dataclass
class Variant:
    """A product variant: its title and price in the shop's currency."""

    id: int
    title: str
    price: Decimal

    @property
    def gid(self) -> str:
        """The variant's global id."""
        return gid("ProductVariant", self.id)


@dataclass
class Product:
    """A product with its variants (free-product rewards; stamp cards and the resource picker
    need only its id, title and handle)."""

    id: int
    title: str
    handle: str
    variants: list[Variant] = field(default_factory=list)
    status: str = "ACTIVE"

    @property
    def gid(self) -> str:
        """The product's global id."""
        return gid("Product", self.id)


@dataclass
class GiftCard:
    """A gift card issued through the API; the fake keeps its full code, as Shopify does."""

    id: int
    code: str
    initial_value: Decimal
    balance: Decimal
    currency: str
    created_at: float
    customer_gid: str | None = None
    expires_on: str | None = None  # a Date, YYYY-MM-DD
    note: str | None = None
    template_suffix: str | None = None
    deactivated_at: float | None = None
    # giftCardDebit / giftCardCredit transactions, as the mutations answered them.
    transactions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gid(self) -> str:
        """The gift card's global id."""
        return gid("GiftCard", self.id)

    @property
    def last_characters(self) -> str:
        """The code's final four characters (all Shopify shows once it is issued)."""
        return self.code[-4:]


@dataclass
class StoreCredit:
    """One customer's store credit account in one currency, with its credits."""

    id: int
    owner_gid: str
    currency: str
    balance: Decimal = Decimal(0)
    credits: list[tuple[int, Decimal, float]] = field(default_factory=list)  # id, amount, at

    @property
    def gid(self) -> str:
        """The account's global id."""
        return gid("StoreCreditAccount", self.id)


@dataclass
class Order:
    """An order, enough of one for backfill queries."""

    id: int
    name: str
    customer_gid: str | None
    created_at: float
    processed_at: float
    updated_at: float
    currency: str
    subtotal: Decimal
    current_subtotal: Decimal
    total: Decimal
    financial_status: str = "PAID"
    cancelled_at: float | None = None
    source_name: str = "web"
    test: bool = False

    @property
    def gid(self) -> str:
        """The order's global id."""
        return gid("Order", self.id)


@dataclass
class Collection:
    """A collection of a fake shop and the ids of its products."""

    id: int
    title: str
    handle: str
    product_ids: list[int] = field(default_factory=list)

    @property
    def gid(self) -> str:
        """The collection's global id."""
        return gid("Collection", self.id)


@dataclass
class BulkOperation:
    """A bulk query run by the app."""

    id: int
    query: str
    created_at: float
    status: str = "CREATED"
    completed_at: float | None = None
    object_count: int = 0
    root_object_count: int = 0
    jsonl: bytes | None = None
    error_code: str | None = None
    # Reads of the operation that still find it RUNNING (Shopify takes a while on big shops).
    running_reads: int = 0

    @property
    def gid(self) -> str:
        """The operation's global id."""
        return gid("BulkOperation", self.id)


@dataclass
class CostBucket:
    """The leaky bucket of query cost for this app on this shop."""

    maximum: float = 2000.0
    restore_rate: float = 100.0
    available: float = 2000.0
    updated_at: float = 0.0
    pinned: bool = False  # throttle(): hold the level until the next request

    def refill(self, now: float) -> None:
        """Restore points for the time elapsed since the last update."""
        if self.pinned:
            self.pinned = False
        else:
            elapsed = max(0.0, now - self.updated_at)
            self.available = min(self.maximum, self.available + elapsed * self.restore_rate)
        self.updated_at = now
