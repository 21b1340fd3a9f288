"""``/l/{token}``: the unsubscribe link of every campaign message, and ``/l/{token}-{n}``: the
tracked links in it (DESIGN.md's tracked links), counted and redirected to their target
(:mod:`loyalty.campaigns.clicks`).

``GET`` shows the member a page, in their language, with one button; ``POST`` (the button,
or a mail client's one-click ``List-Unsubscribe-Post``) withdraws the consent of the channel
the message came by (:mod:`loyalty.campaigns.unsubscribe`) and queues its push to Shopify.
GET changes nothing, so link scanners in mail and SMS apps that open every link cannot
unsubscribe anyone. An unknown token is 404 and changes nothing. Answers are personal:
never cached, never indexed.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale

from jobs.shopify_sync import enqueue_consent_push
from loyalty.campaigns import clicks, unsubscribe
from runtime import current_runtime

bp = Blueprint("links", __name__)


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
