"""The member's balance in Shopify: a customer metafield and a member tag, for Liquid and Flow.

After a balance changes, a coalesced job (``webhooks.engine_jobs.sync_balance``) writes the
balance as it is *when the job runs* to the customer's ``$app:loyalty`` / ``points`` metafield
(``number_integer``) with ``metafieldsSet``, and adds the member tag with ``tagsAdd`` (tags are
a set in Shopify: adding twice is harmless). Because it reads the current balance rather than
carrying one, any number of changes coalesce into one write, and jobs running out of order
cannot leave an older balance behind (the job also holds a per-member lock across read and
write). No database transaction is open during the calls to Shopify; THROTTLED and 5xx are
retried by the client, then raised so RQ retries the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.discount_codes import AccessToken
from loyalty.models import Member, MemberStatus, Shop
from loyalty.shopify_client import ShopifyClient, ShopifyError

NAMESPACE = "$app:loyalty"
KEY = "points"
TYPE = "number_integer"
MEMBER_TAG = "klubb-member"

SET_BALANCE = """
mutation KlubbBalance($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field code message }
  }
}
"""
ADD_TAGS = """
mutation KlubbMemberTag($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    userErrors { field message }
  }
}
"""


class BalanceSyncRefused(ShopifyError):
    """Shopify answered the balance or tag mutation with userErrors (``codes``)."""

    code = "balance_sync_refused"


@dataclass(frozen=True)
class BalanceSnapshot:
    """What one sync writes: the member's customer, shop and balance at the time it is read."""

    shop_domain: str
    customer_id: int
    balance: int


def snapshot(sessions: sessionmaker[Session], member_id: int) -> BalanceSnapshot | None:
    """The member's current balance and where to write it; None if there is nobody to write to."""
    with sessions() as s:
        row = s.execute(
            select(Shop.domain, Member.customer_id, Member.points_balance, Member.status)
            .join(Shop, Shop.id == Member.shop_id)
            .where(Member.id == member_id)
        ).one_or_none()
    if row is None:
        return None
    domain, customer_id, balance, status = row
    if status == MemberStatus.ANONYMISED or customer_id <= 0:
        return None
    return BalanceSnapshot(domain, int(customer_id), int(balance))


def write_balance(client: ShopifyClient, access_token: AccessToken, snap: BalanceSnapshot) -> None:
    """Set the balance metafield and add the member tag; raises :class:`BalanceSyncRefused`."""
    owner = f"gid://shopify/Customer/{snap.customer_id}"
    token = access_token(snap.shop_domain)
    field = {"ownerId": owner, "namespace": NAMESPACE, "key": KEY, "type": TYPE}
    data = client.graphql(
        snap.shop_domain,
        token,
        SET_BALANCE,
        {"metafields": [{**field, "value": str(snap.balance)}]},
    )
    _raise_on_user_errors("metafieldsSet", data)
    data = client.graphql(snap.shop_domain, token, ADD_TAGS, {"id": owner, "tags": [MEMBER_TAG]})
    _raise_on_user_errors("tagsAdd", data)


def _raise_on_user_errors(name: str, data: dict[str, Any]) -> None:
    errors = (data.get(name) or {}).get("userErrors") or []
    if errors:
        codes = [str(e.get("code") or "error") for e in errors]
        raise BalanceSyncRefused(f"{name}: {', '.join(codes)}")
