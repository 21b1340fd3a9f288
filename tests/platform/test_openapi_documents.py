"""The two public OpenAPI documents: the admin's ``/api/openapi.json`` and the app proxy's
``/api/openapi/proxy.json``. Both are valid OpenAPI 3.1, and together they describe every route
and method under ``/api`` and ``/proxy``, each in one document."""

from __future__ import annotations

import re

import pytest

DOCUMENTS = ("/api/openapi.json", "/api/openapi/proxy.json")
CSV = "text/csv"


def served_routes(app) -> set[tuple[str, str]]:
    """(path, method) of every rule under /api and /proxy, the path in OpenAPI's form."""
    found = set()
    for rule in app.url_map.iter_rules():
        if re.match(r"/(api|proxy)(/|$)", rule.rule):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def documented(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in doc["paths"].items() for method in ops}


def operations(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method, op


@pytest.mark.embedded
@pytest.mark.parametrize("path", DOCUMENTS)
def test_each_document_is_public_and_valid_openapi_3_1(client, path):
    """openapi-spec-validator accepts it; it needs no token or signature."""
    import openapi_spec_validator as validator

    response = client.get(path)
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    validator.validate(doc)
    assert doc["paths"][path]["get"]["security"] == []


@pytest.mark.embedded
def test_every_api_and_proxy_route_is_in_exactly_one_document(app, client):
    """A route added without its description (or described twice) fails here."""
    admin, proxy = (documented(client.get(path).get_json()) for path in DOCUMENTS)
    assert admin & proxy == set()
    assert admin | proxy == served_routes(app)
    assert all(
        path.startswith("/proxy") for path, _ in proxy - {("/api/openapi/proxy.json", "get")}
    )


@pytest.mark.embedded
@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_operation_documents_its_errors_in_the_error_shape(client, path):
    """4xx and 5xx answers use the Error schema; authenticated ones name their 401 and 503,
    and a 503 says when to try again."""
    doc = client.get(path).get_json()
    for route, method, op in operations(doc):
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (route, status)
        if op["security"]:
            assert {"401", "503"} <= set(op["responses"]), (route, method)
            assert op["responses"]["503"]["headers"]["Retry-After"]["required"] is True


@pytest.mark.embedded
def test_the_csv_downloads_are_documented_as_csv(client):
    """Every route that answers text/csv says so (and the analytics route both ways)."""
    admin, proxy = (client.get(path).get_json() for path in DOCUMENTS)
    csv_answers = {
        (route, method)
        for doc in (admin, proxy)
        for route, method, op in operations(doc)
        if any(CSV in answer.get("content", {}) for answer in op["responses"].values())
    }
    assert csv_answers == {
        ("/api/members.csv", "get"),
        ("/api/analytics.csv", "get"),
        ("/api/analytics", "get"),
        ("/proxy/api/me/export.csv", "get"),
    }
    content = admin["paths"]["/api/analytics"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", CSV}


def test_the_documented_csv_downloads_answer_csv(client, shop_a):
    """The documents' CSV answers are what the routes send (the members' export streams)."""
    from tests.support.http import bearer
    from tests.support.shops import SHOP_A

    for path in ("/api/members.csv", "/api/analytics.csv", "/api/analytics?format=csv"):
        response = client.get(path, headers=bearer(SHOP_A))
        assert response.status_code == 200, path
        assert response.mimetype == CSV, path
        assert "attachment" in response.headers["Content-Disposition"], path
