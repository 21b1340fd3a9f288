"""``/l/{token}``: the unsubscribe link of every campaign message, and ``/l/{token}-{n}``: the
tracked links in it (DESIGN.md's tracked links), counted and redirected to their target
(:mod:`loyalty.campaigns.clicks`).

``GET`` shows the member a page, in their language, with one button; ``POST`` (the button,
or a mail client's one-click ``List-Unsubscribe-Post``) withdraws the consent of the channel
the message came by (:mod:`loyalty.campaigns.unsubscribe`) and queues its push to Shopify.
GET changes nothing, so link scanners in mail and SMS apps that open every link cannot
unsubscribe anyone. An unknown token is 404 and changes nothing. Answers are personal:
never cached, never indexed.

Each client address may make :data:`LIMIT` requests a minute to ``/l/`` (a fixed window
counted in Redis, ``klubb:rl:l:{address}``); over it the answer is 429 with ``Retry-After``.
Tokens cannot be guessed (16 random letters and digits), so this guards the database and the
click counts, not the tokens. If Redis does not answer, requests go through.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from redis.exceptions import RedisError

from jobs.shopify_sync import enqueue_consent_push
from loyalty.campaigns import clicks, unsubscribe
from runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("links", __name__)
LIMIT = 60
"""Requests a minute from one client address."""


@bp.before_request
def rate_limit() -> tuple[str, int, dict[str, str]] | None:
    """429 once the client's address is over :data:`LIMIT` requests this minute."""
    window = int(time.time() // 60)
    key = f"klubb:rl:l:{request.remote_addr or '-'}:{window}"
    try:
        redis = current_runtime().redis
        count = int(redis.incr(key))
        if count == 1:
            redis.expire(key, 120)
    except RedisError:
        log.warning("link rate limit skipped: Redis unavailable")
        return None
    if count > LIMIT:
        left = max(1, 60 - int(time.time()) % 60)
        return "Too many requests", 429, {"Retry-After": str(left)}
    return None


def _page(token: str, *, done: bool) -> Response | tuple[str, int]:
    target = unsubscribe.link_target(current_runtime().sessions, token)
    if target is None:
        return "Not found", 404
    language = target.language if target.language in ("nb", "en") else "en"
    with force_locale(language):
        html = render_template(
            "links/unsubscribe.html",
            language=language,
            shop_name=target.shop_name,
            channel=target.channel,
            subscribed=target.subscribed,
            done=done,
        )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/l/<token>")
def show_unsubscribe(token: str) -> ResponseReturnValue:
    """The page with the button (no change yet); or a tracked link, counted and followed."""
    if "-" in token:
        target = clicks.follow(current_runtime().sessions, token)
        if target is None:
            return "Not found", 404
        response = redirect(target, 302)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    return _page(token, done=False)


@bp.post("/l/<token>")
def confirm_unsubscribe(token: str) -> Response | tuple[str, int]:
    """Withdraw the consent the link stands for; the page saying so."""
    rt = current_runtime()
    found, consent_event_id = unsubscribe.unsubscribe(rt.sessions, token)
    if not found:
        return "Not found", 404
    if consent_event_id is not None:
        enqueue_consent_push(rt, consent_event_id)  # else the push sweeper queues it
    return _page(token, done=True)
