"""The backfill's bulk queries: what they ask Shopify, starting and polling them, their files.

Both phases come from Shopify bulk query operations (``bulkOperationRunQuery``), one phase after
the other (customers, then orders: one bulk query per shop at a time); their results are JSONL
files, read as a stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import requests

from loyalty.core.errors import LoyaltyError
from loyalty.core.payloads import read_body

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


class BulkQueryRefused(LoyaltyError):
    """Shopify refused the bulk query (its user errors' codes in ``codes``)."""

    code = "bulk_query_refused"

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes) or "refused")
        self.codes = codes


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
            value = read_body(raw)
            if isinstance(value, dict):
                yield value
