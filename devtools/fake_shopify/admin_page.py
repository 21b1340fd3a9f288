"""The fake Shopify admin page that frames the embedded app.

``GET /{shop}/admin/apps/{api_key}{/path}`` installs the app if needed (Shopify-managed
installation), then renders a minimal admin: a top bar with the shop name and the save bar,
a left nav (with the app's own ``<s-app-nav>`` links once App Bridge reports them), and an
iframe on ``{app_url}{/path}?embedded=1&hmac=...&host=...&id_token=...&locale=...&session=...
&shop=...&timestamp=...``. Its script answers the stand-in App Bridge's postMessage calls.

``locale`` is the staff member's admin language: the shop's locale, unless the admin URL has a
``?locale=`` of its own (``?locale=en`` shows the Norwegian demo shop in English). Like Shopify's
per-user language setting it sticks: the admin's links and the URLs the app navigates to keep it.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from .admin_page_html import SCRIPT, STYLE, TEMPLATE
from .oauth import install
from .resource_picker import PICKER_HTML, PICKER_SCRIPT, PICKER_STYLE, picker_resources
from .signatures import form_encode, host_param, make_session_token, query_hmac
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

PREFIX = "klubb:fake-app-bridge:"


def app_frame_url(
    fake: FakeShopify, shop: FakeShop, path: str, extra: dict[str, str], locale: str | None = None
) -> str:
    """The URL Shopify loads in the app iframe, signed with the client secret; ``locale`` is
    the staff member's admin language (the shop's locale when None)."""
    params = dict(extra)
    params.update(
        embedded="1",
        host=host_param(shop.domain),
        id_token=make_session_token(fake, shop.domain, sub=str(fake.staff_user_id)),
        locale=locale or shop.locale,
        session=secrets.token_hex(32),
        shop=shop.domain,
        timestamp=str(int(fake.clock.now())),
    )
    params["hmac"] = query_hmac(params, fake.api_secret)
    query = "&".join(f"{form_encode(k)}={form_encode(v)}" for k, v in sorted(params.items()))
    return f"{fake.app_url}{path}?{query}"


def render(fake: FakeShopify, shop: FakeShop, path: str, request: Request) -> Response:
    """The admin page for the app at ``path`` (``""`` or ``/something``)."""
    with fake.lock:
        if not shop.installed:
            install(fake, shop, fake.scopes)
    extra = {k: v for k, v in request.args.items() if k not in _SHOPIFY_PARAMS}
    chosen_locale = request.args.get("locale", "").strip() or None
    frame_src = app_frame_url(fake, shop, path, extra, chosen_locale)
    base = f"/{shop.domain}/admin/apps/{fake.api_key}"
    config = {
        "appUrl": fake.app_url,
        "adminBase": base,
        "locale": chosen_locale,
        "tokenUrl": f"/{shop.domain}/admin/_fake/session_token",
        "prefix": PREFIX,
        "extensions": app_extensions(shop),
        "resources": picker_resources(shop),
    }
    page = TEMPLATE.format(
        shop_name=html.escape(shop.name),
        shop_domain=html.escape(shop.domain),
        app_name=html.escape(fake.app_name),
        app_link=html.escape(
            base + (f"?locale={form_encode(chosen_locale)}" if chosen_locale else "")
        ),
        frame_src=html.escape(frame_src, quote=True),
        config=json.dumps(config).replace("<", "\\u003c"),
        script=SCRIPT + PICKER_SCRIPT,
        style=STYLE + PICKER_STYLE,
        picker=PICKER_HTML,
    )
    response = Response(page, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


# The app's one theme app extension (extensions/klubb-widget): its blocks' targets and names.
_THEME_BLOCKS = {
    "app-embed": ("body", "Klubb launcher"),
    "loyalty-page": ("section", "Loyalty page"),
}
_LIVE_THEME_ID = "gid://shopify/OnlineStoreTheme/1"


def app_extensions(shop: FakeShop) -> list[dict[str, object]]:
    """What App Bridge's ``shopify.app.extensions()`` resolves to for this shop (Shopify's
    ExtensionInfo shape: theme blocks with a status and their placements in the live theme)."""
    blocks = []
    for handle, (target, name) in _THEME_BLOCKS.items():
        status = shop.theme_blocks.get(handle, "available")
        placements = [{"target": target, "themeId": _LIVE_THEME_ID}] if status == "active" else []
        blocks.append(
            {
                "handle": handle,
                "name": name,
                "target": target,
                "status": status,
                "activations": placements,
            }
        )
    return [{"handle": "klubb-widget", "type": "theme_app_extension", "activations": blocks}]


_SHOPIFY_PARAMS = {"embedded", "hmac", "host", "id_token", "locale", "session", "shop", "timestamp"}
