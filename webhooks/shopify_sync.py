"""Jobs on the ``shopify`` queue that tell Shopify what a member changed in the widget.

- :func:`push_consent` (a ConsentEvent id): ``customerEmailMarketingConsentUpdate`` or
  ``customerSmsMarketingConsentUpdate`` with the change's state and time. A newer change of the
  same channel supersedes it (its own job pushes the newer state), so jobs running out of order
  never leave Shopify with an older choice.
- :func:`sync_member_fields` (shop id, customer id): the Klubb-owned fields Shopify asks apps to
  keep on the customer when they are collected on the storefront — ``birthday`` (``date``),
  ``preferred_name`` and ``language`` (``single_line_text_field``) in the app's reserved
  namespace ``$app:loyalty`` — set from the member's current values, and deleted when a value
  is empty. When the customer is no longer a member (they left, or were anonymised) everything
  Klubb put on the customer goes: those fields, the balance metafield and the member tag of
  :mod:`loyalty.metafields`. It reads the state when it runs, under a per-customer lock, so it
  is idempotent and order-free.

Jobs carry ids only. Shopify's refusals that a retry cannot fix (``userErrors``, a shop that is
no longer installed) end the job with a log line naming the codes; unavailability, throttling
and token failures raise, so RQ retries. No value is ever logged.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Retry
from sqlalchemy import select

from loyalty.metafields import KEY as BALANCE_KEY
from loyalty.metafields import MEMBER_TAG
from loyalty.models import ConsentEvent, Member, MemberStatus, Shop
from loyalty.shops import ShopNotInstalled, TokenUnavailable
from webhooks.worker import app_job

log = logging.getLogger(__name__)

QUEUE = "shopify"
RETRY = Retry(max=5, interval=[10, 60, 300, 1800, 3600])
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
REMOVE_TAG = """
mutation KlubbMemberTagRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
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


@app_job
def push_consent(consent_event_id: int) -> str:
    """Push one consent change to Shopify, unless a newer change of that channel exists."""
    from extensions import runtime

    rt = runtime()
    with rt.sessions() as s:
        row = s.execute(
            select(ConsentEvent, Member.customer_id, Shop.domain)
            .join(Member, Member.id == ConsentEvent.member_id)
            .join(Shop, Shop.id == ConsentEvent.shop_id)
            .where(ConsentEvent.id == consent_event_id)
        ).one_or_none()
        if row is None:
            return "gone"
        event, customer_id, domain = row
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
    data = _graphql(domain, query, variables)
    if data is None:
        return "shop not installed"
    errors = (data.get(field) or {}).get("userErrors") or []
    if errors:
        log.warning("consent event %s: Shopify refused (%s)", consent_event_id, _codes(errors))
        return "refused"
    log.info("consent event %s pushed to Shopify", consent_event_id)
    return "pushed"


@app_job
def sync_member_fields(shop_id: int, customer_id: int) -> str:
    """Mirror the member's Klubb-owned fields into the customer's ``$app:loyalty`` metafields."""
    from extensions import runtime

    rt = runtime()
    with rt.lock(f"member-fields:{shop_id}:{customer_id}"), rt.sessions() as s:
        domain = s.scalar(select(Shop.domain).where(Shop.id == shop_id))
        member = s.scalars(
            select(Member).where(
                Member.shop_id == shop_id,
                Member.customer_id == customer_id,
                Member.status != MemberStatus.ANONYMISED,
            )
        ).one_or_none()
        values: dict[str, str | None] = {name: None for name in FIELD_TYPES}
        if member is not None:
            values = {
                "birthday": member.birthday.isoformat() if member.birthday else None,
                "preferred_name": member.preferred_name,
                "language": member.language,
            }
        if domain is None:
            return "shop gone"
        return _write_fields(domain, customer_id, values, member is not None)


def _write_fields(
    domain: str, customer_id: int, values: dict[str, str | None], is_member: bool
) -> str:
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
    if not is_member:
        calls.append((REMOVE_TAG, "tagsRemove", {"id": owner, "tags": [MEMBER_TAG]}))
    outcome = "synced" if is_member else "removed"
    for query, field, variables in calls:
        if field == "metafieldsDelete" and not to_delete:
            continue
        data = _graphql(domain, query, variables)
        if data is None:
            return "shop not installed"
        errors = (data.get(field) or {}).get("userErrors") or []
        if errors:
            log.warning("member fields (%s): Shopify refused (%s)", field, _codes(errors))
            outcome = "refused"
    return outcome


def _graphql(domain: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
    """Run a mutation for the shop; None when it has no usable installation any more."""
    from admin.install import shop_access_token, shopify_client

    try:
        token = shop_access_token(domain)
    except (ShopNotInstalled, TokenUnavailable) as err:
        log.warning("shopify sync for %s skipped: %s", domain, err.code)
        return None
    return shopify_client().graphql(domain, token, query, variables)


def _codes(errors: list[dict[str, Any]]) -> str:
    """userErrors as their codes and field paths (their messages may echo values)."""
    return ", ".join(f"{e.get('code') or 'error'}@{'.'.join(e.get('field') or [])}" for e in errors)
