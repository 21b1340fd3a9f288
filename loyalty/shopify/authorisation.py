"""A shop whose token Shopify refused: marked, and left alone until its merchant opens the app.

The Admin API answers 401 when the shop's access token is revoked (the app's access was taken
away, or the app was uninstalled and ``app/uninstalled`` has not arrived yet), and the token
endpoint refuses a revoked refresh token. The stored tokens will then never work again, and
calling on with them fails for ever. So the shop is marked (``Shop.needs_authorisation_since``)
and :func:`loyalty.shopify.shops.access_token` raises
:class:`~loyalty.shopify.errors.ShopNeedsAuthorisation` for it without calling Shopify; the jobs
that wanted to call wait (``jobs.awaiting_authorisation``). The merchant's next load of the
embedded admin exchanges its session token for a new offline token (``admin/install.py``):
:func:`loyalty.shopify.shops.record_install` clears the mark, and the waiting jobs run.

A 401 for a token that is no longer the stored one is not a revocation: another process
refreshed the shop's tokens meanwhile (Shopify revokes the old access token on refresh), and
the next attempt uses the new one.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Shop
from loyalty.core.types import utcnow
from loyalty.shopify.tokens import TokenCipher, TokenDecryptionError

log = logging.getLogger(__name__)


def mark_needs_authorisation(
    sessions: sessionmaker[Session], shop_domain: str, now: datetime | None = None
) -> bool:
    """Mark the shop as needing its merchant's authorisation; whether it was not marked yet."""
    with sessions.begin() as s:
        marked = s.scalar(
            update(Shop)
            .where(Shop.domain == shop_domain, Shop.needs_authorisation_since.is_(None))
            .values(needs_authorisation_since=now or utcnow())
            .returning(Shop.id)
        )
    if marked is not None:
        log.warning(
            "Shopify refused the token of %s: no calls for it until its merchant opens the app",
            shop_domain,
        )
    return marked is not None


def token_refused(
    sessions: sessionmaker[Session], cipher: TokenCipher, shop_domain: str, token: str
) -> bool:
    """The Admin API refused ``token`` for the shop: mark the shop if that is still its stored
    token; whether the shop needs authorisation now (False: the tokens were refreshed since)."""
    with sessions() as s:
        stored = s.scalar(select(Shop.access_token_encrypted).where(Shop.domain == shop_domain))
    if stored is None:
        return False
    try:
        current = cipher.decrypt(stored)
    except TokenDecryptionError:
        return False
    if not hmac.compare_digest(current.encode(), token.encode()):
        return False
    mark_needs_authorisation(sessions, shop_domain)
    return True


def needs_authorisation(shop: Shop) -> bool:
    """Whether Shopify refused the shop's stored tokens and no new one was exchanged since."""
    return shop.needs_authorisation_since is not None
