"""``shopify_app.toml``: what the app reads from the file the Shopify CLI deploys.

The repository ships it with placeholders (the demo app's client id, ``klubb.example.com``);
:meth:`AppToml.placeholders` names them, so a production start refuses a file nobody filled in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
APP_TOML = ROOT / "shopify_app.toml"

DEMO_CLIENT_ID = "0d5e5c1f0b8a4c7e9a3b2f6d1c4e8a7b"
"""The demo app's client id: the repository's placeholder for ``client_id`` (never valid on Shopify)."""
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
EXAMPLE_TLDS = ("example", "invalid", "test")
"""Names reserved for examples (RFC 2606): a URL under them is a placeholder."""


def is_placeholder_url(url: str) -> bool:
    """True for a URL on a domain reserved for examples, or one that names no host."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if not host:
        return True
    return host.rsplit(".", 1)[-1] in EXAMPLE_TLDS or any(
        host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS
    )


@dataclass(frozen=True)
class AppToml:
    """What the app reads from ``shopify_app.toml``: scopes, webhook topics, API version, proxy."""

    client_id: str
    scopes: tuple[str, ...]
    api_version: str
    topics: tuple[str, ...]
    compliance_topics: tuple[str, ...]
    proxy_prefix: str
    proxy_subpath: str
    handle: str
    application_url: str = ""
    redirect_urls: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = APP_TOML) -> AppToml:
        """Parse the toml the Shopify CLI deploys, so the app and Shopify agree on it."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        topics: list[str] = []
        compliance: list[str] = []
        for sub in data.get("webhooks", {}).get("subscriptions", []):
            topics.extend(sub.get("topics", []))
            compliance.extend(sub.get("compliance_topics", []))
        proxy = data.get("app_proxy", {})
        scopes = data.get("access_scopes", {}).get("scopes", "")
        return cls(
            client_id=data.get("client_id", ""),
            scopes=tuple(s.strip() for s in scopes.split(",") if s.strip()),
            api_version=data["webhooks"]["api_version"],
            topics=tuple(topics),
            compliance_topics=tuple(compliance),
            proxy_prefix=proxy.get("prefix", "apps"),
            proxy_subpath=proxy.get("subpath", "klubb"),
            handle=data.get("handle", "klubb"),
            application_url=str(data.get("application_url", "")),
            redirect_urls=tuple(str(u) for u in data.get("auth", {}).get("redirect_urls", [])),
        )

    def placeholders(self) -> list[str]:
        """What is still the repository's placeholder, one sentence each (empty when none is)."""
        problems = []
        if not self.client_id or self.client_id == DEMO_CLIENT_ID:
            problems.append(
                "client_id is the demo app's placeholder: put your app's client id there"
                " (the same as SHOPIFY_API_KEY)"
            )
        urls = [("application_url", self.application_url)]
        urls += [("redirect_urls", url) for url in self.redirect_urls]
        problems += [
            f"{key} {url or '(empty)'} is a placeholder: put your app's public URL there"
            for key, url in urls
            if is_placeholder_url(url)
        ]
        return problems
