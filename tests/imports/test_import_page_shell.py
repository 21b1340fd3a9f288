"""The /import document: a shell in the admin's language, listed in the navigation."""

from __future__ import annotations

import json

import pytest

from tests.support.shops import SHOP_A


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("locale", "heading", "nav", "error"),
    [
        ("en", "Import members and points", ">Import</s-link>", "Points cannot be negative."),
        (
            "nb",
            "Importer medlemmer og poeng",
            ">Importer</s-link>",
            "Poeng kan ikke være negative.",
        ),
    ],
)
def test_the_import_page_speaks_the_admins_language(client, locale, heading, nav, error):
    query = {"embedded": "1", "shop": SHOP_A, "locale": locale}
    response = client.get("/import", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert heading in html and nav in html
    # The row errors the page's script shows come from its page-text block.
    block = html.split('id="page-text">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["err_negative_points"] == error
    assert response.headers["Cache-Control"] == "private, no-store"
    # Every app the importer knows is offered.
    for label in ("Smile.io", "LoyaltyLion", "Yotpo Loyalty", "BON Loyalty", "Rivo (template)"):
        assert label in html
