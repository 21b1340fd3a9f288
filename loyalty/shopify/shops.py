"""Installed shops and their offline tokens: install, a valid access token, refresh, rotation.

Tokens are expiring offline tokens (SHOPIFY.md §1): an access token lives an hour, a refresh
token trades for a new pair. :func:`access_token` refreshes under a per-shop lock, so N
concurrent callers refresh once; both new tokens are stored; a failed refresh leaves the stored
ones intact (Shopify keeps the old refresh token valid until the new one is used). No database
transaction is held open across an HTTP call.

The lock and the Shopify client are passed in: this module imports no Flask, RQ or Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.errors import LoyaltyError
from loyalty.core.models import ProgramSettings, Shop
from loyalty.core.types import utcnow
from loyalty.shopify.authorisation import mark_needs_authorisation, needs_authorisation
from loyalty.shopify.client import ShopifyClient, TokenSet
from loyalty.shopify.errors import ShopifyAuthError, ShopifyError, ShopNeedsAuthorisation
from loyalty.shopify.tokens import TokenCipher

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
"""An access token expiring sooner than this is refreshed before use."""

LockFactory = Callable[[str], AbstractContextManager[Any]]
"""``lock(shop_domain)``: a context manager held while a shop's tokens are replaced."""


class ShopNotInstalled(LoyaltyError):
    """No installed shop of that domain (never installed, or uninstalled since)."""

    code = "shop_not_installed"


class TokenUnavailable(LoyaltyError):
    """The shop's access token expired and cannot be refreshed: the merchant must open the app."""

    code = "token_unavailable"


@dataclass(frozen=True)
class _StoredTokens:
    """A snapshot of a shop's token columns, read in a short transaction."""

    access: bytes | None
    expires_at: datetime | None
    refresh: bytes | None
    refresh_expires_at: datetime | None
    refused: bool = False
    """Shopify refused them: the shop needs its merchant's authorisation."""


@dataclass(frozen=True)
class Installed:
    """What :func:`record_install` stored: the shop, and whether it was a new install (its
    first, or again after an uninstall) rather than new tokens for a shop installed already;
    ``reauthorised``: Shopify had refused the shop's previous tokens (work waits for these)."""

    shop: Shop
    new: bool
    reauthorised: bool = False


def record_install(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    shop_domain: str,
    tokens: TokenSet,
    *,
    now: datetime | None = None,
) -> Installed:
    """Store a (re)install: the shop, its new tokens and scopes, default program settings.

    One transaction: either everything is stored or nothing is. A reinstall clears
    ``uninstalled_at`` and replaces both tokens.
    """
    now = now or utcnow()
    with sessions.begin() as s:
        _insert_shop_if_missing(s, shop_domain)
        shop = s.scalars(
            select(Shop)
            .where(Shop.domain == shop_domain)
            .options(selectinload(Shop.settings))
            .with_for_update()
        ).one()
        new = shop.installed_at is None or shop.uninstalled_at is not None
        reauthorised = needs_authorisation(shop)
        shop.needs_authorisation_since = None
        shop.access_token_encrypted = cipher.encrypt(tokens.access_token)
        shop.access_token_expires_at = tokens.expires_at
        shop.refresh_token_encrypted = (
            cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
        )
        shop.refresh_token_expires_at = tokens.refresh_expires_at
        shop.scopes = tokens.scope
        shop.installed_at = now
        shop.uninstalled_at = None
        if shop.settings is None:
            shop.settings = ProgramSettings()
    log.info("installed %s", shop_domain)
    return Installed(shop, new, reauthorised)


def _insert_shop_if_missing(s: Session, shop_domain: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two concurrent first installs do not collide."""
    s.execute(upsert(s, Shop).values(domain=shop_domain).on_conflict_do_nothing())


def get_installed_shop(sessions: sessionmaker[Session], domain: str) -> Shop | None:
    """The shop of that domain if it is installed now (its settings loaded), else None."""
    with sessions() as s:
        return s.scalars(
            select(Shop)
            .where(Shop.domain == domain, Shop.installed_at.is_not(None))
            .where(Shop.uninstalled_at.is_(None))
            .options(selectinload(Shop.settings))
        ).one_or_none()


def has_usable_token(
    shop: Shop, required_scopes: tuple[str, ...], now: datetime | None = None
) -> bool:
    """Whether an installed shop's stored token works now or can be refreshed, with the scopes."""
    now = now or utcnow()
    if not shop.is_installed or shop.access_token_encrypted is None or needs_authorisation(shop):
        return False
    if not scopes_cover(shop.scopes, required_scopes):
        return False
    tokens = _snapshot(shop)
    return _is_fresh(tokens, now, timedelta(0)) or _is_refreshable(tokens, now)


def scopes_cover(granted: str, required: tuple[str, ...]) -> bool:
    """Whether ``granted`` (comma-separated) has every required scope; write_x implies read_x."""
    have = {s.strip() for s in granted.split(",") if s.strip()}
    have |= {"read_" + s.removeprefix("write_") for s in have if s.startswith("write_")}
    return set(required) <= have


def access_token(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    client: ShopifyClient,
    lock: LockFactory,
    shop_domain: str,
    *,
    now: datetime | None = None,
    margin: timedelta = REFRESH_MARGIN,
) -> str:
    """A valid access token for the shop, refreshed first when it expires within ``margin``.

    Raises :class:`ShopNotInstalled`, :class:`TokenUnavailable`, the client's errors when the
    refresh fails (the stored tokens are then left as they were), and
    :class:`ShopNeedsAuthorisation` without calling Shopify once it refused the shop's tokens
    (a refused refresh marks the shop so: :mod:`loyalty.shopify.authorisation`).
    """
    now = now or utcnow()
    tokens = _read_tokens(sessions, shop_domain)
    if tokens.refused:
        raise ShopNeedsAuthorisation(shop_domain)
    if _is_fresh(tokens, now, margin):
        return cipher.decrypt(tokens.access)  # type: ignore[arg-type]
    with lock(shop_domain):
        # Another caller may have refreshed while we waited for the lock.
        tokens = _read_tokens(sessions, shop_domain)
        if tokens.refused:
            raise ShopNeedsAuthorisation(shop_domain)
        if _is_fresh(tokens, now, margin):
            return cipher.decrypt(tokens.access)  # type: ignore[arg-type]
        if not _is_refreshable(tokens, now):
            raise TokenUnavailable(f"{shop_domain}: access token expired, no usable refresh token")
        try:
            fresh = client.refresh(shop_domain, cipher.decrypt(tokens.refresh))  # type: ignore[arg-type]
        except ShopifyAuthError as err:  # the refresh token is refused: revoked
            mark_needs_authorisation(sessions, shop_domain)
            raise ShopNeedsAuthorisation(shop_domain, err.status, err.error) from None
        _store_refreshed(sessions, cipher, shop_domain, fresh)
        log.info("refreshed the access token of %s", shop_domain)
        return fresh.access_token


def _read_tokens(sessions: sessionmaker[Session], shop_domain: str) -> _StoredTokens:
    with sessions() as s:
        shop = s.scalars(
            select(Shop).where(Shop.domain == shop_domain, Shop.uninstalled_at.is_(None))
        ).one_or_none()
        if shop is None or shop.installed_at is None or shop.access_token_encrypted is None:
            raise ShopNotInstalled(f"{shop_domain} is not installed")
        return _snapshot(shop)


def _snapshot(shop: Shop) -> _StoredTokens:
    return _StoredTokens(
        access=shop.access_token_encrypted,
        expires_at=shop.access_token_expires_at,
        refresh=shop.refresh_token_encrypted,
        refresh_expires_at=shop.refresh_token_expires_at,
        refused=needs_authorisation(shop),
    )


def _is_fresh(tokens: _StoredTokens, now: datetime, margin: timedelta) -> bool:
    """A non-expiring token is always fresh; an expiring one until ``margin`` before expiry."""
    if tokens.access is None:
        return False
    return tokens.expires_at is None or tokens.expires_at - margin > now


def _is_refreshable(tokens: _StoredTokens, now: datetime) -> bool:
    if tokens.refresh is None:
        return False
    return tokens.refresh_expires_at is None or tokens.refresh_expires_at > now


def _store_refreshed(
    sessions: sessionmaker[Session], cipher: TokenCipher, shop_domain: str, fresh: TokenSet
) -> None:
    """Replace the access token and (when Shopify sent one) the refresh token, in one UPDATE."""
    values: dict[str, Any] = {
        "access_token_encrypted": cipher.encrypt(fresh.access_token),
        "access_token_expires_at": fresh.expires_at,
        "updated_at": utcnow(),
    }
    if fresh.refresh_token:
        values["refresh_token_encrypted"] = cipher.encrypt(fresh.refresh_token)
        values["refresh_token_expires_at"] = fresh.refresh_expires_at
    if fresh.scope:
        values["scopes"] = fresh.scope
    with sessions.begin() as s:
        # Not for a shop uninstalled meanwhile: its tokens are revoked and must stay dropped.
        s.execute(
            update(Shop)
            .where(Shop.domain == shop_domain, Shop.uninstalled_at.is_(None))
            .values(**values)
        )


@dataclass
class RefreshSummary:
    """What :func:`refresh_expiring_tokens` did: shop domains refreshed and failed (error code)."""

    refreshed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def refresh_expiring_tokens(
    sessions: sessionmaker[Session],
    cipher: TokenCipher,
    client: ShopifyClient,
    lock: LockFactory,
    *,
    within: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> RefreshSummary:
    """Refresh every installed shop's access token that expires within ``within`` (a cron job).

    A shop whose refresh fails is logged and skipped; the others still refresh.
    """
    now = now or utcnow()
    with sessions() as s:
        domains = s.scalars(
            select(Shop.domain)
            .where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))
            .where(Shop.refresh_token_encrypted.is_not(None))
            .where(Shop.needs_authorisation_since.is_(None))
            .where(Shop.access_token_expires_at <= now + within)
            .order_by(Shop.access_token_expires_at)
        ).all()
    summary = RefreshSummary()
    for domain in domains:
        try:
            access_token(sessions, cipher, client, lock, domain, now=now, margin=within)
        except (ShopifyError, TokenUnavailable, ShopNotInstalled) as err:
            log.warning("could not refresh the token of %s: %s", domain, err.code)
            summary.failed[domain] = err.code
        else:
            summary.refreshed.append(domain)
    return summary


def rotate_stored_tokens(sessions: sessionmaker[Session], cipher: TokenCipher) -> int:
    """Re-encrypt every stored token under the newest key; returns the number of shops touched."""
    count = 0
    with sessions.begin() as s:
        for shop in s.scalars(select(Shop).with_for_update()):
            if shop.access_token_encrypted is None and shop.refresh_token_encrypted is None:
                continue
            if shop.access_token_encrypted is not None:
                shop.access_token_encrypted = cipher.rotate(shop.access_token_encrypted)
            if shop.refresh_token_encrypted is not None:
                shop.refresh_token_encrypted = cipher.rotate(shop.refresh_token_encrypted)
            count += 1
    return count
