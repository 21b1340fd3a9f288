"""In-memory state of the fake Shopify: one :class:`FakeShop` per shop, holding its tokens,
customers, discounts, products, gift cards, metafields, orders and bulk operations (the records are in
:mod:`.records`, the clock in :mod:`.clock`, ids in :mod:`.ids`).

Everything here is plain data guarded by one lock owned by :class:`FakeShopify`; the HTTP
handlers take that lock around every read-modify-write, so the server can run threaded.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from .clock import FakeClock
from .ids import _IdSource, gid
from .records import (
    AccessToken,
    AuthorizationCode,
    BulkOperation,
    Collection,
    Consent,
    CostBucket,
    Customer,
    Discount,
    GiftCard,
    Metafield,
    Order,
    Product,
    RefreshToken,
    StoreCredit,
    Variant,
)


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
        self.gift_cards: dict[str, GiftCard] = {}
        self.store_credit: dict[tuple[str, str], StoreCredit] = {}  # (owner gid, currency)
        # The app's theme app extension blocks in the live (published) theme, as App Bridge's
        # app.extensions() reports them: block handle -> "active" (enabled) or "available".
        self.theme_blocks: dict[str, str] = {"app-embed": "available"}
        self.metafields: dict[tuple[str, str, str], Metafield] = {}
        self.orders: dict[str, Order] = {}
        self.products: dict[str, Product] = {}
        self.collections: dict[str, Collection] = {}
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

    def add_product(self, title: str, id: int | None = None) -> str:
        """Add a product and return its gid."""
        number = id if id is not None else self._ids.next()
        handle = "-".join(title.lower().split()) or str(number)
        product = Product(id=number, title=title, handle=handle)
        with self._lock:
            self.products[product.gid] = product
        return product.gid

    def add_collection(
        self, title: str, products: list[str] | tuple[str, ...] = (), id: int | None = None
    ) -> str:
        """Add a collection of these product gids and return its gid."""
        number = id if id is not None else self._ids.next()
        handle = "-".join(title.lower().split()) or str(number)
        members = [self.products[p].id for p in products]
        collection = Collection(id=number, title=title, handle=handle, product_ids=members)
        with self._lock:
            self.collections[collection.gid] = collection
        return collection.gid

    def remove_product(self, product: str) -> None:
        """Delete a product (and take it out of every collection)."""
        with self._lock:
            found = self.products.pop(product, None)
            for collection in self.collections.values():
                if found is not None and found.id in collection.product_ids:
                    collection.product_ids.remove(found.id)

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

    def add_product_variants(
        self, product_id: int, title: str, variants: list[tuple[int, str, Decimal | str]]
    ) -> list[str]:
        """A product with variants ``(id, title, price)``; the variants' gids."""
        with self._lock:
            product = Product(
                id=product_id,
                title=title,
                handle=title.lower().replace(" ", "-"),
                variants=[Variant(id=v, title=t, price=Decimal(str(p))) for v, t, p in variants],
            )
            self.products[product.gid] = product
            return [v.gid for v in product.variants]

    def delete_product(self, product_id: int) -> None:
        """The merchant deletes the product (and its variants), by its number."""
        self.remove_product(gid("Product", product_id))

    def set_price(self, variant_id: int, price: Decimal | str) -> None:
        """The merchant changes a variant's price."""
        with self._lock:
            found = self.variant(gid("ProductVariant", variant_id))
            if found is None:
                raise KeyError(variant_id)
            found[1].price = Decimal(str(price))

    def variant(self, variant_gid: str) -> tuple[Product, Variant] | None:
        """The variant with this gid and its product, or None."""
        for product in self.products.values():
            for variant in product.variants:
                if variant.gid == variant_gid:
                    return product, variant
        return None

    def gift_card_by_code(self, code: str) -> GiftCard | None:
        """The gift card with this code (case-insensitive, as Shopify's codes are), or None."""
        wanted = code.strip().casefold()
        return next((g for g in self.gift_cards.values() if g.code.casefold() == wanted), None)

    def use_code(self, code: str, customer: int | str | None = None) -> Discount:
        """A checkout applies ``code``, as Shopify's does: refused (``ValueError``) when no
        discount has it, it is not active, its usage limit is reached, or it is for other
        customers; otherwise its usage count goes up by one."""
        with self._lock:
            discount = self.discount_by_code(code)
            if discount is None or discount.status(self._clock.now()) != "ACTIVE":
                raise ValueError(f"{code} is not a valid discount code")
            redeem = next(c for c in discount.codes if c.code.casefold() == code.casefold())
            used = sum(c.usage_count for c in discount.codes)
            if discount.usage_limit is not None and used >= discount.usage_limit:
                raise ValueError(f"{code} has reached its usage limit")
            buyer = f"gid://shopify/Customer/{customer}" if customer is not None else None
            if discount.customer_ids is not None and buyer not in discount.customer_ids:
                raise ValueError(f"{code} is not for this customer")
            redeem.usage_count += 1
            return discount

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
