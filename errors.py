"""The JSON error shape every HTTP answer uses, and the app-wide error handlers.

``{"error": {"code": "...", "message": "...", "fields": {"name": "message"}}}`` with a 4xx
status (422 for validation), never a stack trace (DESIGN.md, "JSON conventions"). The messages
are in the request's language (:func:`translated`).

An unexpected error is logged by :func:`log_unexpected`: its type and stack frames, the method
and the path, never its message or the query string (see :mod:`loyalty.core.logs`). A streamed
answer (:func:`streamed`) fails the same way until its first chunk is ready; once its headers
are sent, a failure is logged the same way and the transfer is aborted.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from itertools import count
from typing import Any

from babel.numbers import format_decimal
from flask import Flask, Response, jsonify, request, stream_with_context
from flask_babel import gettext
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

from i18n import LANGUAGES, current_language
from loyalty.core.errors import LoyaltyError, NotFound, ValidationError
from loyalty.core.text import MESSAGE as UNSTORABLE
from loyalty.core.text import unstorable_field
from loyalty.shopify.errors import ShopifyError, ShopifyThrottled, ShopifyUnavailable

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:,\d{3})*")


def translated(message: str) -> str:
    """``message`` (English, from the domain or the app) in the request's language.

    The domain knows nothing of Flask, so its messages are English and are translated here, the
    one place every error answer passes: by the exact text, else with each number in it as a
    placeholder (``"At most 100 characters."`` is msgid ``"At most %(n1)s characters."``), the
    numbers then written the language's way. A message the catalogue lacks stays English.
    """
    if current_language() == LANGUAGES[0]:
        return message
    exact = gettext(message)
    if exact != message:
        return exact
    numbers = _NUMBER.findall(message)
    if not numbers:
        return message
    places = count(1)
    msgid = _NUMBER.sub(lambda _m: f"%(n{next(places)})s", message.replace("%", "%%"))
    found = gettext(msgid)
    if found == msgid:
        return message
    language = current_language()
    values = {
        f"n{i}": format_decimal(int(n.replace(",", "")), locale=language)
        for i, n in enumerate(numbers, 1)
    }
    return found % values


def json_error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> Response:
    """A JSON error response in the project's shape, its messages :func:`translated`."""
    body: dict[str, object] = {"code": code, "message": translated(message)}
    if fields:
        body["fields"] = {name: translated(text) for name, text in fields.items()}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def json_object_body(allow_empty: bool = False) -> dict[str, Any] | Response:
    """The request's JSON object body, or the 415/400/422 error response to send instead.

    ``allow_empty`` reads an empty body sent as JSON as ``{}`` (for calls whose body is
    optional); without a JSON content type even an empty body is refused. Text the database
    cannot store (a NUL character, a lone surrogate) anywhere in the body is refused here, for
    every JSON call at once, with 422 naming the top-level field that holds it.
    """
    if not request.is_json:
        return _unsupported()
    if allow_empty and not request.get_data():
        return {}
    try:
        body = request.get_json()
    except BadRequest:
        return json_error(400, "invalid_json", "The body is not valid JSON.")
    except RecursionError:  # Python's parser gives up on deep nesting (about 1,000 levels)
        return json_error(400, "invalid_json", "The body's JSON is nested too deeply.")
    if not isinstance(body, dict):
        return json_error(400, "invalid_body", "The body must be a JSON object.")
    field = unstorable_field(body.items())
    if field is not None:
        refused = ValidationError({field[:100]: UNSTORABLE})
        return json_error(422, refused.code, refused.message, refused.fields)
    return body


def _unsupported() -> Response:
    return json_error(415, "unsupported_media_type", "Send the body as application/json.")


def _wants_json() -> bool:
    return request.path.startswith(
        ("/api/", "/proxy/api/", "/webhooks", "/hooks/", "/healthz")
    ) or (request.accept_mimetypes.best == "application/json")


def refuse_unstorable_query() -> Response | None:
    """422 naming the query parameter that holds a NUL character, before any view reads it.

    The one check for query strings, as :func:`json_object_body` is for JSON bodies: a NUL
    reaching a statement (a member search, a filter) fails it on PostgreSQL. It only comes
    percent-encoded (``%00``), so a byte search keeps the check nearly free for every other
    request. Pages (not JSON) get a plain 400.
    """
    raw = request.query_string
    if b"%00" not in raw and b"\x00" not in raw:
        return None
    name = unstorable_field(request.args.items(multi=True))
    if name is None:
        return None
    if not _wants_json():
        raise BadRequest("A query parameter holds a character that cannot be stored.")
    refused = ValidationError({name[:100]: UNSTORABLE}, "Some query parameters are not valid.")
    return json_error(422, refused.code, refused.message, refused.fields)


def init_app(app: Flask) -> None:
    """Refuse unstorable query parameters; translate domain errors and HTTP errors into the
    JSON shape (or a plain page)."""
    app.before_request(refuse_unstorable_query)

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError) -> Response:
        return json_error(422, err.code, err.message, err.fields)

    @app.errorhandler(NotFound)
    def _not_found(err: NotFound) -> Response:
        return json_error(404, err.code, str(err) or "Not found.")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return err
        code = (err.name or "error").lower().replace(" ", "_")
        response = json_error(err.code or 500, code, err.description or err.name)
        # The exception's own headers (``Allow`` on a 405, ``Retry-After`` on a 429 or 503)
        # belong to the answer; only its body is replaced by the JSON shape.
        for name, value in err.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(ShopifyError)
    def _shopify(err: ShopifyError) -> Response:
        # Shopify failed us, not the caller: 502, and 503 when it may work again shortly.
        status = 503 if isinstance(err, ShopifyUnavailable | ShopifyThrottled) else 502
        log.warning("Shopify error %s on %s", type(err).__name__, request.path)
        response = json_error(status, "shopify_unavailable", "Shopify did not answer as expected.")
        if status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(RedisError)
    @app.errorhandler(OperationalError)
    def _unavailable(err: Exception) -> Response:
        # A server we depend on is down: nothing was done, and the caller may try again soon.
        log.error("unavailable: %s on %s %s", type(err).__name__, request.method, request.path)
        response = json_error(503, "unavailable", "The service is briefly unavailable; try again.")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(LoyaltyError)
    def _domain(err: LoyaltyError) -> Response:
        log.warning("domain error %s on %s", err.code, request.path)
        return json_error(400, err.code, str(err))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log_unexpected(err)
        return json_error(500, "internal_error", "Something went wrong on our side.")


def log_unexpected(err: BaseException, during: str = "on") -> None:
    """Log an unexpected error with the stack's frames but not the exception's text, the
    request's body, its query string or its arguments: database errors quote their parameters,
    and a query string what someone searched for, either of which may be personal data."""
    frames = "".join(traceback.format_tb(err.__traceback__))
    log.error(
        "unhandled %s %s %s %s\n%s",
        type(err).__name__,
        during,
        request.method,
        request.path,
        frames,
    )


class StreamAborted(Exception):
    """A streamed answer failed after its headers were sent: the server must cut the transfer.

    Raised without the original exception attached (``from None``), so whatever logs it (the
    WSGI server does) has no message or parameters to print; :func:`streamed` logged the
    original already, scrubbed.
    """


def streamed(chunks: Iterator[str]) -> Iterator[str]:
    """``chunks`` as a streamed response body that fails safely.

    The first chunk is made now, inside the view: a failure before the answer starts (the
    database down at the first query) is an ordinary error answer (503 JSON, in the error
    shape). A failure after that is logged by :func:`log_unexpected` and raised again as
    :class:`StreamAborted`: the headers (200) are sent, so the only honest signal left is to
    break the transfer. gunicorn then closes the connection without the chunked body's final
    chunk, which HTTP/1.1 clients report as an incomplete download (a browser's ``fetch``
    rejects, ``requests`` raises ``ChunkedEncodingError``) rather than a complete, short file.
    """
    first = next(chunks, "")

    def body() -> Iterator[str]:
        yield first
        try:
            yield from chunks
        except Exception as err:
            log_unexpected(err, during="while streaming")
            raise StreamAborted("the streamed answer failed midway; transfer aborted") from None

    return stream_with_context(body())
