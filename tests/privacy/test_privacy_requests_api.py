"""The merchant lists GDPR requests with their deadlines and downloads data-request exports."""

from __future__ import annotations

from datetime import timedelta

from loyalty.core.models import AuditLog, PrivacyRequest
from loyalty.core.types import utcnow
from tests.support.jobs import drain
from tests.support.shops import SHOP


def get(client, fake_shopify, path, shop=SHOP):
    token = fake_shopify.session_token(shop)
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_data_request_webhook_becomes_a_downloadable_export(
    app, rt, shop, client, fake_shopify, post_webhook
):
    payload = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "orders_requested": [],
        "customer": {"id": 4242, "email": "kari@example.com", "phone": None},
        "data_request": {"id": 9999},
    }
    assert post_webhook("customers/data_request", payload).status_code == 200
    drain(app)
    listing = get(client, fake_shopify, "/api/privacy-requests")
    assert listing.status_code == 200
    [request] = listing.get_json()["requests"]
    assert (request["kind"], request["shopify_request_id"], request["status"]) == (
        "data_request",
        "9999",
        "completed",
    )
    assert request["export_available"] is True
    download = get(client, fake_shopify, f"/api/privacy-requests/{request['id']}/export")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert isinstance(download.get_json(), dict)
    with rt.sessions() as s:
        assert s.query(AuditLog).filter_by(action="privacy.export_downloaded").count() == 1


def test_open_requests_are_flagged_as_their_deadline_nears(rt, shop, client, fake_shopify):
    now = utcnow()
    with rt.sessions.begin() as s:
        for days_left in (20, 5, -1):
            s.add(
                PrivacyRequest(
                    shop_id=shop.id,
                    kind="customer_redact",
                    received_at=now - timedelta(days=30 - days_left),
                    due_at=now + timedelta(days=days_left),
                )
            )
    statuses = sorted(
        r["status"]
        for r in get(client, fake_shopify, "/api/privacy-requests").get_json()["requests"]
    )
    assert statuses == ["due_soon", "open", "overdue"]


def test_another_shops_requests_and_exports_are_not_visible(rt, shop, client, fake_shopify):
    from loyalty.core.models import ProgramSettings, Shop

    with rt.sessions.begin() as s:
        other = Shop(domain="other.myshopify.com", installed_at=utcnow())
        other.settings = ProgramSettings()
        s.add(other)
        s.flush()
        s.add(
            PrivacyRequest(
                shop_id=other.id,
                kind="data_request",
                due_at=utcnow(),
                export_json="{}",
                completed_at=utcnow(),
            )
        )
        s.flush()
        foreign_id = s.query(PrivacyRequest).one().id
    assert get(client, fake_shopify, "/api/privacy-requests").get_json()["requests"] == []
    assert (
        get(client, fake_shopify, f"/api/privacy-requests/{foreign_id}/export").status_code == 404
    )
    assert get(client, fake_shopify, "/api/privacy-requests/abc/export").status_code == 404
    assert client.get("/api/privacy-requests").status_code == 401
