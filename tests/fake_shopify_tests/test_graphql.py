"""The fake Shopify's GraphQL Admin API: validation, versions, cost and throttling, scopes."""

from __future__ import annotations

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import OTHER, SHOP, gql

# ---------------------------------------------------------------------------------------
# GraphQL: validation, versions, cost


def test_shop_query_and_cost_extension(fake: FakeShopify, token: str) -> None:
    body = gql(
        fake,
        token,
        "{ shop { id name email currencyCode ianaTimezone myshopifyDomain "
        "primaryDomain { host url } } }",
    ).json()
    shop = body["data"]["shop"]
    assert shop["currencyCode"] == "NOK" and shop["ianaTimezone"] == "Europe/Oslo"
    assert shop["myshopifyDomain"] == SHOP and shop["primaryDomain"]["host"] == SHOP
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == cost["actualQueryCost"] == 2
    assert cost["throttleStatus"]["maximumAvailable"] == 2000
    assert cost["throttleStatus"]["restoreRate"] == 100


def test_invalid_queries_get_shopify_shaped_errors(fake: FakeShopify, token: str) -> None:
    unknown = gql(fake, token, "query Probe { shop { id nope } }").json()
    assert "data" not in unknown
    assert unknown["errors"] == [
        {
            "message": "Field 'nope' doesn't exist on type 'Shop'",
            "locations": [{"line": 1, "column": 25}],
            "path": ["query Probe", "shop", "nope"],
            "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nope"},
        }
    ]
    missing = gql(fake, token, 'mutation { tagsAdd(tags: ["x"]) { node { id } } }').json()
    assert missing["errors"][0]["message"] == "Field 'tagsAdd' is missing required arguments: id"
    assert missing["errors"][0]["extensions"]["code"] == "missingRequiredArguments"
    syntax = gql(fake, token, "{ shop { id ").json()
    assert syntax["errors"][0]["extensions"] == {"code": "PARSE_ERROR"}
    assert syntax["errors"][0]["message"].startswith("syntax error, unexpected end of file")
    variable = gql(fake, token, "query C($id: ID!) { customer(id: $id) { id } }").json()
    assert variable["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert variable["errors"][0]["message"] == "Variable $id of type ID! was provided invalid value"


def test_versions_404_and_fall_forward(fake: FakeShopify, token: str) -> None:
    assert gql(fake, token, "{ shop { id } }", version="2027-01").status_code == 404
    assert gql(fake, token, "{ shop { id } }", version="banana").status_code == 404
    old = gql(fake, token, "{ shop { id } }", version="2024-01")
    assert old.status_code == 200 and old.headers["X-Shopify-API-Version"] == "2026-01"


def test_throttled_and_bucket_refills_by_clock(fake: FakeShopify, token: str) -> None:
    fake.throttle(SHOP, available=0)
    throttled = gql(fake, token, "{ shop { id } }")
    assert throttled.status_code == 200
    body = throttled.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    fake.advance(1)
    assert "data" in gql(fake, token, "{ shop { id } }").json()


def test_single_query_cost_limit(fake: FakeShopify, token: str) -> None:
    body = gql(
        fake,
        token,
        "{ customers(first: 250) { nodes { id orders(first: 250) { nodes { id } } } } }",
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_access_scopes_are_enforced(fake: FakeShopify) -> None:
    fake.install(OTHER, scopes="read_customers")
    limited = fake.issue_token(OTHER)["access_token"]
    body = gql(
        fake,
        limited,
        'mutation { discountCodeDelete(id: "gid://shopify/DiscountCodeNode/1")'
        " { deletedCodeDiscountId } }",
        shop=OTHER,
    ).json()
    assert body["data"] == {"discountCodeDelete": None}
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert body["errors"][0]["extensions"]["requiredAccess"] == "`write_discounts` access scope."


def test_connections_need_first_or_last(fake: FakeShopify, token: str) -> None:
    body = gql(fake, token, "{ customers { nodes { id } } }").json()
    assert body["errors"][0]["message"] == "you must provide one of first or last"
