"""The admin's static files (issue #24, item 16): fingerprinted URLs cached for a year, anything
else revalidated, text gzipped for clients that take it."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.support.http import embedded_url

pytestmark = pytest.mark.embedded

STATIC = Path(__file__).resolve().parents[2] / "admin" / "static"


def asset_urls(client) -> dict[str, str]:
    html = client.get(embedded_url("/")).get_data(as_text=True)
    urls = re.findall(r'(/admin/static/[^"\']+)', html)
    return {url.split("?")[0].rsplit("/", 1)[1]: url.replace("&amp;", "&") for url in urls}


def test_pages_link_each_file_by_its_fingerprint_and_it_is_cached_for_a_year(client):
    urls = asset_urls(client)
    assert {"common.js", "dashboard.js", "chart.umd.min.js", "dashboard.css"} <= set(urls)
    for url in urls.values():
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_old_or_missing_fingerprint_revalidates(client):
    url = asset_urls(client)["common.js"].split("?")[0]
    for query in ("", "?v=000000000000"):
        answer = client.get(url + query)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-cache"


def test_text_is_gzipped_for_a_client_that_takes_it_and_plain_for_one_that_does_not(client):
    url = asset_urls(client)["chart.umd.min.js"]
    original = (STATIC / "vendor" / "chart.umd.min.js").read_bytes()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == original
    assert len(zipped.get_data()) < len(original) / 2
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.get_data() == original
    assert zipped.headers["ETag"] != plain.headers["ETag"]


def test_a_file_outside_the_folder_or_missing_is_404(client):
    assert client.get("/admin/static/nothing.js").status_code == 404
    assert client.get("/admin/static/../pages.py").status_code == 404
