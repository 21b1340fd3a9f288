"""``Idempotency-Key`` for the widget's state-changing calls: a double click or a retry acts once.

The first request with a key runs and its response is stored in Redis for a day under that
shopper, method and path; a repeat gets the stored response back (``Idempotent-Replayed: true``).
A repeat while the first is still running gets 409, and the client tries again. A view that
answers something to be shown once sets ``g.replay_body``: that is stored for the repeats instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, g, request

from errors import json_error
from runtime import current_runtime

TTL_SECONDS = 24 * 3600
IN_FLIGHT_SECONDS = 60
MAX_KEY_LENGTH = 100


def _redis_key(key: str) -> str:
    shopper = g.shopper
    scope = f"{shopper.shop_id}:{shopper.customer_id}:{request.method}:{request.path}:{key}"
    return "klubb:idem:" + hashlib.sha256(scope.encode()).hexdigest()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require an ``Idempotency-Key`` header and replay the stored response for a repeated key.

    Apply it under :func:`widgets.proxy_auth.proxy_request` (it reads ``g.shopper``).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return json_error(
                400,
                "idempotency_key_required",
                f"Send an Idempotency-Key header of 1 to {MAX_KEY_LENGTH} characters.",
            )
        redis = current_runtime().redis
        slot = _redis_key(key)
        if not redis.set(slot, b"", nx=True, ex=IN_FLIGHT_SECONDS):
            stored = redis.get(slot)
            if not stored:
                return json_error(409, "request_in_progress", "The same request is still running.")
            saved = json.loads(stored)
            response = Response(saved["body"], status=saved["status"], mimetype="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            response = view(*args, **kwargs)
        except Exception:
            redis.delete(slot)
            raise
        response = response if isinstance(response, Response) else _make(response)
        if response.status_code < 500:
            # A view may keep a secret out of the replay (a gift card's code is shown once).
            body = g.pop("replay_body", None) or response.get_data(as_text=True)
            redis.set(
                slot, json.dumps({"status": response.status_code, "body": body}), ex=TTL_SECONDS
            )
        else:
            redis.delete(slot)
        return response

    return wrapper


def _make(rv: Any) -> Response:
    from flask import make_response

    return make_response(rv)
