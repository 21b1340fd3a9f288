"""Minting tokens: offline (non-expiring, or expiring with a refresh token) and online ones,
as the token endpoint's grants and the test helper ``issue_token`` hand them out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ids import new_token
from .records import AccessToken, RefreshToken
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

ACCESS_TOKEN_TTL = 3600  # expiring offline access tokens
ONLINE_TOKEN_TTL = 86399  # online (per-user) access tokens
REFRESH_TOKEN_TTL = 7_776_000  # 90 days


def issue_offline(fake: FakeShopify, shop: FakeShop, grant: str, expiring: bool) -> dict[str, Any]:
    """Mint an offline token (and refresh token if ``expiring``); the token response body."""
    now = fake.clock.now()
    scope = ",".join(shop.granted_scopes)
    if not expiring:
        # Shopify hands out the same non-expiring offline token until it is revoked.
        for existing in shop.access_tokens.values():
            if (
                existing.mode == "offline"
                and existing.expires_at is None
                and existing.valid_at(now)
            ):
                existing.scope = scope
                return {"access_token": existing.token, "scope": scope}
        access = AccessToken(
            token=new_token("shpat_"),
            shop=shop.domain,
            scope=scope,
            mode="offline",
            issued_at=now,
            expires_at=None,
            grant=grant,
        )
        shop.access_tokens[access.token] = access
        return {"access_token": access.token, "scope": scope}
    access, refresh = new_pair(fake, shop, grant, predecessor=None)
    return pair_payload(access, refresh, scope)


def new_pair(
    fake: FakeShopify, shop: FakeShop, grant: str, predecessor: str | None
) -> tuple[AccessToken, RefreshToken]:
    """Mint an expiring offline access token and its refresh token; store both."""
    now = fake.clock.now()
    access = AccessToken(
        token=new_token("shpat_"),
        shop=shop.domain,
        scope=",".join(shop.granted_scopes),
        mode="offline",
        issued_at=now,
        expires_at=now + ACCESS_TOKEN_TTL,
        grant=grant,
    )
    refresh = RefreshToken(
        token=new_token("shprt_"),
        shop=shop.domain,
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_TTL,
        access_token=access.token,
        predecessor=predecessor,
    )
    shop.access_tokens[access.token] = access
    shop.refresh_tokens[refresh.token] = refresh
    return access, refresh


def pair_payload(access: AccessToken, refresh: RefreshToken, scope: str) -> dict[str, Any]:
    """The token response body for an expiring pair."""
    return {
        "access_token": access.token,
        "expires_in": ACCESS_TOKEN_TTL,
        "refresh_token": refresh.token,
        "refresh_token_expires_in": REFRESH_TOKEN_TTL,
        "scope": scope,
    }


def issue_online(fake: FakeShopify, shop: FakeShop, grant: str, user_id: int) -> dict[str, Any]:
    """Mint an online (per-user) access token for ``user_id``; the token response body."""
    now = fake.clock.now()
    scope = ",".join(shop.granted_scopes)
    access = AccessToken(
        token=new_token("shpua_"),
        shop=shop.domain,
        scope=scope,
        mode="online",
        issued_at=now,
        expires_at=now + ONLINE_TOKEN_TTL,
        grant=grant,
        user_id=user_id,
    )
    shop.access_tokens[access.token] = access
    return {
        "access_token": access.token,
        "scope": scope,
        "expires_in": ONLINE_TOKEN_TTL,
        "associated_user_scope": scope,
        "associated_user": {
            "id": user_id,
            "first_name": "Staff",
            "last_name": f"Member {user_id}",
            "email": f"staff{user_id}@{shop.domain}",
            "email_verified": True,
            "account_owner": user_id == 42,
            "locale": shop.locale,
            "collaborator": False,
        },
    }
