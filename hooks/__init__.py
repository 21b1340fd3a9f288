"""Provider callbacks: ``/hooks/{provider}/{secret}/…`` (DESIGN.md, "More entry points").

SMS providers report what became of a message: Twilio's status callbacks
(:mod:`hooks.sms`, verified by ``X-Twilio-Signature`` as well) and Sveve's delivery reports.
Also the unsubscribe link of campaign messages, ``/l/{token}`` (:mod:`hooks.links`): a public
entry point outside Shopify's, like the callbacks. The secret in the path names the shop (:func:`loyalty.campaigns.credentials.hook_target`); a
request that fails a check changes nothing and leaves only a log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the callbacks' blueprint."""
    from hooks.links import bp as links_bp
    from hooks.sms import bp

    app.register_blueprint(bp)
    app.register_blueprint(links_bp)
