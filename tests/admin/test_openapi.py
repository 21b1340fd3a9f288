"""GET /api/openapi.json describes every /api route, and only those (built from the registry)."""

from __future__ import annotations

import re

from tests.admin.conftest import SHOP_A, bearer


def api_rules(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == "/api" or rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_is_public_and_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"]
    assert doc["paths"]["/api/openapi.json"]["get"]["security"] == []


def test_the_document_covers_exactly_the_api_routes(app, client):
    doc = client.get("/api/openapi.json").get_json()
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == api_rules(app)


def test_authenticated_operations_document_the_401_and_their_schemas_resolve(client):
    doc = client.get("/api/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(doc).replace("'", '"'))
    assert refs and all(name in schemas for name in refs)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path == "/api/openapi.json":
                continue
            assert op["security"] == [{"sessionToken": []}], (path, method)
            assert "401" in op["responses"], (path, method)
    assert "422" in doc["paths"]["/api/settings"]["put"]["responses"]


def test_the_settings_schema_lists_the_fields_the_api_returns(client, shop_a):
    doc = client.get("/api/openapi.json").get_json()
    settings = client.get("/api/settings", headers=bearer(SHOP_A)).get_json()
    assert set(doc["components"]["schemas"]["Settings"]["properties"]) == set(settings)
    shop = client.get("/api/shop", headers=bearer(SHOP_A)).get_json()
    assert set(doc["components"]["schemas"]["Shop"]["properties"]) == set(shop)


def test_the_document_is_valid_openapi(client):
    """openapi-spec-validator accepts the document as OpenAPI 3.1."""
    import openapi_spec_validator as validator

    validator.validate(client.get("/api/openapi.json").get_json())
