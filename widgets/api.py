"""The widget's JSON API under ``/proxy/api`` (DESIGN.md, HTTP), and the proxy's OpenAPI document.

Every app-proxy view is declared through :data:`proxy_api` (or a registry made from it with
:meth:`openapi.ApiRegistry.on`), so ``GET /api/openapi/proxy.json`` describes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify

from loyalty.members.storefront import member_summary
from loyalty.shopify.signatures import TIMESTAMP_TOLERANCE
from openapi import (
    JSON,
    LOCALE,
    Answer,
    ApiDocument,
    ApiRegistry,
    ErrorAnswer,
    Header,
    Param,
    Security,
    register_document_route,
)
from runtime import current_runtime
from widgets.idempotency import MAX_KEY_LENGTH
from widgets.proxy_auth import no_store, proxy_request
from widgets.ratelimit import rate_limited
from widgets.schemas import SCHEMAS

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("widget_api", __name__, url_prefix="/proxy/api")
bp.after_request(no_store)
docs_bp = Blueprint("proxy_openapi", __name__)
docs_bp.after_request(no_store)

SIGNATURE = "appProxySignature"
proxy_api = ApiRegistry(
    bp,
    prefix="/proxy/api",
    document=ApiDocument(
        title="Klubb storefront (app proxy) API",
        version="1",
        description=(
            "The storefront widget's API. Shopify's app proxy forwards "
            "`https://{shop}/apps/klubb/…` to the app's `/proxy/…`, so the paths here are the "
            "app's: through the shop, `/proxy` is the proxy's path prefix (`/apps/klubb`). "
            "The shopper is whoever Shopify signed as `logged_in_customer_id`, never a "
            "parameter or a body. Calls that change something take a JSON object body and an "
            "`Idempotency-Key` header (the same key within a day gets the first answer "
            "again). No text may hold a NUL character (422). Nothing is cached "
            "(`Cache-Control: private, no-store`)."
        ),
        security=Security(
            name=SIGNATURE,
            scheme={
                "type": "apiKey",
                "in": "query",
                "name": "signature",
                "description": (
                    "Shopify adds `shop`, `logged_in_customer_id` (empty for guests), "
                    "`path_prefix`, `timestamp` and `signature` to every request it forwards: "
                    "`signature` is the hex HMAC-SHA256, with the app's secret, of every other "
                    "query parameter as `key=value` (a repeated key's values joined with `,`), "
                    "sorted and joined with nothing. A `timestamp` more than "
                    f"{TIMESTAMP_TOLERANCE} seconds away from the app's clock is refused."
                ),
            },
            errors=(
                ErrorAnswer(
                    400,
                    "`invalid_shop`: `shop` is not a shop domain; `invalid_customer`: "
                    "`logged_in_customer_id` is not a number.",
                ),
                ErrorAnswer(
                    401,
                    "`invalid_signature` or `stale_request`: not signed by Shopify, or too old.",
                ),
                ErrorAnswer(404, "`shop_not_installed`: Klubb is not installed on the shop."),
                ErrorAnswer(
                    429,
                    "`rate_limited`: too many requests from this shopper or shop.",
                    headers=(Header("Retry-After", "Seconds to wait."),),
                ),
                ErrorAnswer(503, ""),
            ),
        ),
        query=(LOCALE,),
        headers=(Header("Cache-Control", "`private, no-store`.", required=True),),
        schemas=dict(SCHEMAS),
    ),
)
docs_api = proxy_api.on(docs_bp, "")

IDEMPOTENCY_KEY = Param(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
    "Any text unique to this action; a retry with the same key gets the first answer.",
    required=True,
)
REPLAYED = (("Idempotent-Replayed", "`true`: the answer given to this key before, again."),)
_READ_NOTES = {
    401: "`sign_in_required`: the shopper is a guest; or `invalid_signature`, `stale_request`.",
    404: "`not_a_member`: the shopper is not a member of this shop's club; or "
    "`shop_not_installed`.",
}
_CHANGE_NOTES = {
    400: "`idempotency_key_required`; `invalid_json` or `invalid_body`: the body is not a JSON "
    "object; or `invalid_shop`, `invalid_customer`.",
    403: "`forbidden_customer`: the body names another customer.",
    409: "`request_in_progress`: a request with the same key is still running; try again.",
    415: "The body is not `application/json`.",
}


def member_route(
    registry: ApiRegistry,
    rule: str,
    method: str,
    *,
    summary: str,
    response: str,
    request: str | None = None,
    description: str = "",
    answers: tuple[Answer, ...] = (),
    errors: tuple[int, ...] = (),
    error_notes: Mapping[int, str] | None = None,
    media_types: tuple[str, ...] = (JSON,),
    path: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Declare a call of the signed-in shopper: a read, or (with ``request``) a change with a
    JSON body and an ``Idempotency-Key`` (:func:`widgets.bodies.json_body`,
    :func:`widgets.idempotency.idempotent`)."""
    notes = {**_READ_NOTES, **(_CHANGE_NOTES if request else {}), **(error_notes or {})}
    return registry.route(
        rule,
        method,
        summary=summary,
        response=response,
        request=request,
        description=description,
        answers=answers or ((Answer(200, "OK", headers=REPLAYED),) if request else ()),
        errors=(401, 404, *((400, 403, 409, 422) if request else ()), *errors),
        error_notes=notes,
        media_types=media_types,
        path=path,
        headers=(IDEMPOTENCY_KEY,) if request else (),
    )


@proxy_api.route(
    "/member",
    "GET",
    summary="The program, the rewards, and the shopper's balance",
    response="MemberSummary",
    description="For guests and non-members too (`points_balance` null).",
)
@proxy_request
@rate_limited
def member() -> Response:
    """The program, the rewards, and the signed-in shopper's balance (null for guests)."""
    shopper = g.shopper
    return jsonify(member_summary(current_runtime().sessions, shopper.shop_id, shopper.customer_id))


register_document_route(docs_api, "/api/openapi/proxy.json")
