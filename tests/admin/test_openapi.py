"""GET /api/openapi.json describes the admin's API as strictly as the API checks it.

tests/platform/test_openapi_documents.py checks that it is valid and covers every route;
tests/platform/test_schemathesis.py sends it generated requests.
"""

from __future__ import annotations

import io
import re

import pytest

from loyalty.core.models import LedgerKind, Member
from loyalty.points import ledger, reasons
from tests.support.http import bearer
from tests.support.shops import SHOP_A


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


# Request schemas as strict as the API's checks: what the API refuses, the schema refuses.

ADJUST = "/api/members/5001/adjustments"
REWARD = {"kind": "fixed_amount", "title": "50 kr off", "points_cost": 500, "value": "50"}
TWILIO = {
    "provider": "twilio",
    "account_sid": "AC" + "0" * 32,
    "auth_token": "t",
    "sender": "Klubb",
}
SMTP = {"host": "smtp.example.com", "port": 587, "tls": "starttls", "from": "klubb@example.com"}
REFUSED = [
    ("PUT", "/api/settings", "SettingsUpdate", {"earn_rate": "0"}, "earn_rate"),
    ("PUT", "/api/settings", "SettingsUpdate", {"earn_rate": "1000.5"}, "earn_rate"),
    ("PUT", "/api/settings", "SettingsUpdate", {"earn_rate": 0}, "earn_rate"),
    ("POST", ADJUST, "Adjustment", {"points": 0, "reason": "Goodwill"}, "points"),
    ("POST", ADJUST, "Adjustment", {"points": -1_000_001, "reason": "Goodwill"}, "points"),
    ("POST", ADJUST, "Adjustment", {"points": 50, "reason": "   "}, "reason"),
    ("POST", "/api/rewards", "RewardInput", {**REWARD, "title": "  "}, "title"),
    ("POST", "/api/rewards", "RewardInput", {**REWARD, "value": "0"}, "value"),
    ("POST", "/api/rewards", "RewardInput", {**REWARD, "value": None}, "value"),
    ("POST", "/api/rewards", "RewardInput", {**REWARD, "kind": "percentage"}, "value"),
    ("POST", "/api/rewards", "RewardInput", {**REWARD, "kind": "free_shipping"}, "value"),
    (
        "PUT",
        "/api/messaging/sms",
        "SmsSettingsInput",
        {**TWILIO, "sender": "Butikken1234"},
        "sender",
    ),
    (
        "PUT",
        "/api/messaging/sms",
        "SmsSettingsInput",
        {**TWILIO, "account_sid": "AC1"},
        "account_sid",
    ),
    ("PUT", "/api/messaging/sms", "SmsSettingsInput", {**TWILIO, "provider": "link"}, "provider"),
    ("PUT", "/api/messaging/email", "EmailSettingsInput", {**SMTP, "port": 70000}, "port"),
    ("PUT", "/api/messaging/email", "EmailSettingsInput", {**SMTP, "tls": "none"}, "tls"),
    ("PUT", "/api/messaging/email", "EmailSettingsInput", {**SMTP, "from": "klubb"}, "from"),
    ("POST", "/api/messaging/sms/test", "TestSms", {"to": "12345"}, "to"),
    ("POST", "/api/messaging/email/test", "TestEmail", {"to": "kari"}, "to"),
    (
        "PUT",
        "/api/appearance",
        "AppearanceUpdate",
        {"launcher_text": {"en": "Rewards\u202e"}},
        "launcher_text.en",
    ),
]


def schema_validator(client, name: str):
    """A validator of the document's component schema ``name`` (its references resolved)."""
    from jsonschema import Draft202012Validator

    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
    )


@pytest.mark.parametrize(("method", "path", "schema", "body", "field"), REFUSED)
def test_what_the_api_refuses_the_schema_refuses_too(
    client, known_member, method, path, schema, body, field
):
    """Each body is a 422 naming the field, and the document's schema does not accept it:
    a client that follows the document is never refused for the shape of what it sends."""
    response = client.open(path, method=method, json=body, headers=bearer(SHOP_A))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert not schema_validator(client, schema).is_valid(body)


def test_a_whole_number_sent_as_5_0_is_the_integer_the_schema_says(client, known_member):
    """JSON Schema's ``integer`` holds 500.0 as well as 500, so the API reads both."""
    adjusted = client.post(
        ADJUST, json={"points": 50.0, "reason": "Goodwill"}, headers=bearer(SHOP_A)
    )
    assert adjusted.status_code == 201, adjusted.get_json()
    assert adjusted.get_json()["points_balance"] == 150
    reward = client.post(
        "/api/rewards", json={**REWARD, "points_cost": 500.0}, headers=bearer(SHOP_A)
    )
    assert reward.status_code == 201, reward.get_json()
    assert reward.get_json()["points_cost"] == 500
    assert schema_validator(client, "RewardInput").is_valid({**REWARD, "points_cost": 500.0})


# POST /api/imports: a multipart form, described by a schema the route is checked against.

UPLOAD = "/api/imports"
KNOWN_CUSTOMER = 5001


def upload_operation(client) -> tuple[dict, dict, dict]:
    """The operation, its form's schema (resolved) and the document's schemas."""
    doc = client.get("/api/openapi.json").get_json()
    operation = doc["paths"][UPLOAD]["post"]
    media = operation["requestBody"]["content"]["multipart/form-data"]
    name = media["schema"]["$ref"].rsplit("/", 1)[-1]
    return operation, doc["components"]["schemas"][name], doc["components"]["schemas"]


def file_parts(schema: dict) -> list[str]:
    return [n for n, p in schema["properties"].items() if p.get("contentMediaType") == "text/csv"]


def form_from_schema(schema: dict, *, leave_out: str | None = None, **values: str) -> dict:
    """A form with every field the schema names: the CSV for a file part, else the field's
    default, else its last enum value (``auto`` for ``source``); ``values`` override."""
    csv = f"Customer ID,Points\n{KNOWN_CUSTOMER},50\n".encode()
    form: dict = {}
    for name, prop in schema["properties"].items():
        if name == leave_out:
            continue
        if name in file_parts(schema):
            form[name] = (io.BytesIO(csv), "members.csv")
        else:
            form[name] = values.get(name, prop.get("default", prop["enum"][-1]))
    return form


@pytest.fixture
def known_member(rt, shop_a) -> int:
    """A member of shop A with 100 points, matched locally (no Shopify lookup needed)."""
    with rt.sessions.begin() as s:
        member = Member(shop_id=shop_a, customer_id=KNOWN_CUSTOMER, email="kari@example.com")
        s.add(member)
        s.flush()
        ledger.post(
            s,
            shop_id=shop_a,
            member_id=member.id,
            points=100,
            kind=LedgerKind.EARN,
            source_key="order:1:1",
            reason=reasons.order(1),
        )
        return member.id


def post_form(client, form: dict, query: str = ""):
    return client.post(
        UPLOAD + query, data=form, headers=bearer(SHOP_A), content_type="multipart/form-data"
    )


def test_the_import_upload_is_described_as_a_multipart_form(client):
    """Request body, file part encoding, answers and errors of POST /api/imports."""
    operation, form, _schemas = upload_operation(client)
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    assert content["multipart/form-data"]["encoding"] == {"file": {"contentType": "text/csv"}}
    assert file_parts(form) == ["file"] and form["required"] == ["file"]
    assert form["additionalProperties"] is False
    assert set(form["properties"]) == {"file", "mode", "dry_run", "source"}
    assert form["properties"]["mode"]["enum"] == ["add", "reset"]
    responses = operation["responses"]
    assert {"201", "202", "401", "413", "415", "422", "502", "503"} == set(responses)
    assert "Location" in responses["202"]["headers"]
    for status in ("413", "415", "422", "502", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, status
    assert "multipart/form-data" in responses["415"]["description"]


def test_a_form_built_from_the_schema_is_accepted_as_a_dry_run(client, rt, known_member):
    """Every field the schema names is one the route reads: an unread one would be a 422."""
    from jsonschema import Draft202012Validator

    operation, form_schema, schemas = upload_operation(client)
    response = post_form(client, form_from_schema(form_schema))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["dry_run"], body["mode"]) == ("done", True, "add")
    assert [(r["customer_id"], r["points_from"], r["points_to"]) for r in body["rows"]] == [
        (str(KNOWN_CUSTOMER), 100, 150)
    ]
    with rt.sessions() as s:
        assert s.get(Member, known_member).points_balance == 100  # a dry run changes nothing
    # The answer is the documented one.
    answer = operation["responses"]["201"]["content"]["application/json"]["schema"]
    document = {"$ref": answer["$ref"], "components": {"schemas": schemas}}
    Draft202012Validator(document).validate(body)


def test_the_schemas_defaults_are_what_the_route_does_without_the_field(client, known_member):
    _operation, form_schema, _schemas = upload_operation(client)
    required = set(form_schema["required"])
    form = {
        name: value for name, value in form_from_schema(form_schema).items() if name in required
    }
    body = post_form(client, form).get_json()
    assert body["mode"] == form_schema["properties"]["mode"]["default"]
    assert body["dry_run"] is (form_schema["properties"]["dry_run"]["default"] == "true")


def test_each_required_field_left_out_is_a_422_naming_it(client, known_member):
    _operation, form_schema, _schemas = upload_operation(client)
    assert form_schema["required"]
    for name in form_schema["required"]:
        response = post_form(client, form_from_schema(form_schema, leave_out=name))
        assert response.status_code == 422, name
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and error["message"]
        assert list(error["fields"]) == [name]


def test_each_enum_field_is_read_and_checked_and_other_fields_are_refused(client, known_member):
    """A value outside a field's enum is a 422 naming it (so the route reads that field), and
    a field the schema does not name is refused (``additionalProperties: false``)."""
    _operation, form_schema, _schemas = upload_operation(client)
    enums = [n for n, p in form_schema["properties"].items() if "enum" in p]
    assert enums
    for name in enums:
        bad = {name: "not-" + form_schema["properties"][name]["enum"][0]}
        response = post_form(client, form_from_schema(form_schema, **bad))
        assert response.status_code == 422, name
        assert list(response.get_json()["error"]["fields"]) == [name]
    extra = {**form_from_schema(form_schema), "points_column": "Points"}
    response = post_form(client, extra)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["points_column"]


def test_a_json_body_is_a_415_as_documented(client, shop_a):
    response = client.post(UPLOAD, json={"mode": "add"}, headers=bearer(SHOP_A))
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
