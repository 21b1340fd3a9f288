"""Tests of the fake Shopify itself: it must be as strict as Shopify, or tests lie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import jwt
import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.fake_shopify import FakeShopify, query_hmac, sign_webhook

KEY = "3f1c0ffee4a5b6c7d8e9f00112233445"
SECRET = "shpss_0123456789abcdef0123456789abcdef"
SHOP = "demo-shop.myshopify.com"
OTHER = "other-shop.myshopify.com"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"
BAD_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    """A running fake with two shops (neither installed yet)."""
    server = FakeShopify(api_key=KEY, api_secret=SECRET, app_url="http://127.0.0.1:5999")
    server.start()
    server.add_shop(SHOP, name="Demo", currency="NOK", timezone="Europe/Oslo", locale="nb")
    server.add_shop(OTHER, name="Other")
    yield server
    server.stop()


def base(fake: FakeShopify, shop: str = SHOP) -> str:
    return fake.shop_url_template.format(shop=shop)


def token_post(
    fake: FakeShopify, shop: str = SHOP, *, form: bool = False, **body: Any
) -> requests.Response:
    payload = {"client_id": KEY, "client_secret": SECRET, **body}
    url = base(fake, shop) + "/admin/oauth/access_token"
    if form:
        return requests.post(url, data=payload, timeout=5)
    return requests.post(url, json=payload, timeout=5)


def exchange(
    fake: FakeShopify, shop: str = SHOP, *, expiring: Any = "1", **kw: Any
) -> requests.Response:
    subject = kw.pop("subject_token", None) or fake.session_token(shop)
    return token_post(
        fake,
        shop,
        grant_type=EXCHANGE,
        subject_token=subject,
        subject_token_type=ID_TOKEN,
        requested_token_type=kw.pop("requested_token_type", OFFLINE),
        expiring=expiring,
        **kw,
    )


def gql(
    fake: FakeShopify,
    token: str,
    query: str,
    variables: dict | None = None,
    *,
    shop: str = SHOP,
    version: str = "2026-10",
) -> requests.Response:
    url = f"{base(fake, shop)}/admin/api/{version}/graphql.json"
    return requests.post(
        url,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5,
    )


@pytest.fixture
def token(fake: FakeShopify) -> str:
    """An expiring offline token for SHOP (installed by the helper)."""
    return fake.issue_token(SHOP)["access_token"]


def independent_hmac(params: dict[str, str], secret: str) -> str:
    """The callback HMAC computed without the fake's helper (sorted, form-encoded k=v)."""
    items = sorted((k, v) for k, v in params.items() if k != "hmac")
    message = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------
# HMAC helpers


def test_query_hmac_matches_shopify_test_vector() -> None:
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
    }
    assert query_hmac(params, "hush") == (
        "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
    )


# ---------------------------------------------------------------------------------------
# Authorization code grant


def authorize(fake: FakeShopify, **params: str) -> requests.Response:
    query = {
        "client_id": KEY,
        "scope": "read_customers,write_discounts",
        "redirect_uri": "http://127.0.0.1:5999/auth/callback",
        "state": "n0nce",
        **params,
    }
    return requests.get(fake.authorize_url(SHOP), params=query, allow_redirects=False, timeout=5)


def test_authorize_redirects_with_signed_callback_and_code_is_single_use(fake: FakeShopify) -> None:
    response = authorize(fake)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "http://127.0.0.1:5999/auth/callback"
    )
    params = dict(parse_qsl(location.query))
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert base64.b64decode(params["host"] + "==").decode() == "admin.shopify.com/store/demo-shop"
    assert not params["host"].endswith("=")
    assert params["shop"] == SHOP and params["state"] == "n0nce"
    assert not fake.shops[SHOP].installed

    first = token_post(fake, code=params["code"])
    assert first.status_code == 200
    assert set(first.json()) == {"access_token", "scope"}  # no expiring=1: non-expiring
    assert fake.shops[SHOP].installed
    reused = token_post(fake, code=params["code"])
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used",
    }
    assert [r["ok"] for r in fake.token_requests] == [True, False]


def test_authorize_refuses_bad_client_redirect_and_scope(fake: FakeShopify) -> None:
    assert authorize(fake, client_id="nope").status_code == 400
    assert "Could not find Shopify API application" in authorize(fake, client_id="nope").text
    assert authorize(fake, redirect_uri="https://evil.example/cb").status_code == 400
    refused = authorize(fake, scope="read_customers,write_products")
    assert refused.status_code == 400 and "write_products" in refused.text


def test_code_exchange_form_encoded_expiring_and_code_expiry(fake: FakeShopify) -> None:
    code = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    body = token_post(fake, form=True, code=code, expiring="1").json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "scope",
    }
    assert body["expires_in"] == 3600 and body["refresh_token_expires_in"] == 7776000
    late = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    fake.advance(61)
    assert token_post(fake, code=late).status_code == 400


def test_wrong_secret_is_refused_without_consuming_the_code(fake: FakeShopify) -> None:
    code = dict(parse_qsl(urlsplit(authorize(fake).headers["Location"]).query))["code"]
    wrong = token_post(fake, code=code, client_secret="not-the-secret")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_client"
    assert token_post(fake, code=code).status_code == 200


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


def test_injected_token_failure_then_normal_service(fake: FakeShopify) -> None:
    fake.install(SHOP)
    fake.fail_next_token_request(status=503, body={"errors": "unavailable"})
    failed = exchange(fake)
    assert failed.status_code == 503 and failed.json() == {"errors": "unavailable"}
    fake.fail_next_token_request(status=None, delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(base(fake) + "/admin/oauth/access_token", json={}, timeout=0.2)
    assert exchange(fake).status_code == 200


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


# ---------------------------------------------------------------------------------------
# GraphQL: mutations

CREATE = """
mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic {
      title status codes(first: 1) { nodes { code } }
      context { ... on DiscountCustomers { customers { id } } } } } }
    userErrors { field code message }
  }
}"""


def reward_input(customer: str, code: str = "KLUBB-100", **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "100 kr reward",
        "code": code,
        "startsAt": "2026-01-01T00:00:00Z",
        "context": {"customers": {"add": [customer]}},
        "customerGets": {
            "value": {"discountAmount": {"amount": "100.00", "appliesOnEachItem": False}},
            "items": {"all": True},
        },
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
    }
    data.update(overrides)
    return data


def test_discount_create_taken_and_validation(fake: FakeShopify, token: str) -> None:
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    created = gql(fake, token, CREATE, {"input": reward_input(customer)}).json()
    payload = created["data"]["discountCodeBasicCreate"]
    assert payload["userErrors"] == []
    node = payload["codeDiscountNode"]
    assert node["id"].startswith("gid://shopify/DiscountCodeNode/")
    assert node["codeDiscount"]["codes"]["nodes"] == [{"code": "KLUBB-100"}]
    assert node["codeDiscount"]["context"]["customers"] == [{"id": customer}]
    assert fake.shops[SHOP].discount_by_code("klubb-100") is not None

    taken = gql(fake, token, CREATE, {"input": reward_input(customer, code="klubb-100")}).json()
    assert taken["data"]["discountCodeBasicCreate"] == {
        "codeDiscountNode": None,
        "userErrors": [
            {
                "field": ["basicCodeDiscount", "code"],
                "code": "TAKEN",
                "message": "Code must be unique. Please try a different code.",
            }
        ],
    }

    bad = reward_input(
        "gid://shopify/Customer/999",
        code="NEW",
        title="",
        customerGets={"value": {"percentage": 1.5}, "items": {"all": True}},
    )
    errors = gql(fake, token, CREATE, {"input": bad}).json()["data"]["discountCodeBasicCreate"]
    codes = {(tuple(e["field"]), e["code"]) for e in errors["userErrors"]}
    assert codes == {
        (("basicCodeDiscount", "title"), "BLANK"),
        (("basicCodeDiscount", "context", "customers", "add"), "INVALID"),
        (("basicCodeDiscount", "customerGets", "value", "percentage"), "VALUE_OUTSIDE_RANGE"),
    }
    assert fake.shops[SHOP].discount_by_code("NEW") is None


def test_discount_delete_and_free_shipping(fake: FakeShopify, token: str) -> None:
    mutation = """mutation($input: DiscountCodeFreeShippingInput!) {
      discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
        codeDiscountNode { id } userErrors { field message } } }"""
    data = {
        "title": "Free shipping",
        "code": "SHIPFREE",
        "startsAt": "2026-01-01T00:00:00Z",
        "context": {"all": "ALL"},
        "destination": {"all": True},
    }
    node_id = gql(fake, token, mutation, {"input": data}).json()["data"][
        "discountCodeFreeShippingCreate"
    ]["codeDiscountNode"]["id"]
    delete = (
        "mutation($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId "
        "userErrors { field code message } } }"
    )
    assert gql(fake, token, delete, {"id": node_id}).json()["data"]["discountCodeDelete"] == {
        "deletedCodeDiscountId": node_id,
        "userErrors": [],
    }
    again = gql(fake, token, delete, {"id": node_id}).json()["data"]["discountCodeDelete"]
    assert again["deletedCodeDiscountId"] is None
    assert again["userErrors"][0]["message"] == "Code discount does not exist."


SET = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { namespace key value compareDigest } userErrors { field code message } } }"""


def test_metafields_set_app_namespace_and_compare_digest(fake: FakeShopify, token: str) -> None:
    shop = fake.shops[SHOP]
    customer = shop.add_customer(7, "Ola", None, "ola@example.com", None)
    item = {
        "ownerId": customer,
        "namespace": "$app:loyalty",
        "key": "points",
        "type": "number_integer",
        "value": "10",
        "compareDigest": None,
    }
    first = gql(fake, token, SET, {"m": [item]}).json()["data"]["metafieldsSet"]
    assert first["userErrors"] == []
    written = first["metafields"][0]
    assert written["namespace"] == f"app--{fake.app_id}--loyalty"
    # compareDigest null for an existing metafield: stale.
    stale = gql(fake, token, SET, {"m": [item]}).json()["data"]["metafieldsSet"]
    assert stale["userErrors"][0]["code"] == "STALE_OBJECT"
    updated = gql(
        fake, token, SET, {"m": [dict(item, value="25", compareDigest=written["compareDigest"])]}
    )
    assert updated.json()["data"]["metafieldsSet"]["metafields"][0]["value"] == "25"
    assert shop.metafield(customer, f"app--{fake.app_id}--loyalty", "points").value == "25"
    read = gql(
        fake,
        token,
        "query($id: ID!) { customer(id: $id) { metafield(namespace: "
        '"$app:loyalty", key: "points") { value type } } }',
        {"id": customer},
    )
    assert read.json()["data"]["customer"]["metafield"] == {"value": "25", "type": "number_integer"}
    missing = dict(item, key="other", compareDigest="0" * 64)
    invalid = gql(fake, token, SET, {"m": [missing]}).json()["data"]["metafieldsSet"]
    assert invalid["userErrors"][0]["code"] == "INVALID_COMPARE_DIGEST"


def test_metafields_set_is_atomic_and_limited_to_25(fake: FakeShopify, token: str) -> None:
    shop = fake.shops[SHOP]
    customer = shop.add_customer(8, "Per", None, None, None)
    good = {
        "ownerId": customer,
        "namespace": "$app:loyalty",
        "key": "tier",
        "type": "single_line_text_field",
        "value": "gold",
    }
    bad = dict(good, key="points", type="number_integer", value="lots")
    result = gql(fake, token, SET, {"m": [good, bad]}).json()["data"]["metafieldsSet"]
    assert result["metafields"] == []
    assert result["userErrors"] == [
        {
            "field": ["metafields", "1", "value"],
            "code": "INVALID_VALUE",
            "message": "Value must be an integer.",
        }
    ]
    assert shop.metafields == {}
    many = [dict(good, key=f"k{i:02d}") for i in range(26)]
    over = gql(fake, token, SET, {"m": many}).json()["data"]["metafieldsSet"]
    assert over["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"


def test_tags_and_marketing_consent(fake: FakeShopify, token: str) -> None:
    shop = fake.shops[SHOP]
    customer = shop.add_customer(9, "Ada", "L", "ada@example.com", "+4790000001")
    tags = (
        "mutation($id: ID!, $t: [String!]!) { tagsAdd(id: $id, tags: $t) { node { id } "
        "userErrors { field message } } }"
    )
    assert (
        gql(fake, token, tags, {"id": customer, "t": ["klubb-gold", "vip"]}).json()["data"][
            "tagsAdd"
        ]["userErrors"]
        == []
    )
    assert shop.tags_of(customer) == ["klubb-gold", "vip"]
    remove = tags.replace("tagsAdd", "tagsRemove")
    gql(fake, token, remove, {"id": customer, "t": ["vip"]})
    assert shop.tags_of(customer) == ["klubb-gold"]
    nobody = gql(fake, token, tags, {"id": "gid://shopify/Customer/404", "t": ["x"]}).json()
    assert nobody["data"]["tagsAdd"]["userErrors"] == [
        {"field": ["id"], "message": "Customer does not exist"}
    ]

    consent = """mutation($input: CustomerEmailMarketingConsentUpdateInput!) {
      customerEmailMarketingConsentUpdate(input: $input) {
        customer { defaultEmailAddress { marketingState } } userErrors { field code message } } }"""
    subscribed = gql(
        fake,
        token,
        consent,
        {
            "input": {
                "customerId": customer,
                "emailMarketingConsent": {
                    "marketingState": "SUBSCRIBED",
                    "marketingOptInLevel": "SINGLE_OPT_IN",
                },
            }
        },
    ).json()
    assert subscribed["data"]["customerEmailMarketingConsentUpdate"]["customer"] == {
        "defaultEmailAddress": {"marketingState": "SUBSCRIBED"}
    }
    assert shop.customers[customer].email_consent.state == "SUBSCRIBED"
    pending = gql(
        fake,
        token,
        consent,
        {
            "input": {
                "customerId": customer,
                "emailMarketingConsent": {
                    "marketingState": "PENDING",
                    "marketingOptInLevel": "SINGLE_OPT_IN",
                },
            }
        },
    ).json()
    assert (
        pending["data"]["customerEmailMarketingConsentUpdate"]["userErrors"][0]["code"] == "INVALID"
    )
    sms = (
        consent.replace("Email", "Sms")
        .replace("email", "sms")
        .replace("defaultSmsAddress { marketingState }", "defaultPhoneNumber { marketingState }")
    )
    unsubscribed = gql(
        fake,
        token,
        sms,
        {
            "input": {
                "customerId": customer,
                "smsMarketingConsent": {
                    "marketingState": "UNSUBSCRIBED",
                    "marketingOptInLevel": "SINGLE_OPT_IN",
                },
            }
        },
    ).json()
    assert unsubscribed["data"]["customerSmsMarketingConsentUpdate"]["userErrors"] == []
    assert shop.customers[customer].sms_consent.state == "UNSUBSCRIBED"


def test_bulk_query_produces_jsonl_with_parent_ids(fake: FakeShopify, token: str) -> None:
    shop = fake.shops[SHOP]
    kari = shop.add_customer(11, "Kari", None, "kari@example.com", None)
    shop.add_order(21, customer=kari, subtotal="250.00")
    shop.add_order(22, customer=kari, subtotal="99.00", processed_at=fake.clock.now() - 90 * 86400)
    run = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
      bulkOperation { id status } userErrors { field message code } } }"""
    inner = "{ customers { edges { node { id email orders { edges { node { id } } } } } } }"
    started = gql(fake, token, run, {"q": inner}).json()["data"]["bulkOperationRunQuery"]
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    current = gql(fake, token, "{ currentBulkOperation { status objectCount url } }").json()
    op = current["data"]["currentBulkOperation"]
    assert op["status"] == "COMPLETED"
    lines = [json.loads(x) for x in requests.get(op["url"], timeout=5).text.splitlines()]
    # The 90-day-old order needs read_all_orders, which the app does not have.
    assert lines == [
        {"id": kari, "email": "kari@example.com"},
        {"id": "gid://shopify/Order/21", "__parentId": kari},
    ]
    assert op["objectCount"] == "2"
    no_conn = gql(fake, token, run, {"q": "{ shop { id } }"}).json()
    assert no_conn["data"]["bulkOperationRunQuery"]["userErrors"][0]["message"] == (
        "Bulk queries must contain at least one connection."
    )


# ---------------------------------------------------------------------------------------
# Webhooks


class Receiver:
    """A local endpoint that records webhook deliveries and answers with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks"

    def app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        self.calls.append((dict(request.headers), request.get_data()))
        status = self.statuses[min(len(self.calls), len(self.statuses)) - 1]
        return Response("", status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver([200])
    yield box
    box.server.shutdown()


def test_webhook_is_signed_like_shopify(fake: FakeShopify, receiver: Receiver) -> None:
    response = fake.send_webhook(
        "orders/create", SHOP, {"id": 820982911946154500, "note": "æøå"}, address=receiver.url
    )
    assert response.status_code == 200
    headers, body = receiver.calls[0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert headers["X-Shopify-Hmac-Sha256"] == expected == sign_webhook(body, SECRET)
    assert json.loads(body) == {"id": 820982911946154500, "note": "æøå"}
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == SHOP
    assert headers["X-Shopify-Api-Version"] == "2026-10"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
    fake.send_webhook("orders/create", SHOP, {"id": 1}, address=receiver.url)
    second = receiver.calls[1][0]
    assert second["X-Shopify-Event-Id"] != headers["X-Shopify-Event-Id"]
    assert second["X-Shopify-Webhook-Id"] != headers["X-Shopify-Webhook-Id"]


def test_webhook_retries_with_same_body_and_headers(fake: FakeShopify) -> None:
    failing = Receiver([500, 302, 500, 200])
    try:
        response = fake.send_webhook(
            "customers/redact",
            SHOP,
            b'{"shop_id":1}',
            retry=True,
            address=failing.url,
            event_id="evt-1",
        )
        assert response.status_code == 200
        assert len(failing.calls) == 4
        first_headers, first_body = failing.calls[0]
        for headers, body in failing.calls[1:]:
            assert body == first_body
            assert headers["X-Shopify-Hmac-Sha256"] == first_headers["X-Shopify-Hmac-Sha256"]
            assert headers["X-Shopify-Event-Id"] == "evt-1"
            assert headers["X-Shopify-Webhook-Id"] == first_headers["X-Shopify-Webhook-Id"]
    finally:
        failing.server.shutdown()
    dead = Receiver([500])
    try:
        assert (
            fake.send_webhook("shop/redact", SHOP, {}, retry=True, address=dead.url).status_code
            == 500
        )
        assert len(dead.calls) == 9
    finally:
        dead.server.shutdown()


# ---------------------------------------------------------------------------------------
# Admin page and CDN stand-ins


class _FrameFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.src: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.src = dict(attrs).get("src")


def test_admin_page_installs_and_frames_app_with_verifiable_hmac(fake: FakeShopify) -> None:
    page = requests.get(fake.admin_app_url(SHOP, "/rewards") + "?tab=history", timeout=5)
    assert page.status_code == 200 and "Demo" in page.text
    assert fake.shops[SHOP].installed
    finder = _FrameFinder()
    finder.feed(page.text)
    assert finder.src is not None
    src = urlsplit(finder.src)
    assert f"{src.scheme}://{src.netloc}{src.path}" == "http://127.0.0.1:5999/rewards"
    params = dict(parse_qsl(src.query))
    assert set(params) == {
        "embedded",
        "hmac",
        "host",
        "id_token",
        "locale",
        "session",
        "shop",
        "tab",
        "timestamp",
    }
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert params["embedded"] == "1" and params["locale"] == "nb" and params["shop"] == SHOP
    claims = jwt.decode(params["id_token"], SECRET, algorithms=["HS256"], audience=KEY)
    assert claims["dest"] == f"https://{SHOP}" and claims["iss"] == f"https://{SHOP}/admin"
    # The session token in the frame is good for token exchange.
    assert exchange(fake, subject_token=params["id_token"]).status_code == 200


def test_admin_page_opens_the_app_in_the_language_of_its_own_locale_parameter(
    fake: FakeShopify,
) -> None:
    """``?locale=en`` on the admin URL overrides the shop's locale (nb) in the signed frame
    URL, and the admin's own link to the app keeps it; without it the shop's locale is used."""
    page = requests.get(fake.admin_app_url(SHOP, "/members") + "?locale=en&tab=all", timeout=5)
    finder = _FrameFinder()
    finder.feed(page.text)
    assert finder.src is not None
    params = dict(parse_qsl(urlsplit(finder.src).query))
    assert params["locale"] == "en" and params["tab"] == "all"
    assert params["hmac"] == independent_hmac(params, SECRET)
    assert f'href="{urlsplit(fake.admin_app_url(SHOP)).path}?locale=en"' in page.text
    assert '"locale": "en"' in page.text

    plain = requests.get(fake.admin_app_url(SHOP, "/members"), timeout=5)
    finder = _FrameFinder()
    finder.feed(plain.text)
    assert finder.src is not None and dict(parse_qsl(urlsplit(finder.src).query))["locale"] == "nb"
    assert '"locale": null' in plain.text


def test_admin_session_token_endpoint_is_same_origin_only(fake: FakeShopify) -> None:
    url = f"{fake.url}/{SHOP}/admin/_fake/session_token"
    fake.install(SHOP)
    assert requests.post(url, headers={"Origin": fake.url}, timeout=5).status_code == 200
    assert (
        requests.post(url, headers={"Origin": "http://evil.example"}, timeout=5).status_code == 403
    )


def test_cdn_stand_ins_are_served(fake: FakeShopify) -> None:
    for name in ("app-bridge.js", "polaris.js"):
        response = requests.get(f"{fake.url}/cdn/shopifycloud/{name}", timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/javascript")


@pytest.mark.browser
def test_admin_frames_app_and_answers_app_bridge_in_a_browser(browser: Any) -> None:
    """The stand-ins in Chromium: id tokens by postMessage, Authorization on fetch, a form."""
    seen: dict[str, Any] = {}

    def app(environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/ping":
            seen["auth"] = request.headers.get("Authorization")
            response = Response("pong")
        elif request.path == "/save":
            seen["form"] = request.form.to_dict()
            response = Response("saved")
        else:
            response = Response(page_html, content_type="text/html")
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True).start()
    fake = FakeShopify(KEY, SECRET, app_url=f"http://127.0.0.1:{server.server_port}").start()
    fake.add_shop(SHOP, name="Demo")
    page_html = (
        "<!DOCTYPE html><html lang='en'><head><title>App</title>"
        f"<script src='{fake.url}/cdn/shopifycloud/app-bridge.js' data-api-key='{KEY}'></script>"
        f"<script src='{fake.url}/cdn/shopifycloud/polaris.js'></script></head><body>"
        "<s-page heading='Settings'><form method='post' action='/save'>"
        "<s-number-field label='Points per krone' name='rate' value='1'></s-number-field>"
        "<s-checkbox label='Enabled' name='enabled'></s-checkbox>"
        "<s-button variant='primary' type='submit'>Save</s-button></form></s-page>"
        "<script>fetch('/ping').then(r => r.text()).then(t => { window.pinged = t; });"
        "shopify.toast.show('Hello');</script></body></html>"
    )
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(fake.admin_app_url(SHOP))
        frame = page.frame_locator("#app-iframe")
        frame.get_by_label("Points per krone").fill("3")
        frame.get_by_label("Enabled").check()
        page.wait_for_function("window.__fakeAdmin.toasts.length > 0")
        frame.get_by_role("button", name="Save").click()
        frame.get_by_text("saved").wait_for()
        context.close()
    finally:
        fake.stop()
        server.shutdown()
    assert seen["auth"].startswith("Bearer ")
    jwt.decode(seen["auth"][7:], SECRET, algorithms=["HS256"], audience=KEY)
    assert seen["form"] == {"rate": "3", "enabled": "on"}
