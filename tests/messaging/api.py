"""The bodies the messaging tests send to ``/api/messaging``, and reading back what is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loyalty.core.models import MessagingSettings, SentMessage

TWILIO_SID = "AC" + "5" * 32
TWILIO_TOKEN = "twilio-auth-token-9f8e7d"
SVEVE_PASSWORD = "sveve-api-password-6c5b4a"
SMTP_PASSWORD = "smtp-password-3b2a1f"
SECRETS = (TWILIO_TOKEN, SVEVE_PASSWORD, SMTP_PASSWORD)


def twilio_body(
    sid: str = TWILIO_SID, token: str | None = TWILIO_TOKEN, **fields: Any
) -> dict[str, Any]:
    body = {"provider": "twilio", "account_sid": sid, "auth_token": token, "sender": "Butikken"}
    return {k: v for k, v in {**body, **fields}.items() if v is not None}


def sveve_body(**fields: Any) -> dict[str, Any]:
    return {
        "provider": "sveve",
        "user": "butikken",
        "password": SVEVE_PASSWORD,
        "sender": "Butikken",
        **fields,
    }


def smtp_body(**fields: Any) -> dict[str, Any]:
    body = {
        "host": "smtp.example.com",
        "port": 587,
        "tls": "starttls",
        "from": "klubb@butikken.no",
        "from_name": "Butikken Klubb",
        "user": "klubb@butikken.no",
        "password": SMTP_PASSWORD,
    }
    return {k: v for k, v in {**body, **fields}.items() if v is not None}


def stored_settings(rt: Any, shop_id: int, channel: str) -> MessagingSettings | None:
    with rt.sessions() as s:
        return s.get(MessagingSettings, (shop_id, channel))


def sent_messages(rt: Any, shop_id: int) -> list[SentMessage]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(SentMessage).where(SentMessage.shop_id == shop_id).order_by(SentMessage.id)
            )
        )
