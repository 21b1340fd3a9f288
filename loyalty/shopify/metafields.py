"""The member's balance in Shopify: a customer metafield and a member tag, for Liquid and Flow.

After a balance changes, a coalesced job (``jobs.engine.sync_balance``) writes the
balance as it is *when the job runs* to the customer's ``$app:loyalty`` / ``points`` metafield
(``number_integer``) with ``metafieldsSet``, and sets the member tag (tags are a set in Shopify:
adding or removing twice is harmless). Because it reads the current balance rather than
carrying one, any number of changes coalesce into one write, and jobs running out of order
cannot leave an older balance behind (the job also holds a per-member lock across read and
write). No database transaction is open during the calls to Shopify; THROTTLED and 5xx are
retried by the client, then raised so RQ retries the job.

The member tag (decision, no tiers yet): ``klubb-member`` is on a customer exactly while they are
an *active* member. A restricted member (GDPR Art. 18: no earning, no messages) keeps the
balance metafield but loses the tag, so a merchant's tag-based segments, Flow workflows and
emails leave them out; lifting the restriction puts it back. The restriction and its lifting
are pushed by ``loyalty.shopify.member_sync.sync_member_fields`` (durably: the change is marked
"push pending"), and every balance sync writes the tag as the status says too. Leaving the club,
retention's anonymisation and ``customers/redact`` remove the tag and Klubb's metafields
(``loyalty.shopify.member_sync.sync_member_fields``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, MemberStatus, Shop
from loyalty.rewards.discount_codes import AccessToken
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import ShopifyError

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
REMOVE_TAGS = """
mutation KlubbMemberTagOff($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    userErrors { field message }
  }
}
"""


class BalanceSyncRefused(ShopifyError):
    """Shopify answered the balance or tag mutation with userErrors (``codes``)."""

    code = "balance_sync_refused"


@dataclass(frozen=True)
class BalanceSnapshot:
    """What one sync writes: the member's customer, shop and balance at the time it is read;
    ``tagged`` is whether the member tag belongs on the customer (an active member)."""

    shop_domain: str
    customer_id: int
    balance: int
    tagged: bool = True

    @property
    def state(self) -> str:
        """What was last written, to skip a sync that would change nothing in Shopify."""
        return f"{self.balance}:{'member' if self.tagged else 'untagged'}"


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
    return BalanceSnapshot(
        domain, int(customer_id), int(balance), tagged=status == MemberStatus.ACTIVE
    )


def write_balance(client: ShopifyClient, access_token: AccessToken, snap: BalanceSnapshot) -> None:
    """Set the balance metafield and add (or take off) the member tag; raises
    :class:`BalanceSyncRefused`."""
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
    mutation, name = (ADD_TAGS, "tagsAdd") if snap.tagged else (REMOVE_TAGS, "tagsRemove")
    data = client.graphql(snap.shop_domain, token, mutation, {"id": owner, "tags": [MEMBER_TAG]})
    _raise_on_user_errors(name, data)


def _raise_on_user_errors(name: str, data: dict[str, Any]) -> None:
    errors = (data.get(name) or {}).get("userErrors") or []
    if errors:
        codes = [str(e.get("code") or "error") for e in errors]
        raise BalanceSyncRefused(f"{name}: {', '.join(codes)}")
