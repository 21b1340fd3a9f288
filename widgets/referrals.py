"""Referral sign-ups through the app proxy: ``POST /proxy/api/referrals``.

Like the widget's other changes it takes a JSON object body and an ``Idempotency-Key``. The
storefront embed keeps the ``?ref=`` a visitor arrived with; the widget's guest view shows
the offer and sends the friend's email with their consent to the terms shown. The sign-up
(:mod:`loyalty.club.referral_signup`) finds or creates the customer in Shopify and answers the
friend's one-use code. Behind the app proxy every request comes from Shopify's addresses, so
the limits are keyed by the referral code (:data:`PER_CODE` a minute) and by the friend's
email (:data:`PER_EMAIL`, hashed: no address in Redis), besides the shop's own limit.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, jsonify

from loyalty.club.referral_codes import email_key, normalise_code
from loyalty.club.referral_signup import sign_up_friend
from openapi import Answer
from runtime import current_runtime, shop_access_token, shopify_client
from widgets.api import IDEMPOTENCY_KEY, REPLAYED, proxy_api
from widgets.bodies import json_body
from widgets.idempotency import idempotent
from widgets.proxy_auth import no_store, proxy_request
from widgets.ratelimit import keyed_limit, rate_limited

bp = Blueprint("widget_referrals", __name__, url_prefix="/proxy/api")
bp.after_request(no_store)
referral_api = proxy_api.on(bp, "/proxy/api")

PER_CODE = 10
PER_EMAIL = 3


def _limited(body: dict[str, Any]) -> Response | None:
    """The 429 answer if the code or the email was used too often this minute."""
    shop_id = g.shopper.shop_id
    code = normalise_code(body.get("code"))
    if code is not None:
        refusal = keyed_limit("referral-code", f"{shop_id}:{code}", PER_CODE)
        if refusal is not None:
            return refusal
    email = body.get("email")
    if isinstance(email, str) and email.strip():
        digest = hashlib.sha256(f"{shop_id}:{email_key(email)}".encode()).hexdigest()[:32]
        return keyed_limit("referral-email", digest, PER_EMAIL)
    return None


def limited_by_code_and_email(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count the sign-up against its referral code and email (:func:`_limited`); goes under
    :func:`widgets.bodies.json_body`, which sets ``g.body``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refusal = _limited(g.body)
        return refusal if refusal is not None else view(*args, **kwargs)

    return wrapper


@referral_api.route(
    "/referrals",
    "POST",
    summary="A friend signs up through a referral link and gets a first-order code",
    request="ReferralSignup",
    response="FriendCode",
    description="For guests (the friend has no account yet) and signed-in shoppers alike. "
    "The app finds the customer with this email in Shopify, or creates one, and answers a "
    "one-use discount code for that customer's first order. The same email through the same "
    "link again gets the same code. Limited to "
    f"{PER_CODE} sign-ups a minute per referral code and {PER_EMAIL} per email address.",
    answers=(Answer(200, "The friend's code.", headers=REPLAYED),),
    headers=(IDEMPOTENCY_KEY,),
    errors=(400, 403, 409, 415, 422),
    error_notes={
        400: "`idempotency_key_required`; `invalid_json` or `invalid_body`; or `invalid_shop`, "
        "`invalid_customer`.",
        403: "`forbidden_customer`: the body names another customer.",
        409: "`request_in_progress`: a request with the same key is still running; try again.",
        422: "`validation_failed` (fields); or a guard, with the field it concerns: "
        "`unknown_referral_code` (not a code of this shop), `own_referral_link`, "
        "`self_referral`, `email_already_referred`, `not_a_new_customer` (the email's "
        "customer has ordered before), `referrals_off`.",
        429: "`rate_limited`: too many sign-ups with this code or email, or from this shop.",
    },
)
@proxy_request
@rate_limited
@json_body
@limited_by_code_and_email
@idempotent
def sign_up() -> Response:
    """Sign the friend up; their code."""
    body = g.body
    rt = current_runtime()
    # Shopify down: 503 (errors.py); a sign-up recorded without its code is finished by the
    # hourly job (jobs.referrals), and the same email through the same link is shown it.
    made = sign_up_friend(
        rt.sessions,
        shopify_client(),
        shop_access_token,
        g.shopper.shop_id,
        body,
        shopper=g.shopper.customer_id,
    )
    return jsonify(
        {
            "code": made.code,
            "percentage": made.percent,
            "ends_at": made.ends_at.isoformat() if made.ends_at else None,
        }
    )
