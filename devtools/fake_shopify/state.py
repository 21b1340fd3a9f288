"""In-memory state of the fake Shopify: the clock, shops, tokens, customers, discounts.

Everything here is plain data guarded by one lock owned by :class:`FakeShopify`; the HTTP
handlers take that lock around every read-modify-write, so the server can run threaded.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# ---------------------------------------------------------------------------------------
# Clock


class FakeClock:
    """Wall-clock time plus an adjustable offset; optionally frozen.

    ``advance(seconds)`` moves the fake's notion of now forward (access tokens, codes and
    refresh tokens expire by it, the cost bucket refills by it, session tokens are stamped
    with it). ``freeze()`` stops it following the wall clock until ``unfreeze()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """The fake's current Unix time in seconds."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative number) by ``seconds``."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def freeze(self, at: float | None = None) -> None:
        """Stop following the wall clock; stay at ``at`` (default: now)."""
        current = self.now() if at is None else at
        with self._lock:
            self._frozen_at = current

    def unfreeze(self) -> None:
        """Follow the wall clock again, keeping the current fake time."""
        with self._lock:
            if self._frozen_at is None:
                return
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def iso(self, ts: float | None = None) -> str:
        """``ts`` (default now) as Shopify writes DateTime values: ``2026-07-14T15:49:38Z``."""
        return iso8601(self.now() if ts is None else ts)


def iso8601(ts: float) -> str:
    """A Unix time as an ISO 8601 UTC string with seconds precision, as Shopify renders it."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601(value: str) -> float:
    """Parse an ISO 8601 date-time (``Z`` or an offset) to a Unix time; ValueError if bad."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


# ---------------------------------------------------------------------------------------
# Ids


def gid(kind: str, number: int) -> str:
    """A Shopify global id, e.g. ``gid://shopify/Customer/123``."""
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: Any) -> tuple[str, int] | None:
    """``(kind, number)`` from a global id, or None if it is not one."""
    if not isinstance(value, str) or not value.startswith("gid://shopify/"):
        return None
    rest = value[len("gid://shopify/") :].split("?", 1)[0]
    parts = rest.split("/")
    if len(parts) != 2 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def decimal_text(value: Decimal) -> str:
    """Decimal as Shopify's GraphQL renders it: ``5.0``, ``12.5``, ``0.1``."""
    normalized = value.normalize()
    text = format(normalized, "f")
    if "." not in text:
        text += ".0"
    return text


def new_token(prefix: str) -> str:
    """An opaque token with Shopify's style of prefix (``shpat_``, ``shprt_``...)."""
    return prefix + secrets.token_hex(16)


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


class FakeShop:
    """One shop on the fake Shopify, with everything the app can see or change on it."""

    def __init__(
        self,
        domain: str,
        *,
        shop_id: int,
        name: str,
        email: str,
        currency: str,
        timezone: str,
        locale: str,
        plan: str,
        clock: FakeClock,
        ids: _IdSource,
        lock: threading.RLock | None = None,
        app_id: int = 0,
    ) -> None:
        self.domain = domain
        self.id = shop_id
        self.name = name
        self.email = email
        self.currency = currency
        self.timezone = timezone
        self.locale = locale
        self.plan = plan
        self._clock = clock
        self._ids = ids
        self._lock = lock or threading.RLock()
        self.app_id = app_id
        self.primary_domain: str | None = None
        self.taxes_included = False
        self.installed = False
        self.granted_scopes: list[str] = []
        self.installed_at: float | None = None
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.auth_codes: dict[str, AuthorizationCode] = {}
        self.customers: dict[str, Customer] = {}
        self.discounts: dict[str, Discount] = {}
        # The app's theme app extension blocks in the live (published) theme, as App Bridge's
        # app.extensions() reports them: block handle -> "active" (enabled) or "available".
        self.theme_blocks: dict[str, str] = {"app-embed": "available"}
        self.metafields: dict[tuple[str, str, str], Metafield] = {}
        self.orders: dict[str, Order] = {}
        self.bulk_operations: dict[str, BulkOperation] = {}
        # (errorCode, lines kept, queries to let pass first): see fail_next_bulk_query.
        self.bulk_failure: tuple[str, int, int] | None = None
        # How many reads each new bulk query answers RUNNING before its result shows.
        self.bulk_running_reads = 0
        self.bucket = CostBucket(updated_at=clock.now())

    # -- identity ------------------------------------------------------------------------

    @property
    def gid(self) -> str:
        """The shop's global id."""
        return gid("Shop", self.id)

    @property
    def handle(self) -> str:
        """The store handle: the myshopify subdomain."""
        return self.domain.split(".", 1)[0]

    def __repr__(self) -> str:
        return f"FakeShop({self.domain!r}, installed={self.installed})"

    # -- test helpers --------------------------------------------------------------------

    def add_customer(
        self,
        id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        *,
        tags: list[str] | tuple[str, ...] = (),
        locale: str | None = None,
        email_marketing_state: str = "NOT_SUBSCRIBED",
        sms_marketing_state: str = "NOT_SUBSCRIBED",
        number_of_orders: int = 0,
        amount_spent: str | Decimal = "0",
    ) -> str:
        """Add a customer and return its gid (``gid://shopify/Customer/<id>``)."""
        number = id if id is not None else self._ids.next()
        now = self._clock.now()
        customer = Customer(
            id=number,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            tags=sorted(set(tags)),
            locale=locale or self.locale,
            created_at=now,
            updated_at=now,
            email_consent=Consent(state=email_marketing_state),
            sms_consent=Consent(state=sms_marketing_state),
            number_of_orders=number_of_orders,
            amount_spent=Decimal(str(amount_spent)),
        )
        with self._lock:
            self.customers[customer.gid] = customer
        return customer.gid

    def customer(self, ref: str | int) -> Customer | None:
        """The customer with this gid or numeric id, or None."""
        key = (
            ref if isinstance(ref, str) and ref.startswith("gid://") else gid("Customer", int(ref))
        )
        return self.customers.get(key)

    def add_order(
        self,
        id: int | None = None,
        *,
        customer: str | None = None,
        subtotal: str | Decimal = "100.00",
        current_subtotal: str | Decimal | None = None,
        total: str | Decimal | None = None,
        processed_at: float | None = None,
        financial_status: str = "PAID",
        cancelled_at: float | None = None,
        source_name: str = "web",
        test: bool = False,
        name: str | None = None,
    ) -> str:
        """Add an order (for backfill queries) and return its gid."""
        number = id if id is not None else self._ids.next()
        when = self._clock.now() if processed_at is None else processed_at
        sub = Decimal(str(subtotal))
        order = Order(
            id=number,
            name=name or f"#{1000 + len(self.orders) + 1}",
            customer_gid=customer,
            created_at=when,
            processed_at=when,
            updated_at=when,
            currency=self.currency,
            subtotal=sub,
            current_subtotal=sub if current_subtotal is None else Decimal(str(current_subtotal)),
            total=sub if total is None else Decimal(str(total)),
            financial_status=financial_status,
            cancelled_at=cancelled_at,
            source_name=source_name,
            test=test,
        )
        with self._lock:
            self.orders[order.gid] = order
        return order.gid

    def fail_next_bulk_query(
        self, error_code: str = "TIMEOUT", keep_lines: int = 0, *, skip: int = 0
    ) -> None:
        """Make the next bulk query (after ``skip`` that succeed) end FAILED with ``error_code``
        (TIMEOUT or INTERNAL_SERVER_ERROR), its first ``keep_lines`` lines at ``partialDataUrl``."""
        with self._lock:
            self.bulk_failure = (error_code, keep_lines, skip)

    def discount_by_code(self, code: str) -> Discount | None:
        """The code discount owning ``code`` (case-insensitive), or None."""
        wanted = code.strip().casefold()
        for discount in self.discounts.values():
            if any(c.code.casefold() == wanted for c in discount.codes):
                return discount
        return None

    def resolve_namespace(self, namespace: str | None) -> str:
        """A metafield namespace as Shopify stores it: ``$app:x`` -> ``app--<app id>--x``."""
        if namespace is None or namespace == "$app":
            return f"app--{self.app_id}"
        if namespace.startswith("$app:"):
            return f"app--{self.app_id}--{namespace[len('$app:') :]}"
        return namespace

    def metafield(self, owner: str, namespace: str, key: str) -> Metafield | None:
        """The metafield ``namespace.key`` on ``owner`` (a gid), or None; ``$app`` works."""
        return self.metafields.get((owner, self.resolve_namespace(namespace), key))

    def tags_of(self, customer: str) -> list[str]:
        """The tags of a customer (by gid)."""
        found = self.customers.get(customer)
        return list(found.tags) if found else []

    # -- token bookkeeping (called with the fake's lock held) ----------------------------

    def revoke_all_tokens(self) -> None:
        """Revoke every access and refresh token (uninstall)."""
        for access in self.access_tokens.values():
            access.revoked = True
        for refresh in self.refresh_tokens.values():
            refresh.revoked = True

    def live_access_tokens(self) -> list[AccessToken]:
        """Access tokens that would be accepted right now."""
        now = self._clock.now()
        return [t for t in self.access_tokens.values() if t.valid_at(now)]


class _IdSource:
    """Increasing numeric ids, Shopify-sized (beyond 2^53 is not needed for tests)."""

    def __init__(self, start: int = 7_000_000_001) -> None:
        self._next = start
        self._lock = threading.Lock()

    def next(self) -> int:
        """The next id."""
        with self._lock:
            value = self._next
            self._next += 1
            return value


def opaque_cursor(number: int) -> str:
    """A pagination cursor in Shopify's style (base64 JSON with the last id)."""
    raw = f'{{"last_id":{number},"last_value":"{number}"}}'.encode()
    return base64.b64encode(raw).decode()


def cursor_id(cursor: str) -> int | None:
    """The id encoded in a cursor made by :func:`opaque_cursor`, or None."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    marker = '"last_id":'
    if marker not in raw:
        return None
    digits = raw.split(marker, 1)[1].split(",", 1)[0]
    return int(digits) if digits.isdigit() else None
