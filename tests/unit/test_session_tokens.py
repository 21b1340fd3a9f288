"""App Bridge session tokens are verified as Shopify specifies (SHOPIFY.md §2)."""

from __future__ import annotations

import time

import jwt
import pytest

from loyalty.shopify.session_tokens import InvalidSessionToken, verify_session_token
from tests.support.http import session_token_claims

KEY, SECRET = "api-key", "api-secret"
SHOP = "demo.myshopify.com"


def token(**overrides):
    secret = overrides.pop("secret", SECRET)
    claims = session_token_claims(SHOP, KEY, **overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


def test_a_valid_token_names_the_shop_and_staff_user():
    verified = verify_session_token(token(), KEY, [SECRET])
    assert (verified.shop, verified.user_id, verified.session_id) == (SHOP, "42", "session-1")


def test_the_previous_secret_still_verifies_during_rotation():
    assert verify_session_token(token(secret="old"), KEY, [SECRET, "old"]).shop == SHOP


def test_nbf_a_few_seconds_in_the_future_is_tolerated():
    assert verify_session_token(token(nbf=int(time.time()) + 8), KEY, [SECRET]).shop == SHOP


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "another-secret"},
        {"aud": "another-app"},
        {"exp": -30},
        {"nbf": +60},
        {"iss": "https://other.myshopify.com/admin"},
        {"dest": "https://evil.example.com", "iss": "https://evil.example.com/admin"},
        {"dest": "http://demo.myshopify.com", "iss": "http://demo.myshopify.com/admin"},
        {"dest": None},
        {"exp": None},
    ],
    ids=[
        "secret",
        "aud",
        "expired",
        "future-nbf",
        "iss-differs",
        "not-a-shop",
        "http",
        "no-dest",
        "no-exp",
    ],
)
def test_bad_tokens_are_refused(overrides):
    # Times are offsets from now, taken when the test runs (not when it is collected).
    now = int(time.time())
    claims = {
        k: now + v if k in ("exp", "nbf") and v is not None else v for k, v in overrides.items()
    }
    with pytest.raises(InvalidSessionToken):
        verify_session_token(token(**claims), KEY, [SECRET])


def test_garbage_and_empty_tokens_are_refused():
    for raw in ["", "not-a-jwt", "a.b.c"]:
        with pytest.raises(InvalidSessionToken):
            verify_session_token(raw, KEY, [SECRET])


def test_a_token_signed_with_none_algorithm_is_refused():
    unsigned = jwt.encode({"dest": f"https://{SHOP}", "aud": KEY}, None, algorithm="none")
    with pytest.raises(InvalidSessionToken):
        verify_session_token(unsigned, KEY, [SECRET])
