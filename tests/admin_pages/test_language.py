"""The admin speaks the staff member's language: Shopify's ``locale``, else the browser's."""

from __future__ import annotations

import pytest

from tests.admin.conftest import SHOP_A
from tests.admin_pages.test_pages import HOST, embedded_url


@pytest.mark.embedded
@pytest.mark.parametrize("locale", ["nb", "nb-NO", "no"])
def test_a_norwegian_admin_gets_norwegian_pages(client, locale):
    html = client.get(embedded_url("/members", locale=locale)).get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert ">Medlemmer</s-link>" in html
    assert ">Programinnstillinger</s-link>" in html


def test_without_a_locale_the_browser_language_decides(client):
    html = client.get(
        embedded_url("/members"), headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)
    assert ">Medlemmer</s-link>" in html
    english = client.get(embedded_url("/members"), headers={"Accept-Language": "de-DE"})
    assert ">Members</s-link>" in english.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_links_between_pages_keep_the_language(client):
    html = client.get(embedded_url("/members/77", locale="nb-NO")).get_data(as_text=True)
    assert f'href="/members?embedded=1&amp;shop={SHOP_A}&amp;host={HOST}&amp;locale=nb"' in html
