"""The fake's product variants (read, deleted, repriced; a discount for one variant) and
``storeCreditAccountCredit``."""

from __future__ import annotations

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import OTHER, SHOP, gql

VARIANT = "query($id: ID!) { productVariant(id: $id) { id title displayName price product { id title status } } }"
CREDIT = """
mutation($id: ID!, $input: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $input) {
    storeCreditAccountTransaction { id amount { amount currencyCode }
      balanceAfterTransaction { amount } account { id balance { amount } } }
    userErrors { field code message }
  }
}"""
CREATE = """
mutation($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { summary
      customerGets { items { ... on DiscountProducts { productVariants(first: 5) { nodes { id } } } }
                     value { ... on DiscountAmount { amount { amount } appliesOnEachItem } } } } } }
    userErrors { field code message }
  }
}"""


def test_a_variant_is_read_repriced_and_gone_once_its_product_is_deleted(
    fake: FakeShopify, token: str
) -> None:
    shop = fake.shops[SHOP]
    (mug,) = shop.add_product_variants(11, "Klubb mug", [(21, "Blue", "149.00")])
    read = gql(fake, token, VARIANT, {"id": mug}).json()["data"]["productVariant"]
    assert read["price"] == "149.0" and read["displayName"] == "Klubb mug - Blue"
    assert read["product"] == {
        "id": "gid://shopify/Product/11",
        "title": "Klubb mug",
        "status": "ACTIVE",
    }
    shop.set_price(21, "199")
    assert (
        gql(fake, token, VARIANT, {"id": mug}).json()["data"]["productVariant"]["price"] == "199.0"
    )
    shop.delete_product(11)
    assert gql(fake, token, VARIANT, {"id": mug}).json()["data"]["productVariant"] is None


def test_a_fixed_amount_discount_for_one_variant(fake: FakeShopify, token: str) -> None:
    shop = fake.shops[SHOP]
    customer = shop.add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    (mug,) = shop.add_product_variants(11, "Klubb mug", [(21, "Blue", "149.00")])
    data = {
        "title": "Free mug",
        "code": "MUG-1",
        "startsAt": "2026-01-01T00:00:00Z",
        "context": {"customers": {"add": [customer]}},
        "customerGets": {
            "value": {"discountAmount": {"amount": "149.00", "appliesOnEachItem": False}},
            "items": {"products": {"productVariantsToAdd": [mug]}},
        },
    }
    payload = gql(fake, token, CREATE, {"input": data}).json()["data"]["discountCodeBasicCreate"]
    assert payload["userErrors"] == []
    gets = payload["codeDiscountNode"]["codeDiscount"]["customerGets"]
    assert gets["items"]["productVariants"]["nodes"] == [{"id": mug}]
    assert gets["value"] == {"amount": {"amount": "149.0"}, "appliesOnEachItem": False}

    data["code"], data["customerGets"]["items"] = (
        "MUG-2",
        {"products": {"productVariantsToAdd": ["gid://shopify/ProductVariant/999"]}},
    )
    errors = gql(fake, token, CREATE, {"input": data}).json()["data"]["discountCodeBasicCreate"]
    assert [e["code"] for e in errors["userErrors"]] == ["INVALID"]


def test_store_credit_is_credited_to_a_customer(fake: FakeShopify) -> None:
    fake.install(SHOP, "read_customers,write_store_credit_account_transactions")
    token = fake.issue_token(SHOP)["access_token"]
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    amount = {"amount": "50.00", "currencyCode": "NOK"}
    for expected in ("50.0", "100.0"):
        body = gql(fake, token, CREDIT, {"id": customer, "input": {"creditAmount": amount}}).json()
        payload = body["data"]["storeCreditAccountCredit"]
        assert payload["userErrors"] == []
        assert (
            payload["storeCreditAccountTransaction"]["balanceAfterTransaction"]["amount"]
            == expected
        )

    def codes(owner: str, value: str, currency: str = "NOK") -> list[str]:
        money = {"amount": value, "currencyCode": currency}
        body = gql(fake, token, CREDIT, {"id": owner, "input": {"creditAmount": money}}).json()
        return [e["code"] for e in body["data"]["storeCreditAccountCredit"]["userErrors"]]

    assert codes(customer, "0") == ["NEGATIVE_OR_ZERO_AMOUNT"]
    assert codes(customer, "5", "EUR") == ["UNSUPPORTED_CURRENCY"]
    assert codes("gid://shopify/Customer/999", "5") == ["OWNER_NOT_FOUND"]


def test_store_credit_needs_its_scope(fake: FakeShopify, token: str) -> None:
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    money = {"amount": "5", "currencyCode": "NOK"}
    body = gql(fake, token, CREDIT, {"id": customer, "input": {"creditAmount": money}}).json()
    assert body["errors"][0]["extensions"]["requiredAccess"] == (
        "`write_store_credit_account_transactions` access scope."
    )
    assert OTHER
