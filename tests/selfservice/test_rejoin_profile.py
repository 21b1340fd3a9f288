"""A member who left and joins again in the widget has her name back, and the admin's list
shows her once, by name, with the erased row of her first membership left out by default
(issue #24, item 4).

Leaving and joining go through the app proxy; her profile comes from the fake Shopify through
the ``shopify`` queue's job; the list through ``GET /api/members`` with a session token.
"""

from __future__ import annotations

from sqlalchemy import select

from loyalty.core.models import Member, MemberStatus
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.members import CID
from tests.support.people import INGEBORG
from tests.support.shops import SHOP


def test_joining_again_fetches_the_profile_and_the_list_leaves_the_erased_row_out(
    app, client, me, proxy, rt, ingeborg, fake_shop
):
    assert me("DELETE", json={"confirm": "LEAVE"}).status_code == 200
    drain(app)
    joined = proxy(
        "POST", "/proxy/api/join", customer_id=CID, json={}, headers={"Idempotency-Key": "back"}
    )
    assert joined.status_code == 200, joined.get_json()
    drain(app)
    with rt.sessions() as s:
        rows = s.scalars(select(Member).order_by(Member.id)).all()
        assert [(m.status, m.first_name, m.email) for m in rows] == [
            (MemberStatus.ANONYMISED, None, None),
            (MemberStatus.ACTIVE, INGEBORG.first_name, INGEBORG.email),
        ]
        assert rows[1].phone == INGEBORG.phone

    def listed(query=""):
        answer = client.get(f"/api/members{query}", headers=bearer(SHOP))
        assert answer.status_code == 200, answer.get_json()
        return [(m["first_name"], m["status"]) for m in answer.get_json()["members"]]

    assert listed("?status=current") == [(INGEBORG.first_name, "active")]
    assert sorted(listed(), key=str) == sorted(
        [(INGEBORG.first_name, "active"), (None, "anonymised")], key=str
    )
    assert listed("?status=anonymised") == [(None, "anonymised")]


def test_a_newer_copy_from_a_webhook_is_not_overwritten_by_the_fetch(
    app, me, proxy, rt, ingeborg, fake_shop
):
    me("DELETE", json={"confirm": "LEAVE"})
    drain(app)
    proxy("POST", "/proxy/api/join", customer_id=CID, json={}, headers={"Idempotency-Key": "b"})
    with rt.sessions.begin() as s:  # a customers/update from the future got there first
        member = s.scalars(select(Member).where(Member.customer_id == CID)).one()
        member.first_name = "Inga"
        member.shopify_updated_at = member.joined_at.replace(year=2999)
    drain(app)
    with rt.sessions() as s:
        assert s.scalars(select(Member.first_name).where(Member.customer_id == CID)).one() == "Inga"


def test_an_unknown_status_filter_is_named(client, ingeborg):
    answer = client.get("/api/members?status=gone", headers=bearer(SHOP))
    assert answer.status_code == 422
    assert "current" in answer.get_json()["error"]["fields"]["status"]
