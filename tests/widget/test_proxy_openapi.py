"""GET /api/openapi/proxy.json describes the app proxy's API as strictly as the widget checks it.

tests/platform/test_openapi_documents.py checks that it is valid and covers every /proxy route;
tests/platform/test_schemathesis.py sends it generated requests, signed as Shopify signs.
"""

from __future__ import annotations

import pytest

from tests.support.members import CID
from tests.support.shops import SHOP

DOCUMENT = "/api/openapi/proxy.json"
SIGNED_ERRORS = {"400", "401", "404", "429", "503"}


def proxy_document(client) -> dict:
    return client.get(DOCUMENT).get_json()


def signed_operations(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path != DOCUMENT:
                yield path, method, op


@pytest.mark.embedded
def test_every_call_is_signed_by_shopify_and_documents_its_refusals(client):
    """The signature is the security scheme (a query parameter Shopify adds, with the shopper
    and the time); every call names the answers of a bad one, a rate limit and an outage."""
    doc = proxy_document(client)
    scheme = doc["components"]["securitySchemes"]["appProxySignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "query", "signature")
    for name in ("shop", "logged_in_customer_id", "path_prefix", "timestamp"):
        assert f"`{name}`" in scheme["description"]
    for path, method, op in signed_operations(doc):
        assert op["security"] == [{"appProxySignature": []}], (path, method)
        assert set(op["responses"]) >= SIGNED_ERRORS, (path, method)
        for answer in (a for status, a in op["responses"].items() if status < "400"):
            assert answer["headers"]["Cache-Control"]["required"] is True, (path, method)


@pytest.mark.embedded
def test_changes_take_a_json_body_and_an_idempotency_key(client):
    """Every call that changes something: a required JSON body, a required Idempotency-Key,
    and the refusals of a malformed one (400, 403, 409, 413, 415, 422)."""
    doc = proxy_document(client)
    changes = [(p, m, op) for p, m, op in signed_operations(doc) if m != "get"]
    assert {(p, m) for p, m, _ in changes} == {
        ("/proxy/api/join", "post"),
        ("/proxy/api/redemptions", "post"),
        ("/proxy/api/me", "patch"),
        ("/proxy/api/me", "delete"),
        ("/proxy/api/me/consents", "put"),
        ("/proxy/api/me/restriction", "post"),
        ("/proxy/api/me/restriction", "delete"),
        ("/proxy/api/me/follows", "post"),
        ("/proxy/api/referrals", "post"),
    }
    for path, method, op in changes:
        assert op["requestBody"]["required"] is True, (path, method)
        assert list(op["requestBody"]["content"]) == ["application/json"], (path, method)
        [key] = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
        assert (key["in"], key["required"], key["schema"]["maxLength"]) == ("header", True, 100)
        assert {"400", "403", "409", "413", "415", "422"} <= set(op["responses"]), (path, method)


def schema_validator(client, name: str):
    from jsonschema import Draft202012Validator

    schemas = proxy_document(client)["components"]["schemas"]
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
    )


REFUSED = [
    ("POST", "/proxy/api/redemptions", "RedemptionRequest", {"reward_id": "0"}, "reward_id"),
    ("PATCH", "/proxy/api/me", "ProfileUpdate", {"email": "kari@example.com"}, "email"),
    ("PATCH", "/proxy/api/me", "ProfileUpdate", {"preferred_name": "Kari\u202e"}, "preferred_name"),
    ("PATCH", "/proxy/api/me", "ProfileUpdate", {"language": "sv"}, "language"),
    ("PATCH", "/proxy/api/me", "ProfileUpdate", {}, "body"),
    ("PUT", "/proxy/api/me/consents", "ConsentsUpdate", {"email": "yes"}, "email"),
    ("PUT", "/proxy/api/me/consents", "ConsentsUpdate", {}, "body"),
    ("POST", "/proxy/api/me/restriction", "Empty", {"reason": "why not"}, "reason"),
    ("DELETE", "/proxy/api/me", "LeaveRequest", {"confirm": "yes"}, "confirm"),
    ("POST", "/proxy/api/me/follows", "FollowClaim", {"network": "myspace"}, "network"),
    ("POST", "/proxy/api/me/follows", "FollowClaim", {}, "network"),
    ("POST", "/proxy/api/me/follows", "FollowClaim", {"network": "tiktok", "x": 1}, "x"),
]


@pytest.mark.parametrize(("method", "path", "schema", "body", "field"), REFUSED)
def test_what_the_widget_refuses_the_schema_refuses_too(
    client, proxy, ingeborg, method, path, schema, body, field
):
    """Each body is a 422 naming the field, and the document's schema does not accept it."""
    response = proxy(
        method, path, customer_id=CID, json=body, headers={"Idempotency-Key": f"k-{field}"}
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert not schema_validator(client, schema).is_valid(body)


def test_the_documented_answers_are_the_ones_sent(client, proxy, ingeborg):
    """A member's own data and summary match their schemas; the ledger export is CSV."""
    me = proxy("GET", "/proxy/api/me", customer_id=CID)
    assert me.status_code == 200
    schema_validator(client, "MyData").validate(me.get_json())
    summary = proxy("GET", "/proxy/api/member", customer_id=CID, shop=SHOP)
    schema_validator(client, "MemberSummary").validate(summary.get_json())
    export = proxy("GET", "/proxy/api/me/export.csv", customer_id=CID)
    assert export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
