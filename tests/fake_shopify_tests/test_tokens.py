"""The fake Shopify's token exchange and refresh: session tokens, expiry, revocation, failures."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import (
    BAD_TOKEN,
    ONLINE,
    OTHER,
    SHOP,
    base,
    exchange,
    gql,
    token_post,
)

# ---------------------------------------------------------------------------------------
# Token exchange and refresh


def test_token_exchange_offline_expiring_and_online(fake: FakeShopify) -> None:
    fake.install(SHOP)
    offline = exchange(fake)
    assert offline.status_code == 200
    assert offline.json()["expires_in"] == 3600 and offline.json()["refresh_token"]
    assert exchange(fake, expiring=1).status_code == 200  # int 1 works too
    plain = exchange(fake, expiring=None).json()
    assert set(plain) == {"access_token", "scope"}
    assert exchange(fake, expiring=None).json()["access_token"] == plain["access_token"]
    online = exchange(
        fake, requested_token_type=ONLINE, subject_token=fake.session_token(SHOP, sub="7")
    )
    assert online.json()["associated_user"]["id"] == 7 and online.json()["expires_in"] == 86399


@pytest.mark.parametrize(
    "make",
    [
        lambda f: f.session_token(SHOP, exp_in=-30),
        lambda f: f.session_token(SHOP, nbf_offset=60),
        lambda f: f.session_token(SHOP, secret="another-secret-of-good-length-1234"),
        lambda f: f.session_token(SHOP, aud="another-app"),
        lambda f: f.session_token(OTHER),
        lambda f: f.session_token(SHOP, dest="https://other-shop.myshopify.com"),
        lambda f: "not.a.jwt",
    ],
    ids=["expired", "not-yet-valid", "wrong-secret", "wrong-aud", "other-shop", "bad-dest", "junk"],
)
def test_token_exchange_rejects_bad_session_tokens(fake: FakeShopify, make: Any) -> None:
    fake.install(SHOP)
    response = exchange(fake, subject_token=make(fake))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_subject_token"


def test_session_token_expires_by_the_fake_clock(fake: FakeShopify) -> None:
    fake.install(SHOP)
    subject = fake.session_token(SHOP)
    fake.advance(120)
    assert exchange(fake, subject_token=subject).json()["error"] == "invalid_subject_token"


def test_refresh_keeps_old_token_until_new_one_is_used(fake: FakeShopify) -> None:
    fake.install(SHOP)
    pair0 = exchange(fake).json()
    pair1 = token_post(
        fake, grant_type="refresh_token", refresh_token=pair0["refresh_token"]
    ).json()
    assert pair1["refresh_token"] != pair0["refresh_token"]
    assert gql(fake, pair0["access_token"], "{ shop { id } }").status_code == 401
    assert gql(fake, pair1["access_token"], "{ shop { id } }").status_code == 200
    # The response was "lost": R0 still works, and replaces pair 1.
    pair1b = token_post(
        fake, grant_type="refresh_token", refresh_token=pair0["refresh_token"]
    ).json()
    assert gql(fake, pair1["access_token"], "{ shop { id } }").status_code == 401
    assert (
        token_post(
            fake, grant_type="refresh_token", refresh_token=pair1["refresh_token"]
        ).status_code
        == 400
    )
    # Using the replacement supersedes R0.
    pair2 = token_post(fake, grant_type="refresh_token", refresh_token=pair1b["refresh_token"])
    assert pair2.status_code == 200
    superseded = token_post(fake, grant_type="refresh_token", refresh_token=pair0["refresh_token"])
    assert superseded.status_code == 400 and superseded.json()["error"] == "invalid_grant"


def test_access_token_expires_and_uninstall_revokes(fake: FakeShopify, token: str) -> None:
    assert gql(fake, token, "{ shop { name } }").json()["data"]["shop"]["name"] == "Demo"
    fake.advance(3601)
    expired = gql(fake, token, "{ shop { name } }")
    assert expired.status_code == 401 and expired.json() == BAD_TOKEN
    fresh = fake.issue_token(SHOP, expiring=False)["access_token"]
    fake.uninstall(SHOP)
    assert gql(fake, fresh, "{ shop { name } }").json() == BAD_TOKEN


def test_revoked_tokens_get_401_until_a_new_session_token_is_exchanged(fake: FakeShopify) -> None:
    fake.install(SHOP)
    pair = exchange(fake).json()
    fake.revoke_tokens(SHOP)
    assert gql(fake, pair["access_token"], "{ shop { name } }").status_code == 401
    refused = token_post(fake, grant_type="refresh_token", refresh_token=pair["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    again = exchange(fake).json()  # the app stays installed: a new exchange works
    assert gql(fake, again["access_token"], "{ shop { name } }").status_code == 200


def test_injected_token_failure_then_normal_service(fake: FakeShopify) -> None:
    fake.install(SHOP)
    fake.fail_next_token_request(status=503, body={"errors": "unavailable"})
    failed = exchange(fake)
    assert failed.status_code == 503 and failed.json() == {"errors": "unavailable"}
    fake.fail_next_token_request(status=None, delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(base(fake) + "/admin/oauth/access_token", json={}, timeout=0.2)
    assert exchange(fake).status_code == 200
