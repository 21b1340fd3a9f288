"""Fetching a member's name, email and phone from Shopify when no webhook will bring them.

A customer who joins in the widget after leaving the club comes back as a new member row with
nothing but a customer id: leaving detached and blanked the old row, and Shopify sends no
``customers/create`` for a customer it already has. Without this the member list showed such a
member as "(no name)" beside the erased row of her earlier membership. :func:`refresh_profile`
reads the customer once (``customer(id:)``) and copies the fields ``customers/update`` would
copy, under the same rule: a copy newer than Shopify's ``updatedAt`` is kept.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Member, MemberStatus, Shop
from loyalty.core.payloads import parse_time
from loyalty.members.enrolment import copy_customer_fields
from loyalty.rewards.discount_codes import AccessToken
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.member_sync import customer_gid, run_graphql

log = logging.getLogger(__name__)

PROFILE = """
query KlubbCustomerProfile($id: ID!) {
  customer(id: $id) {
    firstName
    lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
    updatedAt
  }
}
"""


def refresh_profile(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    member_id: int,
) -> str:
    """Copy the customer's name, email and phone onto the member; an outcome word to log."""
    with sessions() as s:
        row = s.execute(
            select(Member.customer_id, Member.status, Shop.domain)
            .join(Shop, Shop.id == Member.shop_id)
            .where(Member.id == member_id)
        ).one_or_none()
    if row is None or row.status == MemberStatus.ANONYMISED or row.customer_id <= 0:
        return "not a member any more"
    data = run_graphql(
        client, access_token, row.domain, PROFILE, {"id": customer_gid(row.customer_id)}
    )
    if data is None:
        return "shop not installed"
    customer = data.get("customer")
    if not customer:
        return "no such customer"
    with sessions.begin() as s:
        return _apply(s, member_id, customer)


def _apply(s: Session, member_id: int, customer: dict[str, Any]) -> str:
    member = s.scalars(select(Member).where(Member.id == member_id).with_for_update()).first()
    if member is None or member.status == MemberStatus.ANONYMISED or member.customer_id <= 0:
        return "not a member any more"
    values = {
        "first_name": customer.get("firstName"),
        "last_name": customer.get("lastName"),
        "email": (customer.get("defaultEmailAddress") or {}).get("emailAddress"),
        "phone": (customer.get("defaultPhoneNumber") or {}).get("phoneNumber"),
    }
    copied = copy_customer_fields(member, values, parse_time(customer.get("updatedAt")))
    return "refreshed" if copied else "already newer"
