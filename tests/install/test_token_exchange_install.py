"""Shopify-managed installation: the first embedded load's session token is traded for tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from admin.install import install_from_id_token
from loyalty.core.models import ProgramSettings, Shop
from loyalty.shopify.errors import (
    InvalidSubjectToken,
    ShopifyAuthError,
    ShopifyTimeout,
    ShopifyUnavailable,
)
from loyalty.shopify.shops import rotate_stored_tokens
from tests.support.shopify import token_grants
from tests.support.shops import SHOP, stored_shop


@pytest.mark.embedded
def test_a_session_token_installs_the_shop_with_an_expiring_offline_token(
    rt, fake_shopify, fake_shop, shopify, cipher
):
    shop = install_from_id_token(SHOP, fake_shopify.session_token(SHOP))

    assert shop.domain == SHOP and shop.is_installed
    assert shop.settings is not None and shop.settings.signup_bonus == 100
    (grant,) = token_grants(fake_shopify)
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert grant["expiring"] == "1"
    assert (
        grant["requested_token_type"] == "urn:shopify:params:oauth:token-type:offline-access-token"
    )
    row = stored_shop(rt)
    assert cipher.decrypt(row.access_token_encrypted) == grant["access_token"]
    assert cipher.decrypt(row.refresh_token_encrypted) == grant["refresh_token"]
    assert row.access_token_expires_at is not None and row.refresh_token_expires_at is not None
    assert set(row.scopes.split(",")) >= {"read_customers", "write_discounts"}


@pytest.mark.embedded
def test_the_database_holds_the_tokens_only_as_ciphertext(rt, fake_shopify, installed):
    (grant,) = token_grants(fake_shopify)
    clear = [grant["access_token"], grant["refresh_token"]]
    with rt.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM shops WHERE domain = :d"), {"d": SHOP}).one()
    for value in row:
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for token in clear:
            assert token.encode() not in raw


def test_an_installed_shop_with_a_usable_token_is_not_exchanged_again(rt, fake_shopify, installed):
    again = install_from_id_token(SHOP, fake_shopify.session_token(SHOP))
    assert again.id == installed.id
    assert len(token_grants(fake_shopify)) == 1


def test_a_refused_session_token_raises_invalid_subject_token_and_stores_nothing(
    rt, fake_shopify, fake_shop, shopify
):
    token = fake_shopify.session_token(SHOP, exp_in=-120)  # expired by Shopify's clock
    with pytest.raises(InvalidSubjectToken):
        install_from_id_token(SHOP, token)
    assert stored_shop(rt) is None


def test_a_token_endpoint_failure_raises_and_stores_nothing(rt, fake_shopify, fake_shop, shopify):
    fake_shopify.fail_next_token_request(503)
    with pytest.raises(ShopifyUnavailable):
        install_from_id_token(SHOP, fake_shopify.session_token(SHOP))
    assert stored_shop(rt) is None


def test_a_token_endpoint_that_does_not_answer_in_time_raises_a_timeout(
    app, rt, config, fake_shopify, fake_shop, shopify
):
    from loyalty.shopify.client import ShopifyClient

    app.extensions["klubb"].shopify_client = ShopifyClient(
        config.with_overrides(shopify_timeout=0.3)
    )
    fake_shopify.fail_next_token_request(status=None, delay=1.0)
    with pytest.raises(ShopifyTimeout):
        install_from_id_token(SHOP, fake_shopify.session_token(SHOP))
    assert stored_shop(rt) is None


def test_a_wrong_client_secret_is_an_auth_error(app, rt, config, fake_shopify, fake_shop):
    from loyalty.shopify.client import ShopifyClient

    wrong = config.with_overrides(shopify_api_secret="not-the-secret")
    app.extensions["klubb"].shopify_client = ShopifyClient(wrong)
    with pytest.raises(ShopifyAuthError) as caught:
        install_from_id_token(SHOP, fake_shopify.session_token(SHOP))
    assert caught.value.error == "invalid_client"
    assert "not-the-secret" not in str(caught.value)


def test_reinstall_after_uninstall_replaces_the_tokens(rt, fake_shopify, installed, cipher):
    from loyalty.shopify.shop_events import record_uninstall

    old = stored_shop(rt)
    old_access = cipher.decrypt(old.access_token_encrypted)
    fake_shopify.uninstall(SHOP)
    record_uninstall(rt.sessions, installed.id, None)
    assert stored_shop(rt).uninstalled_at is not None

    fake_shopify.install(SHOP)
    shop = install_from_id_token(SHOP, fake_shopify.session_token(SHOP))

    row = stored_shop(rt)
    assert shop.id == installed.id and row.is_installed and row.uninstalled_at is None
    new_access = cipher.decrypt(row.access_token_encrypted)
    assert new_access != old_access
    assert new_access == token_grants(fake_shopify)[-1]["access_token"]
    assert (
        cipher.decrypt(row.refresh_token_encrypted)
        == token_grants(fake_shopify)[-1]["refresh_token"]
    )
    with rt.sessions() as s:
        assert len(s.scalars(select(ProgramSettings)).all()) == 1


def test_rotating_the_encryption_key_re_encrypts_stored_tokens(rt, config, installed):
    from cryptography.fernet import Fernet

    from loyalty.shopify.tokens import TokenCipher, TokenDecryptionError

    old_keys = config.encryption_keys()
    before = stored_shop(rt)
    clear = TokenCipher(old_keys).decrypt(before.access_token_encrypted)
    newest = Fernet.generate_key().decode()

    assert rotate_stored_tokens(rt.sessions, TokenCipher([newest, *old_keys])) == 1

    after = stored_shop(rt)
    assert TokenCipher([newest]).decrypt(after.access_token_encrypted) == clear
    assert TokenCipher([newest]).decrypt(after.refresh_token_encrypted)
    with pytest.raises(TokenDecryptionError):
        TokenCipher(old_keys).decrypt(after.access_token_encrypted)


def test_two_shops_are_installed_separately(rt, fake_shopify, installed, shopify):
    other = "other-shop.myshopify.com"
    fake_shopify.add_shop(other, installed=True)
    install_from_id_token(other, fake_shopify.session_token(other))
    with rt.sessions() as s:
        assert sorted(s.scalars(select(Shop.domain)).all()) == sorted([SHOP, other])
