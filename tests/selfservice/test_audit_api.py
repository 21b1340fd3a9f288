"""GET /api/members/{customer_id}/audit: the member's trail, for staff of that shop only; the read
itself is audited with the staff user id from the session token."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.core.models import AuditLog
from tests.support.http import bearer
from tests.support.members import CID
from tests.support.people import INGEBORG, SOLVEIG, seed_customer
from tests.support.shops import SHOP


def test_staff_read_the_members_trail_newest_first_and_the_read_is_audited(
    client, me, rt, ingeborg
):
    me("PATCH", json={"language": "en"})
    me("PUT", "/consents", json={"sms": False})
    response = client.get(f"/api/members/{CID}/audit", headers=bearer(SHOP, sub="77"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["customer_id"] == str(CID) and body["next_before"] is None
    assert [
        (e["action"], e["actor_type"], e["actor_id"], e["detail"]) for e in body["entries"]
    ] == [
        ("member.read", "staff", "77", "audit"),
        ("member.consent_changed", "member", str(CID), "sms=withdrawn"),
        ("member.profile_updated", "member", str(CID), "language"),
        ("member.updated", "staff", "42", f"email changed to {INGEBORG.email}"),
    ]
    assert all(isinstance(e["id"], str) and e["created_at"] for e in body["entries"])


def test_pages_go_back_with_before(client, rt, ingeborg):
    for staff in range(3):  # three staff users: three looks (one user's reads join one row)
        client.get(f"/api/members/{CID}/audit?limit=1", headers=bearer(SHOP, sub=str(staff)))
    first = client.get(f"/api/members/{CID}/audit?limit=2", headers=bearer(SHOP)).get_json()
    assert len(first["entries"]) == 2 and first["next_before"] == first["entries"][-1]["id"]
    second = client.get(
        f"/api/members/{CID}/audit?limit=2&before={first['next_before']}", headers=bearer(SHOP)
    ).get_json()
    ids = [int(e["id"]) for e in first["entries"] + second["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_bad_paging_parameters_are_422(client, ingeborg):
    for query in ("limit=0", "limit=201", "limit=x", "before=-1"):
        response = client.get(f"/api/members/{CID}/audit?{query}", headers=bearer(SHOP))
        assert response.status_code == 422, query
        assert response.get_json()["error"]["fields"]


def test_another_shops_staff_cannot_read_it_and_no_read_is_recorded(
    client, rt, ingeborg, installed_shop
):
    other = installed_shop("other-klubb.myshopify.com").id
    seed_customer(rt.sessions, other, SOLVEIG)
    response = client.get(f"/api/members/{CID}/audit", headers=bearer("other-klubb.myshopify.com"))
    assert response.status_code == 404
    assert client.get("/api/members/abc/audit", headers=bearer(SHOP)).status_code == 404
    with rt.sessions() as s:
        assert (
            list(s.scalars(select(AuditLog.action).where(AuditLog.action == "member.read"))) == []
        )


def test_without_a_session_token_it_is_401(client, ingeborg):
    response = client.get(f"/api/members/{CID}/audit")
    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_the_route_is_in_the_openapi_document(client):
    doc = client.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/members/{customer_id}/audit"]["get"]
    assert operation["security"] == [{"sessionToken": []}]
    assert {"401", "404", "422"} <= set(operation["responses"])
    assert "MemberAudit" in doc["components"]["schemas"]
