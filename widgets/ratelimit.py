"""Rate limits for the widget's API: per shopper and per shop, fixed windows in Redis.

Over the limit the answer is 429 with ``Retry-After``. If Redis does not answer, requests go
through: a limit is protection, not a reason to take the widget down.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import g
from redis.exceptions import RedisError

from errors import json_error
from runtime import current_runtime

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def _over(limits: dict[str, int], window_start: int) -> bool:
    """Count the request in each key's window (one round trip); True if any is over its limit."""
    pipe = current_runtime().redis.pipeline()
    for key in limits:
        bucket = f"klubb:rl:{key}:{window_start}"
        pipe.incr(bucket)
        pipe.expire(bucket, WINDOW_SECONDS + 5)
    counts = pipe.execute()[::2]
    return any(int(count) > limit for count, limit in zip(counts, limits.values(), strict=True))


def rate_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count the request against its shopper and shop; 429 once either is over its limit."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        shopper = g.shopper
        config = current_runtime().config  # requests per window; guests count per shop only
        per_shopper, per_shop = config.rate_limit_per_shopper, config.rate_limit_per_shop
        now = int(time.time())
        window_start = now - now % WINDOW_SECONDS
        limits = {f"shop:{shopper.shop_id}": per_shop}
        if shopper.customer_id is not None:
            limits[f"c:{shopper.shop_id}:{shopper.customer_id}"] = per_shopper
        try:
            over = _over(limits, window_start)
        except RedisError:
            log.warning("rate limit skipped: Redis unavailable")
            over = False
        if over:
            response = json_error(429, "rate_limited", "Too many requests; try again shortly.")
            response.headers["Retry-After"] = str(window_start + WINDOW_SECONDS - now)
            return response
        return view(*args, **kwargs)

    return wrapper
