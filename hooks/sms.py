"""The SMS providers' reports: Twilio's status callbacks, Sveve's delivery reports.

- ``POST /hooks/twilio/{secret}/status/{message_id}``: the ``StatusCallback`` Klubb gives with
  each message (loyalty.campaigns.sending). Verified by ``X-Twilio-Signature`` over the URL as
  Klubb gave it (``APP_URL`` and the path, whatever host a proxy forwarded it as) and the form
  parameters, with the shop's auth token: a missing or wrong signature is 403. Answered 204.
- ``GET|POST /hooks/sveve/{secret}/dlr``: the delivery report URL the merchant gives Sveve
  (Sveve signs nothing, so the secret is the whole check). Answered 200 ``OK``; anything else
  makes Sveve try again (after 5 s, 15 s, … up to 4 h).

An unknown secret is 404. Nothing is written before these checks pass. A report withdrawing
a member's SMS consent (Twilio's 21610) queues the consent's push to Shopify.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from errors import json_error
from jobs.shopify_sync import enqueue_consent_push
from loyalty.campaigns import reports
from loyalty.campaigns.credentials import hook_target
from loyalty.campaigns.providers.twilio import NAME as TWILIO
from loyalty.campaigns.providers.twilio import valid_twilio_signature
from loyalty.core.ids import id_from_text
from runtime import Runtime, current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("hooks", __name__, url_prefix="/hooks")

SIGNATURE_HEADER = "X-Twilio-Signature"


@bp.post("/twilio/<secret>/status/<message_id>")
def twilio_status(secret: str, message_id: str) -> Response:
    """A Twilio status callback about one of our messages."""
    rt = current_runtime()
    target = hook_target(rt.sessions, rt.token_cipher, secret)
    if target is None:
        log.warning("twilio callback refused: unknown secret")
        return json_error(404, "not_found", "No such callback.")
    url = rt.config.app_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    params = list(request.form.items(multi=True))
    token = target.secrets.get("auth_token") if target.provider == TWILIO else None
    if token is None or not valid_twilio_signature(
        url, params, request.headers.get(SIGNATURE_HEADER), token
    ):
        log.warning("twilio callback refused: bad or missing signature (shop %s)", target.shop_id)
        return json_error(403, "invalid_signature", "The request's signature is not valid.")
    parsed = id_from_text(message_id)
    outcome = (
        reports.twilio_status(rt.sessions, target.shop_id, parsed, request.form)
        if parsed is not None
        else reports.ReportOutcome(known=False)
    )
    _after(rt, outcome, "twilio", target.shop_id)
    return Response(status=204)


@bp.route("/sveve/<secret>/dlr", methods=["GET", "POST"])
def sveve_delivery(secret: str) -> Response:
    """A Sveve delivery report (its parameters in the query or a form)."""
    rt = current_runtime()
    target = hook_target(rt.sessions, rt.token_cipher, secret)
    if target is None:
        log.warning("sveve report refused: unknown secret")
        return json_error(404, "not_found", "No such callback.")
    outcome = reports.sveve_delivery(rt.sessions, target.shop_id, request.values)
    _after(rt, outcome, "sveve", target.shop_id)
    return Response("OK", status=200, mimetype="text/plain")


def _after(rt: Runtime, outcome: reports.ReportOutcome, provider: str, shop_id: int) -> None:
    if not outcome.known:
        log.info("%s report about an unknown message (shop %s)", provider, shop_id)
    if outcome.consent_event_id is not None:
        enqueue_consent_push(rt, outcome.consent_event_id)
