"""The extension's Liquid blocks as the test storefront renders them (python-liquid)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from devtools.storefront.server import EXTENSION, Block, Storefront
from loyalty.shopify.signatures import timestamp_is_fresh, verify_proxy_query


def _render(name: str, locale: str = "en", **settings: Any) -> str:
    front = Storefront(app_url="http://127.0.0.1:1")
    request = Request(EnvironBuilder(path="/").get_environ())
    return front._render_block(request, locale, name, settings)


def test_embed_schema_is_an_app_embed_on_body() -> None:
    """The embed targets ``body``, loads only the launcher, and offers the merchant settings."""
    schema = Block.load("app-embed").schema
    assert schema["target"] == "body"
    assert schema["javascript"] == "klubb-launcher.js"
    assert "stylesheet" not in schema, "the panel's CSS loads on first open"
    ids = {s.get("id") for s in schema["settings"]}
    assert {"accent_color", "accent_text_color", "position", "launcher_text", "icon"} <= ids


def test_launcher_text_is_escaped() -> None:
    """The merchant's launcher text is HTML-escaped."""
    html = _render("app-embed", launcher_text='<script>alert("x")</script>')
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_default_launcher_text_follows_the_storefront_locale() -> None:
    """Without merchant text the label is translated; the locale goes to a data attribute."""
    english, norwegian = _render("app-embed"), _render("app-embed", "nb")
    assert "<span>Rewards</span>" in english and 'data-locale="en"' in english
    assert "<span>Fordeler</span>" in norwegian and 'data-locale="nb"' in norwegian


def test_settings_reach_the_page() -> None:
    """Colours become custom properties; position and icon choices apply."""
    html = _render("app-embed", accent_color="#aa0000", position="left", icon="none")
    assert "--klubb-accent:#aa0000" in html
    assert 'class="klubb-root klubb-left"' in html
    assert "<svg" not in html


def test_panel_assets_are_referenced_not_loaded() -> None:
    """The embed names the panel's script and stylesheet; only the launcher is a script tag."""
    html = _render("app-embed")
    assert 'data-panel="/extensions/klubb-widget/assets/klubb-panel.js' in html
    assert 'data-css="/extensions/klubb-widget/assets/klubb.css' in html
    assert html.count("<script") == 1 and "klubb-launcher.js" in html


def test_loyalty_page_block() -> None:
    """The loyalty-page block is a section app block with the panel's data attributes."""
    schema = Block.load("loyalty-page").schema
    assert schema["target"] == "section"
    html = _render("loyalty-page", "nb")
    assert "data-klubb-page" in html and 'data-locale="nb"' in html
    assert "Slå på JavaScript" in html


def test_liquid_stays_within_shopify_limits() -> None:
    """All Liquid of the extension is under Shopify's 100 KB; JSON schemas parse."""
    blocks = list((EXTENSION / "blocks").glob("*.liquid"))
    assert sum(p.stat().st_size for p in blocks) < 100 * 1024
    for path in (EXTENSION / "locales").glob("*.json"):
        json.loads(path.read_text())


def test_the_proxy_stand_in_signs_as_shopify_does() -> None:
    """The forwarded query verifies with the app's own check, repeated keys included."""
    front = Storefront(app_url="http://127.0.0.1:1", customer_id=42)
    query = front.signed_query(
        [("extra", "1"), ("extra", "2"), ("signature", "forged")], session=front.session
    )
    params: dict[str, list[str]] = {}
    for key, value in query:
        params.setdefault(key, []).append(value)
    assert params["extra"] == ["1", "2"]
    assert params["logged_in_customer_id"] == ["42"]
    assert params["path_prefix"] == ["/apps/klubb"]
    assert verify_proxy_query(params, [front.secret])
    assert timestamp_is_fresh(params["timestamp"][0], float(params["timestamp"][0]))
    without_session = dict(front.signed_query([], session=None))
    assert without_session["logged_in_customer_id"] == "", "no storefront session, no customer"
    front.customer_id = None
    guest = dict(front.signed_query([], session=front.session))
    assert guest["logged_in_customer_id"] == ""


def test_extension_has_only_folders_the_shopify_cli_accepts() -> None:
    """A theme extension holds assets, blocks, locales, snippets and its toml, nothing else."""
    names = {p.name for p in EXTENSION.iterdir()}
    assert names <= {"assets", "blocks", "locales", "snippets", "shopify.extension.toml"}
    toml = (EXTENSION / "shopify.extension.toml").read_text()
    assert 'type = "theme"' in toml
    assert Path(EXTENSION / "locales" / "en.default.json").exists()
