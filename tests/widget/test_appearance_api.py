"""``/api/appearance`` (issue 7, Widget appearance) and what the widget's proxy API carries of it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from loyalty.core.models import AuditLog
from loyalty.members.appearance import DEFAULTS, contrast_ratio, contrast_warnings
from tests.support.http import bearer
from tests.support.shops import SHOP_A, SHOP_B

ROUTES = [("GET", "/api/appearance"), ("PUT", "/api/appearance")]
GOOD = {
    "accent_color": "#0B3D2E",
    "accent_text_color": "#fff",
    "background_color": "#fdfbf7",
    "text_color": "#222222",
    "position": "left",
    "launcher_text": {"en": "  Club   perks ", "nb": "Klubbfordeler"},
}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_missing_token_is_401(client: Any, shop_a: int, method: str, path: str) -> None:
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_session_token"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_expired_token_is_401(client: Any, shop_a: int, method: str, path: str) -> None:
    past = int(time.time()) - 300
    headers = bearer(SHOP_A, exp=past, nbf=past - 60, iat=past - 60)
    response = client.open(path, method=method, json={}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_session_token"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_another_shops_token_is_401(client: Any, shop_a: int, method: str, path: str) -> None:
    response = client.open(path, method=method, json={}, headers=bearer("other.myshopify.com"))
    assert response.status_code == 401


def test_a_shop_that_never_saved_gets_the_defaults_without_warnings(
    client: Any, shop_a: int
) -> None:
    data = client.get("/api/appearance", headers=bearer(SHOP_A)).get_json()
    assert data == {**DEFAULTS, "warnings": []}


def test_saving_normalises_audits_and_is_per_shop(
    client: Any, rt: Any, shop_a: int, shop_b: int
) -> None:
    saved = client.put("/api/appearance", json=GOOD, headers=bearer(SHOP_A))
    assert saved.status_code == 200
    expected = {
        "accent_color": "#0b3d2e",
        "accent_text_color": "#ffffff",
        "background_color": "#fdfbf7",
        "text_color": "#222222",
        "position": "left",
        "launcher_text": {"en": "Club perks", "nb": "Klubbfordeler"},
        "warnings": [],
    }
    assert saved.get_json() == expected
    assert client.get("/api/appearance", headers=bearer(SHOP_A)).get_json() == expected
    assert client.get("/api/appearance", headers=bearer(SHOP_B)).get_json()["position"] == "right"
    # A subset changes only itself; an empty text clears that language.
    partial = {"position": "right", "launcher_text": {"en": "", "nb": "Fordeler"}}
    after = client.put("/api/appearance", json=partial, headers=bearer(SHOP_A)).get_json()
    assert after["accent_color"] == "#0b3d2e"
    assert (after["position"], after["launcher_text"]) == ("right", {"nb": "Fordeler"})
    with rt.sessions() as s:
        audit = select(AuditLog).where(
            AuditLog.shop_id == shop_a, AuditLog.action == "appearance.update"
        )
        details = [(a.actor_id, a.detail) for a in s.scalars(audit.order_by(AuditLog.id))]
    assert details == [
        (
            "42",
            "accent_color,background_color,text_color,position,launcher_text",
        ),  # #fff: as before
        ("42", "position,launcher_text"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accent_color": "green"}, "accent_color"),
        ({"accent_color": "#12345"}, "accent_color"),
        ({"text_color": 0x123456}, "text_color"),
        ({"background_color": "#1234567"}, "background_color"),
        ({"accent_text_color": None}, "accent_text_color"),
        ({"position": "top"}, "position"),
        ({"launcher_text": "Rewards"}, "launcher_text"),
        ({"launcher_text": {"de": "Prämien"}}, "launcher_text.de"),
        ({"launcher_text": {"en": "x" * 31}}, "launcher_text.en"),
        ({"launcher_text": {"nb": 5}}, "launcher_text.nb"),
        ({"launcher_text": {"en": "Re\u202ewards"}}, "launcher_text.en"),
        ({"font": "Comic Sans"}, "font"),
    ],
)
def test_each_bad_field_is_422_with_its_own_message_and_nothing_changes(
    client: Any, shop_a: int, body: dict, field: str
) -> None:
    response = client.put(
        "/api/appearance",
        json={**body, "position": "left"} if field != "position" else body,
        headers=bearer(SHOP_A),
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == [field]
    assert fields[field]
    assert client.get("/api/appearance", headers=bearer(SHOP_A)).get_json()["position"] == "right"


def test_a_form_post_is_refused(client: Any, shop_a: int) -> None:
    response = client.put("/api/appearance", data={"position": "left"}, headers=bearer(SHOP_A))
    assert response.status_code == 415


def test_poor_contrast_is_saved_with_warnings(client: Any, shop_a: int) -> None:
    """Yellow on white fails every pair that involves it; the save still happens."""
    body = {"accent_color": "#ffeb3b", "accent_text_color": "#ffffff"}
    data = client.put("/api/appearance", json=body, headers=bearer(SHOP_A)).get_json()
    assert data["accent_color"] == "#ffeb3b"
    pairs = [(w["fields"], w["minimum"]) for w in data["warnings"]]
    assert pairs == [
        (["accent_text_color", "accent_color"], 4.5),
        (["accent_color", "background_color"], 3.0),
    ]
    assert data["warnings"][0]["ratio"] == 1.22
    assert "below WCAG AA" in data["warnings"][0]["message"]


def test_contrast_ratio_matches_wcags_reference_values() -> None:
    """Black on white is 21:1, equal colours 1:1, and #767676 on white is the AA edge (4.54)."""
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")
    assert contrast_warnings({**DEFAULTS, "text_color": "#777777"})[0]["ratio"] == 4.47


def test_the_proxy_api_carries_the_saved_appearance(client: Any, shop_a: int, proxy: Any) -> None:
    """``GET /proxy/api/member``'s program has ``appearance``: null until saved, then the values."""
    assert (
        proxy("GET", "/proxy/api/member", shop=SHOP_A).get_json()["program"]["appearance"] is None
    )
    client.put("/api/appearance", json=GOOD, headers=bearer(SHOP_A))
    program = proxy("GET", "/proxy/api/member", shop=SHOP_A).get_json()["program"]
    assert program["appearance"]["accent_color"] == "#0b3d2e"
    assert program["appearance"]["launcher_text"] == {"en": "Club perks", "nb": "Klubbfordeler"}
    assert "warnings" not in program["appearance"]


def test_the_openapi_document_describes_the_routes(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/appearance"]) == {"get", "put"}


def test_the_page_is_a_shell_in_the_admins_language(client: Any, shop_a: int) -> None:
    """``/appearance`` holds no shop data; ``locale=nb`` gives the Norwegian labels and nav.

    One request only: with the ``rt`` fixture's app context pushed, flask-babel keeps the first
    request's locale in ``g`` for the next ones.
    """
    query = {"shop": SHOP_A, "embedded": "1", "locale": "nb"}
    norwegian = client.get("/appearance", query_string=query)
    text = norwegian.get_data(as_text=True)
    assert norwegian.status_code == 200
    assert '<html lang="nb">' in text
    for words in ("Widgetens utseende", "Knappetekst på norsk", "Nederst til venstre", "Lagre"):
        assert words in text
    assert ">Widgetens utseende</s-link>" in text
    assert "#0b3d2e" not in text and "api/appearance" not in text
