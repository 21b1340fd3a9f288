"""``customerCreate``: a new customer from ``CustomerInput``, refused as Shopify refuses it.

Shopify's rules as the fake keeps them: the token needs ``write_customers``; a customer needs
an email, a phone or a name ("Customer must have a name, phone number or email address"); an
email or phone another customer has is taken ("Email has already been taken", compared without
case); an email without one ``@`` and a dot in its domain is invalid ("Email is invalid"), and
so is a phone that is not ``+`` and 8 to 15 digits ("Phone is invalid"); a tag may be 255
characters. Errors are ``UserError``s (``field``, ``message``; no ``code`` on this payload).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLResolveInfo

from ..records import Consent, Customer
from .context import ctx_of, require
from .customers import customer_view

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+[0-9]{8,15}")


def _errors(shop_customers: list[Customer], data: dict[str, Any]) -> list[dict[str, Any]]:
    email, phone = data.get("email"), data.get("phone")
    errors: list[dict[str, Any]] = []
    if not (email or phone or data.get("firstName") or data.get("lastName")):
        return [
            {"field": None, "message": "Customer must have a name, phone number or email address"}
        ]
    if email is not None and not _EMAIL.fullmatch(email):
        errors.append({"field": ["email"], "message": "Email is invalid"})
    elif email and any((c.email or "").casefold() == email.casefold() for c in shop_customers):
        errors.append({"field": ["email"], "message": "Email has already been taken"})
    if phone is not None and not _PHONE.fullmatch(phone):
        errors.append({"field": ["phone"], "message": "Phone is invalid"})
    elif phone and any(c.phone == phone for c in shop_customers):
        errors.append({"field": ["phone"], "message": "Phone has already been taken"})
    if any(len(tag) > 255 for tag in data.get("tags") or []):
        errors.append(
            {"field": ["tags"], "message": "Tags is too long (maximum is 255 characters)"}
        )
    return errors


def customer_create(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    """Create the customer, or answer its userErrors with ``customer: null``."""
    require(info, "write_customers")
    ctx = ctx_of(info)
    shop = ctx.shop
    errors = _errors(list(shop.customers.values()), input)
    if errors:
        return {"customer": None, "userErrors": errors}
    gid = shop.add_customer(
        first_name=input.get("firstName"),
        last_name=input.get("lastName"),
        email=input.get("email"),
        phone=input.get("phone"),
        tags=[t.strip() for tag in input.get("tags") or [] for t in tag.split(",") if t.strip()],
        locale=input.get("locale"),
    )
    customer = shop.customers[gid]
    customer.note = input.get("note")
    consent = input.get("emailMarketingConsent")
    if consent is not None:
        customer.email_consent = Consent(
            state=consent["marketingState"],
            opt_in_level=consent.get("marketingOptInLevel"),
            updated_at=ctx.now,
        )
    return {"customer": customer_view(ctx, customer), "userErrors": []}
