"""Expiring offline tokens: refreshed before expiry, once per shop, both new tokens stored."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from loyalty.shopify.errors import ShopifyAuthError, ShopifyUnavailable
from loyalty.shopify.shops import (
    ShopNotInstalled,
    TokenUnavailable,
    access_token,
    refresh_expiring_tokens,
)
from tests.support.shopify import token_grants
from tests.support.shops import SHOP, stored_shop

HOUR = 3600


@pytest.fixture
def get_token(rt, cipher, shopify, shop_lock, fake_now):
    """``get_token(shop)``: a valid access token as the app's callers get one, on the fake clock."""

    def get(shop=SHOP, **kwargs):
        return access_token(rt.sessions, cipher, shopify, shop_lock, shop, now=fake_now(), **kwargs)

    return get


def refreshes(fake):
    return [r for r in token_grants(fake, "refresh_token") if r["ok"]]


@pytest.mark.embedded
def test_a_fresh_access_token_is_used_as_it_is(fake_shopify, installed, get_token):
    assert get_token() == token_grants(fake_shopify)[0]["access_token"]
    assert refreshes(fake_shopify) == []


def test_a_token_expiring_within_five_minutes_is_refreshed_first(
    rt, fake_shopify, installed, get_token, cipher
):
    fake_shopify.advance(HOUR - 4 * 60)
    token = get_token()
    (grant,) = refreshes(fake_shopify)
    assert token == grant["access_token"]
    row = stored_shop(rt)
    assert cipher.decrypt(row.access_token_encrypted) == grant["access_token"]
    assert cipher.decrypt(row.refresh_token_encrypted) == grant["refresh_token"]


def test_concurrent_callers_with_an_expired_token_refresh_it_once(
    rt, fake_shopify, installed, get_token
):
    fake_shopify.advance(HOUR + 60)
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def call() -> None:
        start.wait()
        try:
            results.append(get_token())
        except BaseException as err:  # every failure is reported below
            errors.append(err)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    (grant,) = refreshes(fake_shopify)
    assert len(token_grants(fake_shopify, "refresh_token")) == 1
    assert results == [grant["access_token"]] * 8


def test_the_new_refresh_token_is_stored_and_the_superseded_one_not_used_again(
    rt, fake_shopify, fake_shop, installed, get_token, cipher
):
    first_refresh = token_grants(fake_shopify)[0]["refresh_token"]
    fake_shopify.advance(HOUR + 60)
    get_token()
    second_refresh = refreshes(fake_shopify)[0]["refresh_token"]
    assert cipher.decrypt(stored_shop(rt).refresh_token_encrypted) == second_refresh

    fake_shopify.advance(HOUR + 60)
    token = get_token()

    assert len(refreshes(fake_shopify)) == 2
    assert token == refreshes(fake_shopify)[1]["access_token"]
    with fake_shopify.lock:
        # Using the second refresh token retires the first: it was not presented again.
        assert fake_shop.refresh_tokens[first_refresh].retired
        assert fake_shop.refresh_tokens[second_refresh].successor is not None


def test_a_failed_refresh_leaves_the_stored_tokens_intact(rt, fake_shopify, installed, get_token):
    before = stored_shop(rt)
    fake_shopify.advance(HOUR + 60)
    fake_shopify.fail_next_token_request(503)

    with pytest.raises(ShopifyUnavailable):
        get_token()

    after = stored_shop(rt)
    assert after.access_token_encrypted == before.access_token_encrypted
    assert after.refresh_token_encrypted == before.refresh_token_encrypted
    assert after.access_token_expires_at == before.access_token_expires_at
    # The kept refresh token still works on the next attempt.
    assert get_token() == refreshes(fake_shopify)[0]["access_token"]


def test_a_refused_refresh_is_an_auth_error_and_keeps_the_tokens(
    rt, fake_shopify, installed, get_token
):
    before = stored_shop(rt)
    fake_shopify.uninstall(SHOP)  # Shopify revoked the tokens; the webhook has not come yet
    fake_shopify.advance(HOUR + 60)
    with pytest.raises(ShopifyAuthError) as caught:
        get_token()
    assert caught.value.error == "invalid_grant"
    assert stored_shop(rt).refresh_token_encrypted == before.refresh_token_encrypted
    assert stored_shop(rt).needs_authorisation_since is not None  # no refresh again
    with pytest.raises(ShopifyAuthError):
        get_token()
    assert len(token_grants(fake_shopify, "refresh_token")) == 1


def test_an_expired_refresh_token_needs_the_merchant(rt, fake_shopify, installed, get_token):
    fake_shopify.advance(91 * 24 * HOUR)
    with pytest.raises(TokenUnavailable):
        get_token()
    assert token_grants(fake_shopify, "refresh_token") == []


def test_a_shop_that_is_not_installed_has_no_token(rt, fake_shopify, get_token):
    with pytest.raises(ShopNotInstalled):
        get_token("never-installed.myshopify.com")


def test_the_scheduled_refresh_renews_only_tokens_about_to_expire(
    rt, fake_shopify, installed, shopify, cipher, shop_lock, fake_now
):
    from admin.install import install_from_id_token

    later = "later-shop.myshopify.com"
    fake_shopify.advance(HOUR - 15 * 60)
    fake_shopify.add_shop(later, installed=True)
    install_from_id_token(later, fake_shopify.session_token(later))  # fresh: an hour left
    fake_shopify.advance(6 * 60)  # SHOP now expires in 9 minutes

    summary = refresh_expiring_tokens(
        rt.sessions, cipher, shopify, shop_lock, within=timedelta(minutes=10), now=fake_now()
    )

    assert summary.refreshed == [SHOP] and summary.failed == {}
    assert [r["shop"] for r in refreshes(fake_shopify)] == [SHOP]


def test_the_scheduled_refresh_goes_on_after_a_shop_fails(
    rt, fake_shopify, installed, shopify, cipher, shop_lock, fake_now
):
    from admin.install import install_from_id_token

    other = "other-shop.myshopify.com"
    fake_shopify.add_shop(other, installed=True)
    install_from_id_token(other, fake_shopify.session_token(other))
    fake_shopify.advance(HOUR)
    fake_shopify.fail_next_token_request(500)

    summary = refresh_expiring_tokens(rt.sessions, cipher, shopify, shop_lock, now=fake_now())

    assert len(summary.refreshed) == 1 and len(summary.failed) == 1
    assert set(summary.refreshed) | set(summary.failed) == {SHOP, other}
    assert list(summary.failed.values()) == ["shopify_unavailable"]
