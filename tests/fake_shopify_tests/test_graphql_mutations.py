"""The fake Shopify's GraphQL mutations: discounts, metafields, tags and consent, bulk queries."""

from __future__ import annotations

import json
from typing import Any

import requests

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import SHOP, gql

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
