"""The fake's ``giftCardCreate``: Shopify's input type, its userErrors, scopes, the code shown once."""

from __future__ import annotations

from typing import Any

from devtools.fake_shopify import FakeShopify
from tests.fake_shopify_tests.helpers import OTHER, SHOP, gql

CREATE = """
mutation Create($input: GiftCardCreateInput!) {
  giftCardCreate(input: $input) {
    giftCard { id lastCharacters maskedCode enabled expiresOn note
               initialValue { amount currencyCode } balance { amount currencyCode }
               customer { id } }
    giftCardCode
    userErrors { field code message }
  }
}"""


def card_input(customer: str, amount: str = "100.00", **overrides: Any) -> dict[str, Any]:
    return {
        "customerId": customer,
        "initialAmount": {"amount": amount, "currencyCode": "NOK"},
        **overrides,
    }


def test_a_gift_card_is_created_for_a_customer_with_its_code_answered_once(
    fake: FakeShopify, token: str
) -> None:
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    body = gql(fake, token, CREATE, {"input": card_input(customer, note="Klubb #7")}).json()
    payload = body["data"]["giftCardCreate"]
    assert payload["userErrors"] == []
    code = payload["giftCardCode"]
    assert len(code) == 16 and code.isalnum()
    card = payload["giftCard"]
    assert card["id"].startswith("gid://shopify/GiftCard/")
    assert card["lastCharacters"] == code[-4:]
    assert card["maskedCode"].endswith(code[-4:]) and code[:12] not in card["maskedCode"]
    assert card["initialValue"] == card["balance"] == {"amount": "100.0", "currencyCode": "NOK"}
    assert (card["enabled"], card["note"], card["customer"]) == (True, "Klubb #7", {"id": customer})
    assert fake.shops[SHOP].gift_card_by_code(code.upper()) is not None

    # Afterwards Shopify shows the last characters only.
    read = gql(
        fake,
        token,
        "query($id: ID!) { giftCard(id: $id) { lastCharacters maskedCode } }",
        {"id": card["id"]},
    ).json()
    assert read["data"]["giftCard"]["lastCharacters"] == code[-4:]


def test_gift_card_user_errors(fake: FakeShopify, token: str) -> None:
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)

    def errors(data: dict[str, Any]) -> set[tuple[tuple[str, ...], str]]:
        payload = gql(fake, token, CREATE, {"input": data}).json()["data"]["giftCardCreate"]
        assert payload["giftCard"] is None and payload["giftCardCode"] is None
        return {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}

    assert errors(card_input(customer, amount="0")) == {
        (("input", "initialAmount", "amount"), "GREATER_THAN")
    }
    assert errors({"customerId": customer}) == {(("input", "initialAmount"), "MISSING_ARGUMENT")}
    assert errors(card_input("gid://shopify/Customer/999")) == {
        (("input", "customerId"), "CUSTOMER_NOT_FOUND")
    }
    assert errors(card_input(customer, code="short")) == {(("input", "code"), "TOO_SHORT")}
    assert errors(card_input(customer, code="not-letters-1")) == {(("input", "code"), "INVALID")}
    assert errors(card_input(customer, expiresOn="2001-01-01")) == {
        (("input", "expiresOn"), "INVALID")
    }
    gql(fake, token, CREATE, {"input": card_input(customer, code="klubbcard1")})
    assert errors(card_input(customer, code="KLUBBCARD1")) == {(("input", "code"), "TAKEN")}
    assert len(fake.shops[SHOP].gift_cards) == 1


def test_shopify_s_input_type_is_enforced(fake: FakeShopify, token: str) -> None:
    """``initialAmount`` is a MoneyInput; a bare number or a made-up field does not validate."""
    customer = fake.shops[SHOP].add_customer(101, "Kari", "Nordmann", "kari@example.com", None)
    bare = gql(fake, token, CREATE, {"input": {"customerId": customer, "initialAmount": "10"}})
    assert "errors" in bare.json() and "data" not in bare.json()
    made_up = gql(fake, token, CREATE, {"input": {**card_input(customer), "amount": "10"}})
    assert made_up.json()["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    bad_date = gql(fake, token, CREATE, {"input": card_input(customer, expiresOn="tomorrow")})
    assert bad_date.json()["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def test_gift_cards_need_their_scope(fake: FakeShopify) -> None:
    fake.install(OTHER, scopes="read_customers,write_customers,write_discounts")
    limited = fake.issue_token(OTHER)["access_token"]
    customer = fake.shops[OTHER].add_customer(5, "Ola", "Nordmann", "ola@example.com", None)
    body = gql(fake, limited, CREATE, {"input": card_input(customer)}, shop=OTHER).json()
    assert body["data"] == {"giftCardCreate": None}
    assert body["errors"][0]["extensions"]["requiredAccess"] == "`write_gift_cards` access scope."
    assert fake.shops[OTHER].gift_cards == {}
