"""See my data (Art. 15) and take it with me (Art. 20): GET /proxy/api/me and its downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from loyalty.core.models import PrivacyRequest, PrivacyRequestKind
from loyalty.privacy.export_document import EXPORT_FORMAT, LEDGER_CSV_COLUMNS
from tests.support.members import CID, audit_actions
from tests.support.people import INGEBORG, SOLVEIG, seed_customer, welcome_code_of


@pytest.mark.embedded
def test_a_member_sees_their_profile_consents_and_points(me, ingeborg):
    response = me("GET")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["customer_id"] == str(CID) and body["status"] == "active"
    assert body["profile"] == {
        "first_name": INGEBORG.first_name,
        "last_name": INGEBORG.last_name,
        "email": INGEBORG.email,
        "phone": INGEBORG.phone,
        "preferred_name": INGEBORG.preferred_name,
        "birthday": "1988-05-17",
        "language": "nb",
    }
    assert body["editable_fields"] == ["birthday", "preferred_name", "language"]
    assert set(body["shopify_owned_fields"]) == {"email", "phone", "first_name", "last_name"}
    assert body["consents"] == {"email": True, "sms": True}
    assert [(c["channel"], c["granted"], c["source"]) for c in body["consent_history"]] == [
        ("email", True, "widget"),
        ("sms", True, "widget"),
    ]
    assert (body["points_balance"], body["lifetime_points"]) == (270, 220)
    assert {e["kind"] for e in body["recent_ledger"]} == {"bonus", "earn", "adjust"}
    assert body["downloads"] == {
        "json": "/apps/klubb/api/me/export.json",
        "csv": "/apps/klubb/api/me/export.csv",
    }


def test_a_guest_must_sign_in(me, ingeborg):
    for path in ("", "/export.json", "/export.csv"):
        response = me("GET", path, customer_id=None)
        assert response.status_code == 401, path
        assert response.get_json()["error"]["code"] == "sign_in_required"


def test_a_signed_in_customer_who_is_not_a_member_gets_404(me, ingeborg):
    response = me("GET", customer_id=SOLVEIG.customer_id)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_a_member"


def test_another_shops_membership_of_the_same_customer_is_never_shown(
    me, rt, ingeborg, installed_shop
):
    """The same Shopify customer id in another shop is another person's membership."""
    other = installed_shop("other-klubb.myshopify.com").id
    seed_customer(rt.sessions, other, SOLVEIG.__class__(**{**SOLVEIG.__dict__, "customer_id": CID}))
    mine = me("GET").get_json()
    theirs = me("GET", shop="other-klubb.myshopify.com").get_json()
    assert mine["profile"]["email"] == INGEBORG.email
    assert theirs["profile"]["email"] == SOLVEIG.email
    assert me("GET", shop="not-installed.myshopify.com").status_code == 404


def test_the_json_export_is_the_data_request_export_as_a_download(me, rt, ingeborg):
    response = me("GET", "/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="klubb-my-data-')
    assert INGEBORG.first_name not in disposition
    export = json.loads(response.get_data(as_text=True))
    assert export["format"] == EXPORT_FORMAT and export["found"] is True
    assert export["customer_id"] == str(CID)
    assert export["member"]["email"] == INGEBORG.email
    assert {o["order_id"] for o in export["orders"]} == {str(i) for i in INGEBORG.order_ids}
    assert len(export["redemptions"]) == 2 and len(export["consent_history"]) == 2
    assert "member.exported" in [a["action"] for a in export["audit_log"]]
    assert "member_export" in [r["kind"] for r in export["privacy_requests"]]


def test_the_csv_export_is_the_ledger_and_the_welcome_code(me, ingeborg):
    response = me("GET", "/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == LEDGER_CSV_COLUMNS
    ledger = [r for r in rows if r["kind"] != "welcome_code"]
    assert sorted(int(r["points"]) for r in ledger) == [50, 100, 120]
    # The welcome code (issued before the ledger's entries) comes first, without points.
    assert rows[0]["kind"] == "welcome_code" and rows[0]["points"] == ""
    assert rows[0]["reason"] == f"{welcome_code_of(INGEBORG)} (10 % off): issued"
    assert rows[0]["reason_code"] == "welcome_code"


def test_each_export_is_recorded_and_audited_without_storing_a_copy(me, rt, ingeborg):
    me("GET", "/export.json")
    me("GET", "/export.csv")
    with rt.sessions() as s:
        requests = list(
            s.scalars(
                select(PrivacyRequest).where(
                    PrivacyRequest.kind == PrivacyRequestKind.MEMBER_EXPORT
                )
            )
        )
    assert len(requests) == 2
    assert all(r.completed_at and r.export_json is None for r in requests)
    assert all(r.member_id == ingeborg.member_id for r in requests)
    exported = [a for a in audit_actions(rt, ingeborg.member_id) if a[0] == "member.exported"]
    assert exported == [
        ("member.exported", "member", "json"),
        ("member.exported", "member", "csv"),
    ]
