"""Telling Shopify what a member changed in the widget: consent, Klubb-owned fields, leaving.

- :func:`push_consent` (a ConsentEvent): ``customerEmailMarketingConsentUpdate`` or
  ``customerSmsMarketingConsentUpdate`` with the change's state and time. A newer change of the
  same channel supersedes it (its own push sends the newer state), so pushes running out of
  order never leave Shopify with an older choice.
- :func:`sync_member_fields` (shop id, customer id): the Klubb-owned fields Shopify asks apps to
  keep on the customer when they are collected on the storefront — ``birthday`` (``date``),
  ``preferred_name`` and ``language`` (``single_line_text_field``) in the app's reserved
  namespace ``$app:loyalty`` — set from the member's current values, and deleted when a value
  is empty; and the member tag of :mod:`loyalty.shopify.metafields`, on while the member is
  active and off while restricted (GDPR Art. 18: so the merchant's tag-based marketing segments
  leave them out). When the customer is no longer a member (they left, or were anonymised) everything
  Klubb put on the customer goes: those fields, the balance metafield and the member tag of
  :mod:`loyalty.shopify.metafields`. It reads the state when it runs (the job holds a
  per-customer lock around it), so it is idempotent and order-free.

Each clears the "push pending" marker it acted on (:mod:`loyalty.shopify.pending_pushes`), so a
second copy of a job finds nothing left to do and makes no call. Shopify's refusals that a retry
cannot fix (``userErrors``, a shop that is no longer installed) end with a log line naming the
codes; unavailability, throttling and token failures raise, so the job is retried. No value is
ever logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import ConsentEvent, Member, MemberStatus, Shop
from loyalty.rewards.discount_codes import AccessToken
from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.metafields import ADD_TAGS, MEMBER_TAG, REMOVE_TAGS
from loyalty.shopify.metafields import KEY as BALANCE_KEY
from loyalty.shopify.shops import ShopNotInstalled, TokenUnavailable

log = logging.getLogger(__name__)

NAMESPACE = "$app:loyalty"
FIELD_TYPES = {
    "birthday": "date",
    "preferred_name": "single_line_text_field",
    "language": "single_line_text_field",
}
OPT_IN_LEVEL = "SINGLE_OPT_IN"

EMAIL_CONSENT = """
mutation KlubbEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}
"""
SMS_CONSENT = """
mutation KlubbSmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}
"""
SET_FIELDS = """
mutation KlubbMemberFields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field code message }
  }
}
"""
DELETE_FIELDS = """
mutation KlubbMemberFieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { key }
    userErrors { field message }
  }
}
"""
CONSENT_CALLS = {
    "email": (EMAIL_CONSENT, "customerEmailMarketingConsentUpdate", "emailMarketingConsent"),
    "sms": (SMS_CONSENT, "customerSmsMarketingConsentUpdate", "smsMarketingConsent"),
}


def customer_gid(customer_id: int) -> str:
    """The Admin API id of a customer."""
    return f"gid://shopify/Customer/{customer_id}"


def push_consent(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    consent_event_id: int,
) -> str:
    """Push one consent change to Shopify, unless a newer change of that channel exists.

    Only while the event's push is pending, so copies of the job push it once (the job holds a
    per-event lock); every outcome but a retryable failure clears the pending marker.
    """
    outcome = _push_consent(sessions, client, access_token, consent_event_id)
    if outcome != "already pushed":
        with sessions.begin() as s:
            s.execute(
                update(ConsentEvent)
                .where(ConsentEvent.id == consent_event_id)
                .values(push_pending_since=None)
            )
    return outcome


def _push_consent(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    consent_event_id: int,
) -> str:
    with sessions() as s:
        row = s.execute(
            select(ConsentEvent, Member.customer_id, Shop.domain)
            .join(Member, Member.id == ConsentEvent.member_id)
            .join(Shop, Shop.id == ConsentEvent.shop_id)
            .where(ConsentEvent.id == consent_event_id)
        ).one_or_none()
        if row is None:
            return "gone"
        event, customer_id, domain = row
        if event.push_pending_since is None:
            return "already pushed"
        newest = s.scalar(
            select(ConsentEvent.id)
            .where(
                ConsentEvent.member_id == event.member_id,
                ConsentEvent.channel == event.channel,
            )
            .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
            .limit(1)
        )
    if newest != event.id:
        return "superseded"
    if customer_id <= 0:
        return "not a member any more"  # detached by leaving: nobody to address
    query, field, consent_key = CONSENT_CALLS[event.channel]
    variables = {
        "input": {
            "customerId": customer_gid(customer_id),
            consent_key: {
                "marketingState": "SUBSCRIBED" if event.granted else "UNSUBSCRIBED",
                "marketingOptInLevel": OPT_IN_LEVEL,
                "consentUpdatedAt": event.created_at.isoformat(),
            },
        }
    }
    data = run_graphql(client, access_token, domain, query, variables)
    if data is None:
        return "shop not installed"
    errors = (data.get(field) or {}).get("userErrors") or []
    if errors:
        log.warning("consent event %s: Shopify refused (%s)", consent_event_id, _codes(errors))
        return "refused"
    log.info("consent event %s pushed to Shopify", consent_event_id)
    return "pushed"


def sync_member_fields(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    shop_id: int,
    customer_id: int,
) -> str:
    """Mirror the member's Klubb-owned fields into the customer's ``$app:loyalty`` metafields,
    and the member tag as the member's status says (on while active, off while restricted).

    For a member, only while a push is pending (``fields_push_pending_since``): the marker read
    is cleared afterwards unless a newer change set it again meanwhile. For a customer who is no
    longer a member, everything Klubb wrote is removed (no marker: leaving detaches the row).
    """
    with sessions() as s:
        domain = s.scalar(select(Shop.domain).where(Shop.id == shop_id))
        member = s.scalars(
            select(Member).where(
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
                Member.status != MemberStatus.ANONYMISED,
            )
        ).one_or_none()
        values: dict[str, str | None] = {name: None for name in FIELD_TYPES}
        pending: datetime | None = None
        tagged = False
        if member is not None:
            pending = member.fields_push_pending_since
            if pending is None:
                return "already synced"
            values = {
                "birthday": member.birthday.isoformat() if member.birthday else None,
                "preferred_name": member.preferred_name,
                "language": member.language,
            }
            tagged = member.status == MemberStatus.ACTIVE
    if domain is None:
        outcome = "shop gone"
    else:
        outcome = write_fields(
            client, access_token, domain, customer_id, values, member is not None, tagged
        )
    if member is not None:  # compare-and-clear: a newer change keeps its marker
        with sessions.begin() as s:
            s.execute(
                update(Member)
                .where(Member.id == member.id, Member.fields_push_pending_since == pending)
                .values(fields_push_pending_since=None)
            )
    return outcome


def write_fields(
    client: ShopifyClient,
    access_token: AccessToken,
    domain: str,
    customer_id: int,
    values: dict[str, str | None],
    is_member: bool,
    tagged: bool = False,
) -> str:
    """Write the customer's fields: set the non-empty ``values``, delete the empty ones; put the
    member tag on when ``tagged`` (an active member), take it off otherwise.

    For a customer who is not a member, the balance metafield goes too.
    Returns ``synced``, ``removed``, ``refused`` or ``shop not installed``.
    """
    owner = customer_gid(customer_id)
    to_set = [
        {"ownerId": owner, "namespace": NAMESPACE, "key": k, "type": FIELD_TYPES[k], "value": v}
        for k, v in values.items()
        if v
    ]
    gone = [k for k, v in values.items() if not v] + ([] if is_member else [BALANCE_KEY])
    to_delete = [{"ownerId": owner, "namespace": NAMESPACE, "key": k} for k in gone]
    calls: list[tuple[str, str, dict[str, Any]]] = []
    if to_set:
        calls.append((SET_FIELDS, "metafieldsSet", {"metafields": to_set}))
    calls.append((DELETE_FIELDS, "metafieldsDelete", {"metafields": to_delete}))
    tag_query, tag_field = (ADD_TAGS, "tagsAdd") if tagged else (REMOVE_TAGS, "tagsRemove")
    calls.append((tag_query, tag_field, {"id": owner, "tags": [MEMBER_TAG]}))
    outcome = "synced" if is_member else "removed"
    for query, field, variables in calls:
        if field == "metafieldsDelete" and not to_delete:
            continue
        data = run_graphql(client, access_token, domain, query, variables)
        if data is None:
            return "shop not installed"
        errors = (data.get(field) or {}).get("userErrors") or []
        if errors:
            log.warning("member fields (%s): Shopify refused (%s)", field, _codes(errors))
            outcome = "refused"
    return outcome


def run_graphql(
    client: ShopifyClient,
    access_token: AccessToken,
    domain: str,
    query: str,
    variables: dict[str, Any],
) -> dict[str, Any] | None:
    """Run a query or mutation for the shop; None when it has no usable installation any more."""
    try:
        token = access_token(domain)
    except (ShopNotInstalled, TokenUnavailable) as err:
        log.warning("shopify sync for %s skipped: %s", domain, err.code)
        return None
    return client.graphql(domain, token, query, variables)


def _codes(errors: list[dict[str, Any]]) -> str:
    """userErrors as their codes and field paths (their messages may echo values)."""
    return ", ".join(f"{e.get('code') or 'error'}@{'.'.join(e.get('field') or [])}" for e in errors)
