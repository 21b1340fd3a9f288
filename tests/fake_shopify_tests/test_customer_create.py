"""``customerCreate`` in the fake Shopify: what Shopify creates, and what it refuses."""

from __future__ import annotations

import pytest

from tests.fake_shopify_tests.helpers import SHOP, gql

CREATE = (
    "mutation C($input: CustomerInput!) { customerCreate(input: $input) {"
    " customer { id email phone tags numberOfOrders } userErrors { field message } } }"
)


@pytest.fixture
def shop(fake):
    shop = fake.shops[SHOP]
    shop.add_customer(1, "Kari", "Nordmann", "kari@example.com", "+4791234567")
    return shop


def _create(fake, token, data):
    return gql(fake, token, CREATE, {"input": data}).json()


def test_a_customer_is_created_with_its_email_and_tags(fake, token, shop):
    answer = _create(fake, token, {"email": "venn@example.com", "tags": ["a, b", "c"]})
    made = answer["data"]["customerCreate"]
    assert made["userErrors"] == []
    assert made["customer"]["email"] == "venn@example.com"
    assert made["customer"]["tags"] == ["a", "b", "c"]
    assert made["customer"]["numberOfOrders"] == "0"
    assert shop.customer(made["customer"]["id"]).email == "venn@example.com"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "KARI@example.com"}, ["email"], "Email has already been taken"),
        ({"email": "not-an-email"}, ["email"], "Email is invalid"),
        ({"phone": "+4791234567"}, ["phone"], "Phone has already been taken"),
        ({"phone": "12"}, ["phone"], "Phone is invalid"),
        (
            {"note": "nothing to know them by"},
            None,
            "Customer must have a name, phone number or email address",
        ),
    ],
)
def test_refusals_are_user_errors(fake, token, shop, data, field, message):
    made = _create(fake, token, data)["data"]["customerCreate"]
    assert made["customer"] is None
    assert made["userErrors"] == [{"field": field, "message": message}]


def test_an_unknown_input_field_is_refused_by_the_schema(fake, token, shop):
    answer = _create(fake, token, {"email": "x@example.com", "password": "secret"})
    assert answer.get("errors")
