"""The Rewards and Members documents: shells in the admin's frame, in the nav, no data inside."""

from __future__ import annotations

import pytest

from loyalty.core.config import DEMO_API_KEY
from tests.support.http import HOST, embedded_url
from tests.support.shops import SHOP_A


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/rewards", 'id="reward-form"'),
        ("/members", 'id="members-filter"'),
        ("/members/1234567890123", 'data-customer-id="1234567890123"'),
    ],
)
def test_each_page_renders_its_shell_with_the_nav_and_the_frame_policy(client, path, marker):
    response = client.get(embedded_url(path))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert marker in html
    for href in ("/members", "/rewards", "/settings"):
        assert f'<s-link href="{href}">' in html
    assert (
        "frame-ancestors https://alpha.myshopify.com" in response.headers["Content-Security-Policy"]
    )
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/rewards", "/members", "/members/77"])
def test_opened_outside_the_admin_they_redirect_into_it(client, config, path):
    response = client.get(f"{path}?shop={SHOP_A}&host={HOST}")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"{config.shop_origin(SHOP_A)}/admin/apps/{DEMO_API_KEY}{path}"
    )


@pytest.mark.parametrize("customer_id", ["abc", "1" * 20, "-5"])
def test_a_member_page_for_something_that_is_not_an_id_is_404(client, customer_id):
    assert client.get(embedded_url(f"/members/{customer_id}")).status_code == 404


def test_the_member_page_links_back_to_the_list_keeping_the_embedded_context(client):
    html = client.get(embedded_url("/members/77")).get_data(as_text=True)
    assert 'slot="breadcrumb-actions"' in html
    assert f'href="/members?embedded=1&amp;shop={SHOP_A}&amp;host={HOST}"' in html
