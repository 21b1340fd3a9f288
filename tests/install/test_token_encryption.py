"""Tokens at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS, newest key first, rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from loyalty.shopify.tokens import TokenCipher, TokenDecryptionError

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.mark.embedded
def test_a_token_round_trips_and_is_not_stored_in_clear():
    cipher = TokenCipher([NEW_KEY])
    blob = cipher.encrypt("shpat_secret")
    assert b"shpat_secret" not in blob
    assert cipher.decrypt(blob) == "shpat_secret"


def test_tokens_encrypted_under_an_older_key_still_decrypt_after_a_new_key_is_added():
    old = TokenCipher([OLD_KEY]).encrypt("shpat_old")
    assert TokenCipher([NEW_KEY, OLD_KEY]).decrypt(old) == "shpat_old"


def test_new_ciphertexts_use_the_newest_key():
    blob = TokenCipher([NEW_KEY, OLD_KEY]).encrypt("shpat_new")
    assert TokenCipher([NEW_KEY]).decrypt(blob) == "shpat_new"
    with pytest.raises(TokenDecryptionError):
        TokenCipher([OLD_KEY]).decrypt(blob)


def test_rotate_re_encrypts_under_the_newest_key_so_the_old_key_can_be_dropped():
    old = TokenCipher([OLD_KEY]).encrypt("shpat_rotated")
    rotated = TokenCipher([NEW_KEY, OLD_KEY]).rotate(old)
    assert TokenCipher([NEW_KEY]).decrypt(rotated) == "shpat_rotated"


def test_a_token_no_configured_key_fits_raises_a_named_error_without_the_ciphertext():
    blob = TokenCipher([OLD_KEY]).encrypt("shpat_lost")
    with pytest.raises(TokenDecryptionError) as caught:
        TokenCipher([NEW_KEY]).decrypt(blob)
    assert blob.decode() not in str(caught.value)


def test_a_cipher_needs_at_least_one_key():
    with pytest.raises(ValueError):
        TokenCipher([])
