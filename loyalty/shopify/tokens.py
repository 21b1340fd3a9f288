"""Encryption of Shopify tokens at rest: MultiFernet over ``TOKEN_ENCRYPTION_KEYS``.

Keys are listed newest first. New ciphertexts always use the newest key; every listed key still
decrypts, so a key is rotated by putting a new one in front, re-encrypting the stored tokens
(:meth:`TokenCipher.rotate`, or ``loyalty.shopify.shops.rotate_stored_tokens`` and, for the
messaging secrets it also encrypts, ``loyalty.campaigns.credentials.rotate_messaging_secrets``),
and only then dropping the old key. The database never holds a token in clear.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from loyalty.core.config import Config
from loyalty.core.errors import LoyaltyError


class TokenDecryptionError(LoyaltyError):
    """A stored token cannot be decrypted by any configured key (a key was dropped too early)."""

    code = "token_undecryptable"


class TokenCipher:
    """Encrypts tokens with the newest key and decrypts with any configured key."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def from_config(cls, config: Config) -> TokenCipher:
        """The cipher for ``config.encryption_keys()`` (newest first)."""
        return cls(config.encryption_keys())

    def encrypt(self, token: str) -> bytes:
        """Ciphertext of ``token`` under the newest key."""
        return self._fernet.encrypt(token.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        """The token in clear; raises :class:`TokenDecryptionError` when no key fits."""
        try:
            return self._fernet.decrypt(bytes(ciphertext)).decode()
        except InvalidToken:
            raise TokenDecryptionError("stored token cannot be decrypted") from None

    def rotate(self, ciphertext: bytes) -> bytes:
        """The same token re-encrypted under the newest key (its original timestamp kept)."""
        try:
            return self._fernet.rotate(bytes(ciphertext))
        except InvalidToken:
            raise TokenDecryptionError("stored token cannot be decrypted") from None
