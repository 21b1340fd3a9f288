"""What Shopify tells us about a shop: its settings changed, or the app was uninstalled."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.ids import id_from_json
from loyalty.core.models import Shop
from loyalty.core.types import utcnow

SUPPORTED_LOCALES = ("nb", "en")


def _locale(primary_locale: object) -> str | None:
    """Shopify's ``primary_locale`` (``nb``, ``nb-NO``, ``no``, ``en-GB``…) → ``nb`` or ``en``."""
    if not isinstance(primary_locale, str) or not primary_locale:
        return None
    language = primary_locale.split("-")[0].lower()
    return "nb" if language in ("nb", "no", "nn") else "en"


def apply_shop_update(
    sessions: sessionmaker[Session], shop_id: int, payload: Mapping[str, Any]
) -> None:
    """Keep the shop's name, currency, time zone and locale current (``shop/update``)."""
    values: dict[str, object] = {}
    if isinstance(payload.get("name"), str):
        values["name"] = payload["name"][:255]
    if isinstance(payload.get("currency"), str) and len(payload["currency"]) == 3:
        values["currency"] = payload["currency"].upper()
    if isinstance(payload.get("iana_timezone"), str) and payload["iana_timezone"]:
        values["timezone"] = payload["iana_timezone"][:64]
    locale = _locale(payload.get("primary_locale"))
    if locale:
        values["locale"] = locale
    shopify_shop_id = id_from_json(payload.get("id"))
    if shopify_shop_id is not None:
        values["shopify_shop_id"] = shopify_shop_id
    if values:
        with sessions.begin() as s:
            s.execute(update(Shop).where(Shop.id == shop_id).values(**values))


def record_uninstall(
    sessions: sessionmaker[Session], shop_id: int, triggered_at: datetime | None
) -> None:
    """Drop the tokens (Shopify revoked them) and note the time; data stays for ``shop/redact``.

    Idempotent: ``app/uninstalled`` may arrive more than once, and after a reinstall's token
    exchange. A shop whose install is newer than the uninstall event is left installed.
    """
    now = utcnow()
    stmt = update(Shop).where(Shop.id == shop_id)
    if triggered_at is not None:
        stmt = stmt.where(or_(Shop.installed_at.is_(None), Shop.installed_at <= triggered_at))
    with sessions.begin() as s:
        s.execute(
            stmt.values(
                access_token_encrypted=None,
                access_token_expires_at=None,
                refresh_token_encrypted=None,
                refresh_token_expires_at=None,
                uninstalled_at=now,
            )
        )
