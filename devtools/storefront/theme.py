"""The theme side of the test storefront: the theme page's layout, the theme app extension's
blocks (their Liquid and schema, read as Shopify reads them) and python-liquid with stand-ins
for Shopify's ``t``, ``asset_url`` and ``json`` filters."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from liquid import Environment
from markupsafe import escape

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extensions" / "klubb-widget"
ASSET_PREFIX = "/extensions/klubb-widget/assets/"
SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)

PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:16px/1.5 Georgia,serif;margin:0;color:#222}}header,main{{padding:16px 24px}}
header{{background:#f3efe7;display:flex;gap:16px;align-items:center}}
.products{{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:16px}}
.product{{border:1px solid #ddd;padding:12px;height:120px}}</style>
{head}
</head>
<body>
<header><strong>Nordlys Strikk</strong><a href="/">{home}</a><a href="/pages/loyalty">Klubb</a>
<a href="/account/login">{account}</a></header>
<main>{main}</main>
{body_end}
</body>
</html>"""


@dataclass
class Block:
    """A block's Liquid (schema removed) and its parsed schema."""

    source: str
    schema: dict[str, Any]

    @classmethod
    def load(cls, name: str) -> Block:
        """Read ``blocks/<name>.liquid``; Shopify reads the schema separately, so do we."""
        text = (EXTENSION / "blocks" / f"{name}.liquid").read_text()
        match = SCHEMA.search(text)
        schema = json.loads(match.group(1)) if match else {}
        return cls(SCHEMA.sub("", text), schema)

    def settings(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """The schema's defaults with the merchant's choices on top."""
        values = {
            s["id"]: s.get("default", "") for s in self.schema.get("settings", []) if "id" in s
        }
        values.update(overrides)
        return values


def _lookup(tree: dict[str, Any], key: str) -> str | None:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def liquid_environment(locale: str) -> Environment:
    """python-liquid with stand-ins for Shopify's ``t``, ``asset_url`` and ``json`` filters."""
    env = Environment()
    default = json.loads((EXTENSION / "locales" / "en.default.json").read_text())
    path = EXTENSION / "locales" / f"{locale}.json"
    texts = json.loads(path.read_text()) if path.exists() else default

    def translate(key: str, **values: Any) -> str:
        text = _lookup(texts, key) or _lookup(default, key)
        if text is None:
            return f"translation missing: {locale}.{key}"
        for name, value in values.items():
            text = text.replace("{{ " + name + " }}", str(value))
        return str(escape(text))

    def asset_url(name: str) -> str:
        mtime = int((EXTENSION / "assets" / name).stat().st_mtime)
        return f"{ASSET_PREFIX}{quote(name)}?v={mtime}"

    env.filters["t"] = translate
    env.filters["asset_url"] = asset_url
    env.filters["json"] = json.dumps
    return env
