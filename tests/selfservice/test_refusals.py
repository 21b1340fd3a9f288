"""Every self-service action is refused unless Shopify signed it for this member of this shop.

Refused: a forged signature, a stale timestamp, a customer id swapped in after signing, a body
naming another customer, another shop, a guest. Each refusal changes nothing.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from loyalty.core.models import AuditLog, ConsentEvent, MemberStatus, Tombstone
from tests.support.members import CID, member_of
from tests.support.people import INGEBORG, SOLVEIG, seed_customer

OTHER = SOLVEIG.customer_id

ACTIONS = [
    pytest.param("GET", "", None, id="read"),
    pytest.param("GET", "/export.json", None, id="export.json"),
    pytest.param("GET", "/export.csv", None, id="export.csv"),
    pytest.param("PATCH", "", {"preferred_name": "Mallory"}, id="correct"),
    pytest.param("PUT", "/consents", {"email": False, "sms": False}, id="consents"),
    pytest.param("POST", "/restriction", {}, id="restrict"),
    pytest.param("DELETE", "/restriction", {}, id="lift"),
    pytest.param("DELETE", "", {"confirm": "LEAVE"}, id="leave"),
]
CHANGES = [p for p in ACTIONS if p.values[0] != "GET"]


def unchanged(rt, ingeborg) -> None:
    """Ingeborg's membership is exactly as seeded, and nothing was written about her."""
    member = member_of(rt, ingeborg.member_id)
    assert member.customer_id == CID
    assert member.status == MemberStatus.ACTIVE
    assert (member.preferred_name, member.email_consent, member.points_balance) == (
        INGEBORG.preferred_name,
        True,
        270,
    )
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConsentEvent)) == 2
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 1  # the seeded entry


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_a_forged_signature_is_refused(me, rt, ingeborg, method, path, body):
    response = me(method, path, json=body, secret="not-the-app-secret")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert response.headers["Cache-Control"] == "private, no-store"
    unchanged(rt, ingeborg)


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_a_stale_timestamp_is_refused(me, rt, ingeborg, method, path, body):
    response = me(method, path, json=body, timestamp=int(time.time()) - 3600)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "stale_request"
    unchanged(rt, ingeborg)


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_a_customer_id_swapped_in_after_signing_is_refused(me, rt, ingeborg, method, path, body):
    """Signed for Solveig, sent as Ingeborg: the signature no longer matches."""
    response = me(
        method,
        path,
        json=body,
        customer_id=OTHER,
        tamper={"logged_in_customer_id": str(CID)},
    )
    assert response.status_code == 401
    unchanged(rt, ingeborg)


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
@pytest.mark.parametrize(
    "claim",
    [
        {"customer_id": CID},
        {"customer_id": str(CID)},
        {"customerId": f"gid://shopify/Customer/{CID}"},
        {"customer": {"id": CID}},
        {"member_id": 1},
    ],
)
def test_a_body_naming_the_victim_is_refused_for_another_shopper(
    me, rt, ingeborg, method, path, body, claim
):
    """Solveig (signed in) names Ingeborg in the body: 403, and Ingeborg is untouched."""
    seed_customer(rt.sessions, ingeborg.shop_id, SOLVEIG)
    response = me(method, path, json={**body, **claim}, customer_id=OTHER)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden_customer"
    unchanged_ingeborg = member_of(rt, ingeborg.member_id)
    assert unchanged_ingeborg.customer_id == CID
    assert unchanged_ingeborg.status == MemberStatus.ACTIVE
    assert unchanged_ingeborg.preferred_name == INGEBORG.preferred_name


def test_a_body_naming_the_signed_in_customer_is_harmless(me, rt, ingeborg):
    response = me("PATCH", json={"customer_id": str(CID), "language": "en"})
    assert response.status_code == 200
    assert member_of(rt, ingeborg.member_id).language == "en"


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_a_signed_extra_customer_parameter_is_ignored(me, rt, ingeborg, method, path, body):
    """Only ``logged_in_customer_id`` names the shopper, even among signed parameters."""
    seed_customer(rt.sessions, ingeborg.shop_id, SOLVEIG)
    response = me(method, path, json=body, customer_id=OTHER, extra={"customer_id": [str(CID)]})
    assert response.status_code == 200
    member = member_of(rt, ingeborg.member_id)
    assert (member.customer_id, member.status, member.preferred_name) == (
        CID,
        MemberStatus.ACTIVE,
        INGEBORG.preferred_name,
    )


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_another_shop_never_reaches_this_shops_member(
    me, rt, ingeborg, installed_shop, method, path, body
):
    """Signed correctly for another shop: that shop has no such member (or is not installed)."""
    installed_shop("other-klubb.myshopify.com")
    response = me(method, path, json=body, shop="other-klubb.myshopify.com")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_a_member"
    response = me(method, path, json=body, shop="never-installed.myshopify.com")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "shop_not_installed"
    unchanged(rt, ingeborg)


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_a_guest_is_asked_to_sign_in(me, rt, ingeborg, method, path, body):
    response = me(method, path, json=body, customer_id=None)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "sign_in_required"
    unchanged(rt, ingeborg)


@pytest.mark.parametrize("path", ["/191167", "/191167/consents", "s/191167"])
def test_there_is_no_route_with_a_customer_id_in_the_path(me, rt, ingeborg, path):
    for method in ("GET", "PATCH", "DELETE"):
        assert me(method, path, json={}).status_code in (404, 405)
    unchanged(rt, ingeborg)
