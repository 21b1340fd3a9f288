"""The member's welcome code in their own data: ``GET /proxy/api/member`` and ``/proxy/api/me``,
both downloads, the merchant's ``customers/data_request`` export; and gone with the member on
``customers/redact``, leaving the club and ``customers/delete`` (invariant 8)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from loyalty.core.models import PrivacyRequestKind, WelcomeCode
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.members import CID
from tests.support.people import (
    INGEBORG,
    customer_payload,
    data_request_payload,
    redact_payload,
    welcome_code_of,
)
from tests.support.shops import SHOP
from tests.support.tables import privacy_requests

CODE = welcome_code_of(INGEBORG)
ISSUED = {"code": CODE, "percentage": 10, "state": "issued"}


def shown(welcome: dict | None) -> dict | None:
    return welcome and {k: welcome[k] for k in ("code", "percentage", "state")}


def welcome_rows(rt) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(WelcomeCode)) or 0


@pytest.mark.embedded
def test_the_signed_in_member_sees_their_code_in_member_and_me(me, proxy, ingeborg):
    summary = proxy("GET", "/proxy/api/member", customer_id=CID).get_json()
    assert shown(summary["welcome_code"]) == ISSUED
    assert shown(me("GET").get_json()["welcome_code"]) == ISSUED
    guest = proxy("GET", "/proxy/api/member", customer_id=None).get_json()
    assert guest["welcome_code"] is None


@pytest.mark.embedded
def test_both_downloads_hold_the_code(me, ingeborg):
    export = json.loads(me("GET", "/export.json").get_data(as_text=True))
    assert shown(export["welcome_code"]) == ISSUED
    rows = list(csv.DictReader(io.StringIO(me("GET", "/export.csv").get_data(as_text=True))))
    [welcome] = [r for r in rows if r["kind"] == "welcome_code"]
    assert CODE in welcome["reason"] and "issued" in welcome["reason"]


def test_the_merchants_data_request_export_holds_the_code(app, rt, ingeborg, post_webhook):
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    drain(app)
    [request] = privacy_requests(rt.sessions, PrivacyRequestKind.DATA_REQUEST)
    assert shown(json.loads(request.export_json)["welcome_code"]) == ISSUED


@pytest.mark.embedded
def test_customers_redact_erases_the_code_with_the_member(app, rt, client, ingeborg, post_webhook):
    post_webhook("customers/redact", redact_payload(INGEBORG))
    drain(app)
    assert welcome_rows(rt) == 0
    member = client.get(f"/api/members/{CID}", headers=bearer(SHOP)).get_json()
    assert (member["status"], member["welcome_code"]) == ("anonymised", None)


def test_leaving_the_club_erases_the_code(me, rt, ingeborg):
    assert welcome_rows(rt) == 1
    assert me("DELETE", json={"confirm": "LEAVE"}).status_code == 200
    assert welcome_rows(rt) == 0


def test_a_deleted_customers_member_shows_no_code(app, client, ingeborg, post_webhook):
    post_webhook("customers/delete", customer_payload(INGEBORG))
    drain(app)
    member = client.get(f"/api/members/{CID}", headers=bearer(SHOP)).get_json()
    assert (member["status"], member["welcome_code"]) == ("anonymised", None)
