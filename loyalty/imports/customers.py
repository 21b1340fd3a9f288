"""Finding the Shopify customer each row names: in Klubb's members first, then in Shopify.

Every vendor's importer takes only customers that already exist in the store. A row is matched
by Shopify customer id, else by email: first among the shop's members (one query for the whole
file), then, for the rest, through the Admin API (``customer(id:)``, ``customers(query:
"email:…")``). The caller holds no database transaction while Shopify is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member
from loyalty.imports.parse import Row, RowError
from loyalty.shopify.client import ShopifyClient

CHUNK = 500

EMAIL_BATCH = 20
LOOKUP_SLICE = 200  # addresses asked between two progress reports
BY_EMAIL = """
query KlubbImportCustomersByEmail($query: String!) {
  customers(first: 30, query: $query) {
    nodes { legacyResourceId firstName lastName defaultEmailAddress { emailAddress } }
    pageInfo { hasNextPage }
  }
}
"""
BY_ID = """
query KlubbImportCustomerById($id: ID!) {
  customer(id: $id) {
    legacyResourceId firstName lastName defaultEmailAddress { emailAddress }
  }
}
"""


@dataclass(frozen=True)
class Customer:
    """A Shopify customer as the import needs it (names and email copy onto a new member)."""

    customer_id: int
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class Directory(Protocol):
    """Where customers not yet known to Klubb are looked up (Shopify, or a test's stand-in)."""

    def by_id(self, customer_id: int) -> Customer | None: ...

    def by_emails(self, emails: list[str]) -> dict[str, list[Customer]]:
        """The customers with each address (lower case), for addresses without a member."""
        ...


class ShopifyDirectory:
    """Looks customers up through the shop's Admin GraphQL API."""

    def __init__(self, client: ShopifyClient, shop: str, access_token: Callable[[str], str]):
        self.client = client
        self.shop = shop
        self.access_token = access_token

    def _query(self, query: str, variables: dict[str, str]) -> dict[str, Any]:
        return self.client.graphql(self.shop, self.access_token(self.shop), query, variables)

    def by_id(self, customer_id: int) -> Customer | None:
        data = self._query(BY_ID, {"id": f"gid://shopify/Customer/{customer_id}"})
        node = data.get("customer")
        return None if node is None else _customer(node)

    def by_emails(self, emails: list[str]) -> dict[str, list[Customer]]:
        """Ask in batches joined by ``OR`` (Shopify's search syntax), one address at a time
        for a batch whose answer does not fit one page."""
        found: dict[str, list[Customer]] = {e: [] for e in emails}
        for start in range(0, len(emails), EMAIL_BATCH):
            batch = emails[start : start + EMAIL_BATCH]
            customers, complete = self._search(batch)
            if not complete:
                customers = [c for email in batch for c in self._search([email])[0]]
            for customer in customers:
                key = (customer.email or "").casefold()
                # Search terms may match loosely; only the same address is this customer.
                if key in found and customer not in found[key]:
                    found[key].append(customer)
        return found

    def _search(self, emails: list[str]) -> tuple[list[Customer], bool]:
        # Emails were checked to hold no quotes or spaces, so a term cannot break out.
        query = " OR ".join(f'email:"{email}"' for email in emails)
        connection = self._query(BY_EMAIL, {"query": query}).get("customers") or {}
        nodes = connection.get("nodes") or []
        more = bool((connection.get("pageInfo") or {}).get("hasNextPage"))
        return [_customer(n) for n in nodes], not more


def _customer(node: dict[str, Any]) -> Customer:
    address = (node.get("defaultEmailAddress") or {}).get("emailAddress")
    return Customer(
        customer_id=int(node["legacyResourceId"]),
        email=address,
        first_name=node.get("firstName"),
        last_name=node.get("lastName"),
    )


@dataclass
class Resolved:
    """The customer a row was matched to (``customer``) or why not (``error``)."""

    customer: Customer | None = None
    error: RowError | None = None


UNKNOWN_ID = RowError("unknown_customer", "No customer with this id in the shop.")
UNKNOWN_EMAIL = RowError("unknown_customer", "No customer with this email in the shop.")
AMBIGUOUS = RowError("ambiguous_email", "Several customers have this email; use the customer id.")


def resolve(
    sessions: sessionmaker[Session],
    shop_id: int,
    rows: Iterable[Row],
    directory: Directory,
    progress: Callable[[int], None] | None = None,
) -> dict[int, Resolved]:
    """Match each valid row to a customer; ``{line: Resolved}``. Asks Shopify once per identity.

    ``progress(n)`` reports how far matching has come, as a count of rows out of the valid ones
    (it may repeat or lag a value already reported).
    """
    wanted = [r for r in rows if r.error is None]
    ids = {r.customer_id for r in wanted if r.customer_id is not None}
    emails = {r.email for r in wanted if r.customer_id is None and r.email}
    with sessions() as session:
        known_ids = _members_by_id(session, shop_id, ids)
        known_emails = _members_by_email(session, shop_id, emails)
    unknown = sorted(
        {r.email for r in wanted if r.customer_id is None and r.email}
        - {e for e, ids in known_emails.items() if ids}
    )
    by_email: dict[str, list[Customer]] = {}
    for start in range(0, len(unknown), LOOKUP_SLICE):
        by_email.update(directory.by_emails(unknown[start : start + LOOKUP_SLICE]))
        if progress is not None:
            # Asking Shopify is most of the matching's time: report it as it goes.
            asked_so_far = min(start + LOOKUP_SLICE, len(unknown))
            progress(len(wanted) * asked_so_far // len(unknown))
    asked: dict[int, Resolved] = {}
    result: dict[int, Resolved] = {}
    for done, row in enumerate(wanted, 1):
        if progress is not None and done % 50 == 0:
            progress(done)
        if row.customer_id is not None:
            if row.customer_id in known_ids:
                result[row.line] = Resolved(Customer(row.customer_id))
                continue
            if row.customer_id not in asked:
                found = directory.by_id(row.customer_id)
                asked[row.customer_id] = Resolved(found) if found else Resolved(error=UNKNOWN_ID)
            result[row.line] = asked[row.customer_id]
            continue
        assert row.email is not None
        local = known_emails.get(row.email, [])
        matches = [Customer(c) for c in local] or by_email.get(row.email, [])
        if not matches:
            result[row.line] = Resolved(error=UNKNOWN_EMAIL)
        elif len(matches) > 1:
            result[row.line] = Resolved(error=AMBIGUOUS)
        else:
            result[row.line] = Resolved(matches[0])
    return result


def _members_by_id(session: Session, shop_id: int, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        found.update(
            session.scalars(
                select(Member.customer_id).where(
                    Member.shop_id == shop_id,
                    Member.customer_id.in_(ordered[start : start + CHUNK]),
                )
            )
        )
    return found


def _members_by_email(session: Session, shop_id: int, emails: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), CHUNK):
        query = select(
            func.lower(Member.email), Member.customer_id
        ).where(
            Member.shop_id == shop_id,
            Member.customer_id > 0,  # members who left keep a negative, detached id
            func.lower(Member.email).in_(ordered[start : start + CHUNK]),
        )
        for email, customer_id in session.execute(query):
            found.setdefault(email, []).append(int(customer_id))
    return found
