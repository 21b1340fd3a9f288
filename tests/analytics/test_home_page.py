"""The admin home's document: the dashboard's shell, the embed deep link, both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from loyalty.core.config import DEMO_API_KEY
from tests.support.http import embedded_url
from tests.support.shops import SHOP_A

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[2]


def test_the_home_page_is_the_dashboards_shell_with_no_shop_data(client):
    response = client.get(embedded_url("/"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for marker in ('id="dashboard"', 'id="period"', 'id="chart-revenue"', 'id="table-points"'):
        assert marker in html
    assert "vendor/chart.umd.min.js" in html and "dashboard.js" in html
    deep_link = (
        f"https://{SHOP_A}/admin/themes/current/editor?context=apps"
        f"&amp;activateAppId={DEMO_API_KEY}/app-embed"
    )
    assert deep_link in html


def test_a_norwegian_admin_gets_a_norwegian_dashboard(client):
    html = client.get(embedded_url("/", locale="nb")).get_data(as_text=True)
    assert 'heading="Klubbens resultater"' in html
    assert ">Last ned CSV<" in html
    texts = json.loads(re.search(r'id="page-text">(.*?)</script>', html).group(1))
    assert texts["embed_off"].startswith("Klubb-knappen er slått av")
    english = client.get(embedded_url("/", locale="en")).get_data(as_text=True)
    assert 'heading="Club performance"' in english


def test_every_text_of_the_home_page_has_a_norwegian_translation():
    template = (ROOT / "templates/admin/home.html").read_text()
    wanted = set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', template))
    wanted |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", template))
    translated: set[str] = set()
    for po in (ROOT / "translations/nb").glob("*.po"):
        with po.open("rb") as handle:
            translated |= {m.id for m in read_po(handle) if m.id and m.string}
    assert wanted and not wanted - translated


def test_the_vendored_chart_library_is_pinned_with_its_licence():
    vendor = ROOT / "admin/static/vendor"
    script = (vendor / "chart.umd.min.js").read_text()
    assert script.startswith("/*!\n * Chart.js v4.6.1")
    assert "MIT License" in (vendor / "chart.js-LICENSE.md").read_text()
    assert "| 4.6.1 |" in (vendor / "README.md").read_text()
