"""The Admin GraphQL client: data, auth errors, THROTTLED and 5xx retries, named errors."""

from __future__ import annotations

import pytest

from loyalty.shopify.client import ShopifyClient
from loyalty.shopify.errors import (
    GraphQLError,
    ShopifyAuthError,
    ShopifyThrottled,
    ShopifyTimeout,
    ShopifyUnavailable,
)
from tests.support.shopify import token_grants
from tests.support.shops import SHOP

SHOP_QUERY = "query ShopName { shop { name myshopifyDomain } }"


@pytest.fixture
def token(fake_shopify, installed):
    """The access token the install stored."""
    return token_grants(fake_shopify)[0]["access_token"]


@pytest.fixture
def waits():
    """Seconds the client chose to wait between attempts."""
    return []


@pytest.fixture
def client_with(config, fake_now, waits):
    """``client_with(on_sleep)``: a client whose waits are recorded and run ``on_sleep``."""

    def build(on_sleep=lambda _s: None, **kwargs):
        def sleep(seconds):
            waits.append(seconds)
            on_sleep(seconds)

        return ShopifyClient(config, clock=fake_now, sleep=sleep, **kwargs)

    return build


@pytest.mark.embedded
def test_a_query_returns_its_data(fake_shopify, shopify, token):
    data = shopify.graphql(SHOP, token, SHOP_QUERY)
    assert data["shop"]["myshopifyDomain"] == SHOP
    (request,) = fake_shopify.graphql_requests
    assert request["version"] == "2026-10" and request["token"] == token


def test_an_expired_access_token_gets_an_auth_error(fake_shopify, shopify, token):
    fake_shopify.advance(3600 + 1)
    with pytest.raises(ShopifyAuthError) as caught:
        shopify.graphql(SHOP, token, SHOP_QUERY)
    assert caught.value.status == 401
    assert token not in str(caught.value)
    assert len(fake_shopify.graphql_requests) == 1  # not retried


def test_a_throttled_query_waits_for_the_bucket_and_succeeds(
    fake_shopify, client_with, waits, token
):
    client = client_with(on_sleep=fake_shopify.advance)
    fake_shopify.throttle(SHOP, available=0)

    data = client.graphql(SHOP, token, SHOP_QUERY)

    assert data["shop"]["myshopifyDomain"] == SHOP
    first, second = fake_shopify.graphql_requests
    assert first.get("throttled") and not second.get("throttled")
    assert len(waits) == 1 and 0 < waits[0] <= 1.0  # cost 1 at 100 points/s


def test_a_query_still_throttled_after_the_retries_raises_throttled(
    fake_shopify, client_with, waits, token
):
    client = client_with(on_sleep=lambda _s: fake_shopify.throttle(SHOP, available=0))
    fake_shopify.throttle(SHOP, available=0)

    with pytest.raises(ShopifyThrottled) as caught:
        client.graphql(SHOP, token, SHOP_QUERY)

    assert caught.value.retry_after > 0
    assert len(fake_shopify.graphql_requests) == 1 + client.max_throttle_retries
    assert len(waits) == client.max_throttle_retries


def test_a_server_error_is_retried(fake_shopify, client_with, waits, token):
    fake_shopify.fail_next_graphql_request(502)
    data = client_with().graphql(SHOP, token, SHOP_QUERY)
    assert data["shop"]["myshopifyDomain"] == SHOP
    assert [r["status"] for r in fake_shopify.graphql_requests] == [502, 200]
    assert len(waits) == 1


def test_server_errors_beyond_the_retries_raise_unavailable(
    fake_shopify, client_with, waits, token
):
    client = client_with(max_retries=2)
    for _ in range(3):
        fake_shopify.fail_next_graphql_request(503)
    with pytest.raises(ShopifyUnavailable) as caught:
        client.graphql(SHOP, token, SHOP_QUERY)
    assert caught.value.status == 503
    assert len(fake_shopify.graphql_requests) == 3


def test_a_slow_answer_times_out_without_a_retry(fake_shopify, config, token):
    client = ShopifyClient(config.with_overrides(shopify_timeout=0.3))
    fake_shopify.fail_next_graphql_request(status=None, delay=1.0)
    with pytest.raises(ShopifyTimeout):
        client.graphql(SHOP, token, SHOP_QUERY)


def test_query_errors_raise_graphql_error_with_codes_but_no_variables_in_the_message(
    fake_shopify, shopify, token
):
    query = "query One($id: ID!) { customer(id: $id) { id nope } }"
    with pytest.raises(GraphQLError) as caught:
        shopify.graphql(SHOP, token, query, {"id": "gid://shopify/Customer/secret-value"})
    assert caught.value.errors
    assert "secret-value" not in str(caught.value)
    assert all(isinstance(code, str) for code in caught.value.codes)


def test_the_token_set_repr_hides_the_tokens(fake_shopify, fake_shop, shopify):
    tokens = shopify.exchange_session_token(SHOP, fake_shopify.session_token(SHOP))
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
