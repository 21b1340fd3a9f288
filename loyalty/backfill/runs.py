"""Backfill on install: existing customers become members, past orders are recorded.

Both come from Shopify bulk query operations (``bulkOperationRunQuery``), one phase after the
other (customers, then orders: one bulk query per shop at a time). Each JSONL line goes through
the same code as the matching webhook, so the two paths meet on the same rows:

- a customer line is a customers/create body for :func:`loyalty.members.enrolment.upsert_from_customer_payload`
  (enrolment per ``auto_enrol``, tombstones respected). Unless the merchant asked for it, the
  member is enrolled first without the signup bonus, so no flood of bonuses (nor welcome codes:
  the backfill enqueues none);
- an order line is an orders/* body for :func:`loyalty.points.orders.apply_order` (facts, settlement
  under the order's row lock, rollups). An order Klubb already holds facts for (a live webhook
  came first) is left to the webhooks; one the backfill recorded first is settled again by a
  later webhook with nothing more to post. Either way the order counts once.

Refunds: a bulk ``orders`` line carries no refund ids, so an order last changed before the
install (no refunds/create will ever come for it) is recorded at its current subtotal, net of
refunds and removals; an order changed since is recorded at its original subtotal, its refunds
since the install arriving as refunds/create (refunds it had before the install are then not
seen: a documented limitation).

Customers and orders created since the install are left to their webhooks (customers/create,
orders/*), so a new customer still gets the signup bonus and welcome code, and a new order
earns as usual. ``award_points`` false: the past orders the backfill records never earn (their
record is created ``earn_blocked`` before the facts are applied).

Progress lives in one :class:`~loyalty.core.models.Backfill` row per shop; a new run bumps ``run``,
and work for an older run stops at its next step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError, ValidationError
from loyalty.core.models import Backfill, Member, OrderRecord, Shop
from loyalty.core.payloads import optional_id, parse_time
from loyalty.core.types import utcnow
from loyalty.members.enrolment import (
    HashKeys,
    get_or_enrol,
    upsert_from_customer_payload,
)
from loyalty.points.orders import apply_order

DEFAULT_DAYS = 60
"""Without ``read_all_orders`` Shopify shows an app the last 60 days of orders only."""
MAX_DAYS = 36500
STALE_AFTER = timedelta(minutes=30)
"""A run with no progress for this long may be restarted over (its jobs are presumed dead)."""
STALLED = "No progress for 30 minutes: start the backfill again."
BATCH = 200
"""Lines applied between two progress writes."""

ACTIVE = ("queued", "running")
PHASES = ("customers", "orders")

CUSTOMERS_QUERY = """
{
  customers {
    edges {
      node {
        id
        firstName
        lastName
        defaultEmailAddress { emailAddress }
        defaultPhoneNumber { phoneNumber }
        createdAt
        updatedAt
      }
    }
  }
}
"""

_MONEY = "{ shopMoney { amount currencyCode } }"
ORDERS_QUERY = """
{
  orders%s {
    edges {
      node {
        id
        createdAt
        processedAt
        updatedAt
        cancelledAt
        currencyCode
        displayFinancialStatus
        sourceName
        test
        customer { id }
        subtotalPriceSet %s
        currentSubtotalPriceSet %s
        totalPriceSet %s
      }
    }
  }
}
"""

RUN_MUTATION = """
mutation Backfill($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

POLL_QUERY = """
query BulkStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation {
      id status errorCode objectCount rootObjectCount url partialDataUrl
    }
  }
}
"""


class BackfillRunning(LoyaltyError):
    """The shop's backfill is running; it cannot be started over yet (HTTP 409)."""

    code = "backfill_running"


class BulkQueryRefused(LoyaltyError):
    """Shopify refused the bulk query (its user errors' codes in ``codes``)."""

    code = "bulk_query_refused"

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes) or "refused")
        self.codes = codes


@dataclass(frozen=True)
class Options:
    """What the merchant chose: the order window, and whether old orders and joins earn."""

    orders_since_days: int | None = DEFAULT_DAYS
    award_points: bool = False
    signup_bonus: bool = False

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Options:
        """Validate ``POST /api/backfill``'s body; ValidationError with a message per field."""
        problems: dict[str, str] = {}
        unknown = set(body) - {"orders_since", "award_points", "signup_bonus"}
        for name in sorted(unknown):
            problems[name] = "Unknown field."
        since = body.get("orders_since", DEFAULT_DAYS)
        days: int | None = DEFAULT_DAYS
        if since == "all":
            days = None
        elif isinstance(since, int) and not isinstance(since, bool) and 1 <= since <= MAX_DAYS:
            days = since
        else:
            problems["orders_since"] = f'Enter a number of days from 1 to {MAX_DAYS}, or "all".'
        flags = {}
        for name in ("award_points", "signup_bonus"):
            value = body.get(name, False)
            if not isinstance(value, bool):
                problems[name] = "Enter true or false."
            flags[name] = value is True
        if problems:
            raise ValidationError(problems)
        return cls(orders_since_days=days, **flags)


def start(
    sessions: sessionmaker[Session],
    shop_id: int,
    options: Options,
    *,
    now: datetime | None = None,
) -> int:
    """Begin a new run of the shop's backfill with these options; its run number.

    Raises :class:`BackfillRunning` while a run is active and not stale.
    Counts start from zero: they describe this run (a re-run finds most things known).
    """
    now = now or utcnow()
    with sessions.begin() as session:
        session.execute(
            upsert(session, Backfill)
            .on_conflict_do_nothing(index_elements=["shop_id"])
            .values({**_fresh(shop_id, options, now), "run": 0, "status": "new"})
        )
        row = session.scalars(
            select(Backfill)
            .where(Backfill.shop_id == shop_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if row.status in ACTIVE and now - row.updated_at < STALE_AFTER:
            raise BackfillRunning("the backfill is running")
        run = row.run + 1
        for name, value in _fresh(shop_id, options, now).items():
            setattr(row, name, value)
        row.run = run
        return run


def _fresh(shop_id: int, options: Options, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": shop_id,
        "status": "queued",
        "phase": PHASES[0],
        "orders_since_days": options.orders_since_days,
        "award_points": options.award_points,
        "signup_bonus": options.signup_bonus,
        "bulk_operation_id": None,
        "lines_done": 0,
        "customers_seen": 0,
        "customers_enrolled": 0,
        "orders_seen": 0,
        "orders_recorded": 0,
        "orders_awarded": 0,
        "error": None,
        "started_at": now,
        "finished_at": None,
        "updated_at": now,
    }


def current(
    sessions: sessionmaker[Session], shop_id: int, run: int | None = None
) -> Backfill | None:
    """The shop's backfill row (detached), or None; None too when ``run`` is not its run."""
    with sessions() as session:
        row = session.get(Backfill, shop_id)
        if row is None or (run is not None and row.run != run):
            return None
        session.expunge(row)
        return row


def progress(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The backfill's state for the admin (``status: "none"`` before any run)."""
    row = current(sessions, shop_id)
    if row is None:
        return {
            "status": "none",
            "phase": None,
            "options": None,
            "counts": None,
            "error": None,
            "started_at": None,
            "finished_at": None,
        }
    status, error = row.status, row.error
    if status in ACTIVE and utcnow() - row.updated_at >= STALE_AFTER:
        # Its jobs gave up or died (RQ keeps the details); the merchant may start it again.
        status, error = "failed", STALLED
    return {
        "status": status,
        "phase": row.phase,
        "run": row.run,
        "options": {
            "orders_since": row.orders_since_days if row.orders_since_days else "all",
            "award_points": row.award_points,
            "signup_bonus": row.signup_bonus,
        },
        "counts": {
            "customers_seen": row.customers_seen,
            "customers_enrolled": row.customers_enrolled,
            "orders_seen": row.orders_seen,
            "orders_recorded": row.orders_recorded,
            "orders_awarded": row.orders_awarded,
        },
        "error": error,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def update(
    sessions: sessionmaker[Session], shop_id: int, run: int, **changes: Any
) -> Backfill | None:
    """Change the run's row (counts in ``changes`` are added); None if the run was replaced.

    Keys ending in ``+`` are increments: ``update(..., **{"orders_seen+": 3})``.
    """
    with sessions.begin() as session:
        row = session.scalars(
            select(Backfill)
            .where(Backfill.shop_id == shop_id, Backfill.run == run)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            return None
        for key, value in changes.items():
            if key.endswith("+"):
                name = key[:-1]
                setattr(row, name, getattr(row, name) + value)
            else:
                setattr(row, key, value)
        row.updated_at = utcnow()
        session.flush()
        session.expunge(row)
        return row


# -- Shopify ------------------------------------------------------------------------------


def phase_query(phase: str, days: int | None, now: datetime) -> str:
    """The bulk query of a phase: every customer, or the orders in the window."""
    if phase == "customers":
        return CUSTOMERS_QUERY
    search = ""
    if days is not None:
        since = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        search = f"(query: \"processed_at:>='{since}'\")"
    return ORDERS_QUERY % (search, _MONEY, _MONEY, _MONEY)


def run_bulk_query(client: Any, shop: str, token: str, query: str) -> str:
    """Start a bulk query; its operation id. Raises :class:`BulkQueryRefused` on user errors."""
    data = client.graphql(shop, token, RUN_MUTATION, {"query": query})
    result = data.get("bulkOperationRunQuery") or {}
    errors = result.get("userErrors") or []
    operation = result.get("bulkOperation") or {}
    if errors or not operation.get("id"):
        raise BulkQueryRefused([str(e.get("code") or "INVALID") for e in errors])
    return str(operation["id"])


def bulk_status(client: Any, shop: str, token: str, operation_id: str) -> dict[str, Any]:
    """The operation's ``status``, ``errorCode``, ``url`` and ``partialDataUrl`` (node(id:))."""
    data = client.graphql(shop, token, POLL_QUERY, {"id": operation_id})
    return data.get("node") or {"status": "NOT_FOUND", "errorCode": None, "url": None}


def jsonl_lines(url: str, *, skip: int = 0, timeout: float = 30.0) -> Iterator[dict[str, Any]]:
    """The objects of a JSONL result file, streamed (never the whole file in memory).

    The first ``skip`` lines are read past (already applied by an earlier try).
    """
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        for number, raw in enumerate(response.iter_lines()):
            if number < skip or not raw:
                continue
            value = json.loads(raw)
            if isinstance(value, dict):
                yield value


# -- Lines --------------------------------------------------------------------------------


def gid_number(value: Any) -> int | None:
    """The numeric id in ``gid://shopify/Kind/123`` (or a plain id), else None."""
    if isinstance(value, str) and value.startswith("gid://"):
        value = value.rsplit("/", 1)[-1].split("?", 1)[0]
    return optional_id(value)


def customer_payload(line: Mapping[str, Any]) -> dict[str, Any] | None:
    """A customers/create-shaped body from a bulk customer line; None if it has no id."""
    customer_id = gid_number(line.get("id"))
    if customer_id is None:
        return None
    email = line.get("defaultEmailAddress") or {}
    phone = line.get("defaultPhoneNumber") or {}
    return {
        "id": customer_id,
        "first_name": line.get("firstName"),
        "last_name": line.get("lastName"),
        "email": email.get("emailAddress") if isinstance(email, Mapping) else None,
        "phone": phone.get("phoneNumber") if isinstance(phone, Mapping) else None,
        "updated_at": line.get("updatedAt"),
    }


def order_payload(line: Mapping[str, Any], installed_at: datetime | None) -> dict[str, Any] | None:
    """An orders/*-shaped body from a bulk order line; None if it has no id.

    The subtotal is the current one (net of refunds) when the order last changed before the
    install, else the original one (see the module's docstring).
    """
    order_id = gid_number(line.get("id"))
    if order_id is None:
        return None
    updated = parse_time(line.get("updatedAt"))
    before_install = installed_at is not None and updated is not None and updated < installed_at
    subtotal = line.get("currentSubtotalPriceSet") if before_install else None
    customer = line.get("customer")
    customer_id = gid_number(customer.get("id")) if isinstance(customer, Mapping) else None
    status = line.get("displayFinancialStatus")
    return {
        "id": order_id,
        "customer": {"id": customer_id} if customer_id else None,
        "currency": line.get("currencyCode"),
        "subtotal_price_set": _money_set(subtotal or line.get("subtotalPriceSet")),
        "total_price_set": _money_set(line.get("totalPriceSet")),
        "financial_status": status.lower() if isinstance(status, str) else None,
        "cancelled_at": line.get("cancelledAt"),
        "test": line.get("test") is True,
        "source_name": line.get("sourceName"),
        "processed_at": line.get("processedAt"),
        "created_at": line.get("createdAt"),
        "updated_at": line.get("updatedAt"),
    }


def _money_set(bag: Any) -> dict[str, Any] | None:
    if not isinstance(bag, Mapping) or not isinstance(bag.get("shopMoney"), Mapping):
        return None
    money = bag["shopMoney"]
    return {
        "shop_money": {"amount": money.get("amount"), "currency_code": money.get("currencyCode")}
    }


@dataclass(frozen=True)
class CustomerOutcome:
    """What one customer line did: seen (a customer), and the member it newly enrolled."""

    seen: bool = False
    enrolled: int | None = None


def apply_customer(
    sessions: sessionmaker[Session],
    shop_id: int,
    line: Mapping[str, Any],
    *,
    installed_at: datetime | None,
    signup_bonus: bool,
    hash_key: HashKeys,
    now: datetime | None = None,
) -> CustomerOutcome:
    """Enrol the customer of a bulk line per the settings and copy their details.

    A customer created since the install is customers/create's (seen, not enrolled here): the
    webhook enrols them as a new customer, signup bonus and welcome code included.
    """
    payload = customer_payload(line) if "__parentId" not in line else None
    if payload is None:
        return CustomerOutcome()
    if _since_install(line, installed_at):
        return CustomerOutcome(seen=True)
    customer_id = payload["id"]
    now = now or utcnow()
    with sessions.begin() as session:
        existed = _member_exists(session, shop_id, customer_id)
        if not existed:
            get_or_enrol(
                session, shop_id, customer_id, hash_key=hash_key, now=now, bonus=signup_bonus
            )
    member = upsert_from_customer_payload(sessions, shop_id, payload, hash_key, now=now)
    return CustomerOutcome(seen=True, enrolled=member.id if member and not existed else None)


@dataclass(frozen=True)
class OrderOutcome:
    """What one order line did: seen (in the window), newly recorded, earned points."""

    seen: bool = False
    recorded: bool = False
    awarded: bool = False
    member_id: int | None = None


def apply_order_line(
    sessions: sessionmaker[Session],
    shop_id: int,
    line: Mapping[str, Any],
    *,
    installed_at: datetime | None,
    since: datetime | None,
    award_points: bool,
    signup_bonus: bool,
    hash_key: HashKeys,
    now: datetime | None = None,
) -> OrderOutcome:
    """Record one bulk order line through :func:`loyalty.points.orders.apply_order`.

    Orders older than ``since`` are skipped (Shopify's search filter should have left them out
    already). Orders created since the install, and orders Klubb holds facts for, are the
    webhooks' and left alone (seen, not recorded).
    """
    if "__parentId" in line:
        return OrderOutcome()
    payload = order_payload(line, installed_at)
    if payload is None:
        return OrderOutcome()
    ordered = parse_time(payload["processed_at"]) or parse_time(payload["created_at"])
    if since is not None and ordered is not None and ordered < since:
        return OrderOutcome()
    if _since_install(line, installed_at):
        return OrderOutcome(seen=True)
    now = now or utcnow()
    order_id = payload["id"]
    customer_id = (payload["customer"] or {}).get("id")
    with sessions.begin() as session:
        held = session.scalar(
            select(OrderRecord.shopify_updated_at.is_not(None)).where(
                OrderRecord.shop_id == shop_id, OrderRecord.order_id == order_id
            )
        )
        if held:
            return OrderOutcome(seen=True)
        currency = session.scalar(select(Shop.currency).where(Shop.id == shop_id))
        if not award_points:
            session.execute(
                upsert(session, OrderRecord)
                .on_conflict_do_nothing(index_elements=["shop_id", "order_id"])
                .values(shop_id=shop_id, order_id=order_id, currency=currency, earn_blocked=True)
            )
        if customer_id and not signup_bonus and not _member_exists(session, shop_id, customer_id):
            get_or_enrol(session, shop_id, customer_id, hash_key=hash_key, now=now, bonus=False)
    record = apply_order(sessions, shop_id, payload, hash_key=hash_key, now=now)
    awarded = record.points_owed > 0
    return OrderOutcome(
        seen=True, recorded=True, awarded=awarded, member_id=record.member_id if awarded else None
    )


def _since_install(line: Mapping[str, Any], installed_at: datetime | None) -> bool:
    """The line's object was created at or after the install (its webhooks bring it)."""
    created = parse_time(line.get("createdAt"))
    return installed_at is not None and created is not None and created >= installed_at


def _member_exists(session: Session, shop_id: int, customer_id: int) -> bool:
    return (
        session.scalar(
            select(Member.id).where(Member.shop_id == shop_id, Member.customer_id == customer_id)
        )
        is not None
    )
