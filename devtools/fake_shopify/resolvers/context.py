"""What every resolver uses: the per-request context, scope checks, money and Relay
connections."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from ..clock import iso8601
from ..ids import cursor_id, opaque_cursor
from ..records import AccessToken
from ..state import FakeShop

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ..fake import FakeShopify

ACCESS_DOCS = "https://shopify.dev/api/usage/access-scopes"
MAX_PAGE = 250
INT_MAX = 2_147_483_647


@dataclass
class Context:
    """Per-request context handed to every resolver."""

    fake: FakeShopify
    shop: FakeShop
    token: AccessToken
    now: float
    scopes: set[str]
    connection_inner: dict[int, int] = field(default_factory=dict)
    savings: int = 0
    bulk: bool = False

    @property
    def app_namespace(self) -> str:
        """The app-reserved metafield namespace: ``app--<app id>``."""
        return f"app--{self.fake.app_id}"

    def resolve_namespace(self, namespace: str | None) -> str:
        """``$app`` / ``$app:x`` / omitted namespaces as Shopify resolves them."""
        return self.shop.resolve_namespace(namespace)


def ctx_of(info: GraphQLResolveInfo) -> Context:
    """The request context."""
    return info.context  # type: ignore[no-any-return]


def access_denied(field_name: str, scope: str) -> GraphQLError:
    """Shopify's ACCESS_DENIED error for a field that needs ``scope``."""
    return GraphQLError(
        f"Access denied for {field_name} field. Required access: `{scope}` access scope.",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": ACCESS_DOCS,
            "requiredAccess": f"`{scope}` access scope.",
        },
    )


def require(info: GraphQLResolveInfo, scope: str) -> None:
    """Raise ACCESS_DENIED unless the token has ``scope`` (``write_x`` implies ``read_x``)."""
    if scope not in ctx_of(info).scopes:
        raise access_denied(info.field_name, scope)


def decimal_text(value: Decimal) -> str:
    """Decimal as Shopify's GraphQL renders it: ``5.0``, ``12.5``, ``0.1``."""
    normalized = value.normalize()
    text = format(normalized, "f")
    if "." not in text:
        text += ".0"
    return text


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """A MoneyV2."""
    return {"amount": decimal_text(amount), "currencyCode": currency}


def iso_or_none(ts: float | None) -> str | None:
    """``ts`` as a DateTime, or None."""
    return None if ts is None else iso8601(ts)


# ---------------------------------------------------------------------------------------
# Connections


def connection(
    info: GraphQLResolveInfo,
    items: Iterable[Any],
    view: Callable[[Any], dict[str, Any]],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over ``items`` (ordered by their numeric ``id``)."""
    ctx = ctx_of(info)
    if not ctx.bulk:
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        for name, value in (("first", first), ("last", last)):
            if value is not None and (value < 0 or value > MAX_PAGE):
                raise GraphQLError(
                    f"The {name} argument must be between 0 and {MAX_PAGE}.",
                    extensions={"code": "BAD_REQUEST"},
                )
    seq = sorted(items, key=lambda x: x.id, reverse=reverse)
    if after and (pivot := cursor_id(after)) is not None:
        seq = [x for x in seq if (x.id < pivot if reverse else x.id > pivot)]
    if before and (pivot := cursor_id(before)) is not None:
        seq = [x for x in seq if (x.id > pivot if reverse else x.id < pivot)]
    has_next = has_prev = False
    if first is not None and not ctx.bulk:
        has_next = len(seq) > first
        page = seq[:first]
        requested = first
    elif last is not None and not ctx.bulk:
        has_prev = len(seq) > last
        page = seq[-last:] if last else []
        requested = last
    else:
        page = seq
        requested = len(seq)
    inner = ctx.connection_inner.get(id(info.field_nodes[0]), 0)
    ctx.savings += max(0, requested - len(page)) * inner
    edges = [{"cursor": opaque_cursor(x.id), "node": view(x)} for x in page]
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev or bool(after),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
