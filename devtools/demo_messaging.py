"""The dev command's message sinks, and the demo shop's messaging set up to use them.

The sinks (:class:`devtools.message_sinks.MessageSinks`): a fake Twilio on ``--sink-port``,
which the app reaches as ``TWILIO_API_BASE`` and which reports each SMS ``sent`` then
``delivered`` through the app's ``/hooks/twilio/…``, and an SMTP server on ``--smtp-port``.
Their pages (``/sms``, ``/email``) show what would have been sent. The demo shop's SMS provider
is the fake Twilio's account and its mail server the SMTP sink, stored through the same
domain functions ``PUT /api/messaging/…`` uses, on every start (a new fake knows only its own
account; the shop's callback secret stays).
"""

from __future__ import annotations

from devtools.message_sinks import MessageSinks
from runtime import Runtime

DEMO_TWILIO_SID = "AC" + "de40" * 8  # the sink knows this account; the format is Twilio's
DEMO_TWILIO_TOKEN = "demo-auth-token-for-the-sms-sink"  # a loopback fake's, not a secret
DEMO_SENDER = "KlubbDemo"


def start_sinks(port: int, smtp_port: int) -> MessageSinks:
    """The SMS and email sinks, listening, with the demo's Twilio account."""
    sinks = MessageSinks(port=port, smtp_port=smtp_port, auto_report=True).start()
    sinks.twilio.add_account(DEMO_TWILIO_SID, DEMO_TWILIO_TOKEN)
    return sinks


def configure_demo_shop(runtime: Runtime, shop_domain: str, sinks: MessageSinks) -> bool:
    """Point the demo shop's SMS provider and mail server at the sinks; False without the shop."""
    from loyalty.campaigns.credentials import save_settings
    from loyalty.core.models import MessageChannel
    from loyalty.shopify.shops import get_installed_shop

    shop = get_installed_shop(runtime.sessions, shop_domain)
    if shop is None:
        return False
    sms = {
        "provider": "twilio",
        "account_sid": DEMO_TWILIO_SID,
        "auth_token": DEMO_TWILIO_TOKEN,
        "sender": DEMO_SENDER,
    }
    email = {
        "host": "127.0.0.1",
        "port": sinks.smtp_port,
        "tls": "none",
        "from": f"klubb@{shop_domain}",
        "from_name": "Klubb Demo",
    }
    app_url = runtime.config.app_url
    for channel, body in ((MessageChannel.SMS, sms), (MessageChannel.EMAIL, email)):
        save_settings(
            runtime.sessions,
            runtime.token_cipher,
            shop.id,
            channel,
            body,
            actor=None,
            app_url=app_url,
        )
    return True
