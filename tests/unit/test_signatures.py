"""Shopify's three signatures, checked against the examples Shopify documents."""

from __future__ import annotations

import pytest

from loyalty.shopify.signatures import (
    is_valid_shop_domain,
    oauth_signature,
    proxy_signature,
    timestamp_is_fresh,
    verify_oauth_query,
    verify_proxy_query,
    verify_webhook,
    webhook_signature,
)

OAUTH_EXAMPLE = {
    "code": "0907a61c0c8d55e99db179b68161bc00",
    "shop": "some-shop.myshopify.com",
    "timestamp": "1337178173",
}
OAUTH_HMAC = "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
PROXY_EXAMPLE = {
    "extra": ["1", "2"],
    "logged_in_customer_id": ["1"],
    "path_prefix": ["/apps/awesome_reviews"],
    "shop": ["shop-name.myshopify.com"],
    "timestamp": ["1317327555"],
}
PROXY_SIGNATURE = "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"


def test_oauth_hmac_matches_shopifys_documented_example():
    assert oauth_signature(OAUTH_EXAMPLE, "hush") == OAUTH_HMAC
    assert verify_oauth_query({**OAUTH_EXAMPLE, "hmac": OAUTH_HMAC}, ["hush"])


def test_oauth_hmac_rejects_a_changed_parameter_or_a_missing_hmac():
    assert not verify_oauth_query(
        {**OAUTH_EXAMPLE, "shop": "x.myshopify.com", "hmac": OAUTH_HMAC}, ["hush"]
    )
    assert not verify_oauth_query(OAUTH_EXAMPLE, ["hush"])
    assert not verify_oauth_query({**OAUTH_EXAMPLE, "hmac": OAUTH_HMAC}, ["other"])


def test_oauth_hmac_accepts_the_previous_secret_during_rotation():
    assert verify_oauth_query({**OAUTH_EXAMPLE, "hmac": OAUTH_HMAC}, ["new-secret", "hush"])


def test_proxy_signature_matches_shopifys_documented_example():
    assert proxy_signature(PROXY_EXAMPLE, "hush") == PROXY_SIGNATURE
    assert verify_proxy_query({**PROXY_EXAMPLE, "signature": [PROXY_SIGNATURE]}, ["hush"])


def test_proxy_signature_rejects_tampering_and_duplicate_signatures():
    tampered = {**PROXY_EXAMPLE, "logged_in_customer_id": ["2"], "signature": [PROXY_SIGNATURE]}
    assert not verify_proxy_query(tampered, ["hush"])
    doubled = {**PROXY_EXAMPLE, "signature": [PROXY_SIGNATURE, PROXY_SIGNATURE]}
    assert not verify_proxy_query(doubled, ["hush"])
    assert not verify_proxy_query(PROXY_EXAMPLE, ["hush"])


def test_webhook_signature_is_base64_hmac_of_the_raw_bytes():
    body = b'{"id": 1}'
    header = webhook_signature(body, "hush")
    assert verify_webhook(body, header, ["hush"])
    assert not verify_webhook(b'{"id":1}', header, ["hush"])  # same JSON, other bytes
    assert not verify_webhook(body, None, ["hush"])
    assert not verify_webhook(body, "", ["hush"])
    assert verify_webhook(body, header, ["new", "hush"])


@pytest.mark.parametrize(
    ("shop", "valid"),
    [
        ("demo.myshopify.com", True),
        ("my-shop-2.myshopify.com", True),
        ("Demo.myshopify.com", False),
        ("https://demo.myshopify.com", False),
        ("demo.myshopify.com/admin", False),
        ("demo.myshopify.com:443", False),
        ("demo.myshopify.com.evil.com", False),
        ("-demo.myshopify.com", False),
        ("demo.shopify.com", False),
        ("", False),
        (None, False),
        # ShopifyAPI's sanitize_shop_domain repairs these into a domain; we refuse them
        ("demo", False),
        ("demo.myshopify.com?shop=evil", False),
        ("demo.myshopify.com#admin", False),
        (" demo.myshopify.com", False),
        ("de\tmo.myshopify.com", False),
        ("shophttps://.myshopify.com", False),
        # ... and has no length limit: a label is at most 63 characters
        ("d" * 63 + ".myshopify.com", True),
        ("d" * 64 + ".myshopify.com", False),
        # its pattern is stricter than ours was: a label ends with a letter or digit
        ("demo-.myshopify.com", False),
    ],
)
def test_shop_domain_rule(shop, valid):
    assert is_valid_shop_domain(shop) is valid


@pytest.mark.parametrize(
    "shop", ["demo", "Demo.myshopify.com", "demo.myshopify.com/admin", "de\tmo.myshopify.com"]
)
def test_shopifyapi_would_repair_what_we_refuse(shop):
    """The library we build on accepts these (repaired); the rule keeps refusing them."""
    from shopify.utils.shop_url import sanitize_shop_domain

    assert sanitize_shop_domain(shop) == "demo.myshopify.com"
    assert not is_valid_shop_domain(shop)


def test_timestamps_older_or_newer_than_90_seconds_are_stale():
    assert timestamp_is_fresh("1000", now=1090)
    assert not timestamp_is_fresh("1000", now=1091)
    assert not timestamp_is_fresh("1200", now=1000)
    assert not timestamp_is_fresh("soon", now=1000)
    assert not timestamp_is_fresh(None, now=1000)


def test_oauth_hmac_over_form_encoded_values_is_accepted_too():
    """Shopify's JS library signs the form-encoded query; values with ``/`` or ``+`` differ."""
    params = {"host": "YWRtaW4/c2hvcCtmb28=", "shop": "some-shop.myshopify.com", "timestamp": "1"}
    encoded = oauth_signature(params, "hush", encode=True)
    assert encoded != oauth_signature(params, "hush")
    assert verify_oauth_query({**params, "hmac": encoded}, ["hush"])
    assert not verify_oauth_query({**params, "hmac": encoded}, ["other"])
