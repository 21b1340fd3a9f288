"""What a member may send to the self-service API, checked before anything is read or written.

The shopper is whoever Shopify signed as ``logged_in_customer_id``; a body never chooses whose
membership is acted on. A body that names a customer anyway is accepted only when it names the
signed-in one (the key is then dropped); naming anyone else is :class:`ForeignCustomer` (403).

Fields are split by owner: Klubb holds ``birthday``, ``preferred_name`` and ``language`` and
the member may correct them here; Shopify holds ``email``, ``phone``, ``first_name`` and
``last_name``, which are edited in the Shopify customer account (:class:`ShopifyOwnedFields`).

Errors (all rooted in :class:`loyalty.core.errors.LoyaltyError`)::

    SelfServiceError
    └── ForeignCustomer          the body names another customer (HTTP 403)
    NotFound
    └── NotAMember               the signed-in customer has no membership in this shop (404)
    ValidationError              (HTTP 422)
    ├── ShopifyOwnedFields       the body tries to change a field Shopify holds
    └── ConfirmationRequired     leaving without ``{"confirm": "LEAVE"}``
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from loyalty.core.errors import LoyaltyError, NotFound, ValidationError

EDITABLE_FIELDS = ("birthday", "preferred_name", "language")
SHOPIFY_OWNED_FIELDS = ("email", "phone", "first_name", "last_name")
CONSENT_CHANNELS = ("email", "sms")
LANGUAGES = ("nb", "en")
PREFERRED_NAME_MAX = 60
OLDEST_BIRTHDAY = date(1900, 1, 1)
LEAVE_CONFIRMATION = "LEAVE"
CUSTOMER_KEYS = ("customer_id", "customerId", "customer", "logged_in_customer_id", "member_id")
EDIT_IN_SHOPIFY = "Edited in your Shopify customer account, not here."

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bidirectional overrides and isolates: they make a name display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


class SelfServiceError(LoyaltyError):
    """Base of the self-service API's own refusals."""

    code = "self_service_error"


class ForeignCustomer(SelfServiceError):
    """The body names a customer other than the signed-in one."""

    code = "forbidden_customer"


class NotAMember(NotFound):
    """The signed-in customer is not a member of this shop (never joined, left, anonymised)."""

    code = "not_a_member"


class ShopifyOwnedFields(ValidationError):
    """The body tries to change fields that Shopify holds (edited in the customer account)."""

    code = "edit_in_shopify_account"


class ConfirmationRequired(ValidationError):
    """Leaving needs ``{"confirm": "LEAVE"}``: the answer to "are you sure?"."""

    code = "confirmation_required"


def without_customer_claims(body: Mapping[str, Any], customer_id: int) -> dict[str, Any]:
    """The body minus keys naming the signed-in customer; ForeignCustomer if one names another."""
    rest = dict(body)
    for key in CUSTOMER_KEYS:
        if key not in rest:
            continue
        claimed = rest.pop(key)
        if isinstance(claimed, Mapping):
            claimed = claimed.get("id")
        if key == "member_id" or str(claimed).rsplit("/", 1)[-1] != str(customer_id):
            raise ForeignCustomer("You can only see and change your own membership.")
    return rest


def parse_profile_changes(body: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The Klubb-owned fields to set (None clears one); ValidationError names every bad field."""
    owned = {k: EDIT_IN_SHOPIFY for k in body if k in SHOPIFY_OWNED_FIELDS}
    if owned:
        raise ShopifyOwnedFields(
            owned, "Email, phone and name are edited in your Shopify customer account."
        )
    problems = {k: "Not a field you can change." for k in body if k not in EDITABLE_FIELDS}
    if not body:
        problems["body"] = "Send at least one of: " + ", ".join(EDITABLE_FIELDS) + "."
    changes: dict[str, Any] = {}
    parsers = {"birthday": _birthday, "preferred_name": _preferred_name, "language": _language}
    for name, parse in parsers.items():
        if name not in body:
            continue
        try:
            changes[name] = parse(body[name], today)
        except ValueError as err:
            problems[name] = str(err)
    if problems:
        raise ValidationError(problems)
    return changes


def parse_consents(body: Mapping[str, Any]) -> dict[str, bool]:
    """``{"email": bool, "sms": bool}`` (either or both) as the consents wanted."""
    problems = {k: "Not a consent channel." for k in body if k not in CONSENT_CHANNELS}
    wanted: dict[str, bool] = {}
    for channel in CONSENT_CHANNELS:
        if channel not in body:
            continue
        if not isinstance(body[channel], bool):
            problems[channel] = "true or false."
        else:
            wanted[channel] = body[channel]
    if not body:
        problems["body"] = 'Send {"email": true|false, "sms": true|false}.'
    if problems:
        raise ValidationError(problems)
    return wanted


def check_empty(body: Mapping[str, Any]) -> None:
    """Calls that take no fields (the restriction) refuse any they are sent."""
    if body:
        raise ValidationError({k: "This call takes no fields." for k in body})


def check_leave_confirmation(body: Mapping[str, Any]) -> None:
    """Leaving is confirmed by ``{"confirm": "LEAVE"}`` and nothing else."""
    problems = {k: "Not a field of this call." for k in body if k != "confirm"}
    if problems:
        raise ValidationError(problems)
    if body.get("confirm") != LEAVE_CONFIRMATION:
        raise ConfirmationRequired(
            {"confirm": f'Send "{LEAVE_CONFIRMATION}" to confirm.'},
            "Leaving the club forfeits your points and erases your membership: "
            f'confirm with {{"confirm": "{LEAVE_CONFIRMATION}"}}.',
        )


def _birthday(value: Any, today: date) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("A date as YYYY-MM-DD.")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("Not a date in the calendar.") from None
    if not OLDEST_BIRTHDAY <= parsed <= today:
        raise ValueError(f"A date between {OLDEST_BIRTHDAY.isoformat()} and today.")
    return parsed


def _preferred_name(value: Any, _today: date) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("Text, or null to remove it.")
    name = unicodedata.normalize("NFC", value).strip()
    if len(name) > PREFERRED_NAME_MAX:
        raise ValueError(f"At most {PREFERRED_NAME_MAX} characters.")
    if any(c in _BIDI_CONTROLS or unicodedata.category(c) in _REFUSED_CATEGORIES for c in name):
        raise ValueError("Letters, spaces and punctuation only (no control characters).")
    return name or None


def _language(value: Any, _today: date) -> str | None:
    if value is None:
        return None
    if value not in LANGUAGES:
        raise ValueError("One of: " + ", ".join(LANGUAGES) + ".")
    return str(value)
