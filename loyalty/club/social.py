"""The social networks a member can follow the shop on for points, and the profile links' rule.

The merchant sets a profile link per network in the program settings
(``instagram_url``…, checked by :func:`profile_url`); the widget links to it and credits the
follow when the member opens it (honour system, once per network: loyalty.club.earning_actions).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 255


@dataclass(frozen=True)
class Network:
    """A network: its code, its name as written (a proper noun: the same in every language),
    and the hosts its profile links may have."""

    code: str
    name: str
    hosts: frozenset[str]
    example: str


NETWORKS: dict[str, Network] = {
    n.code: n
    for n in (
        Network(
            "instagram",
            "Instagram",
            frozenset({"instagram.com", "www.instagram.com"}),
            "https://www.instagram.com/yourshop",
        ),
        Network(
            "facebook",
            "Facebook",
            frozenset({"facebook.com", "www.facebook.com", "m.facebook.com"}),
            "https://www.facebook.com/yourshop",
        ),
        Network(
            "tiktok",
            "TikTok",
            frozenset({"tiktok.com", "www.tiktok.com"}),
            "https://www.tiktok.com/@yourshop",
        ),
    )
}
"""Instagram, Facebook and TikTok, in the order the widget and the admin list them."""


def profile_url(network: str, value: object) -> str | None:
    """The profile link to store for ``network``: None for no link (null or empty text), else an
    ``https`` link to a page on that network's site. Raises ValueError with the message to show."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("Enter a link as text, or leave it empty.")
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_URL:
        raise ValueError(f"At most {MAX_URL} characters.")
    wanted = NETWORKS[network]
    refusal = f"Enter an https link to your profile on {wanted.name}, like {wanted.example}."
    if any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError(refusal)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(refusal) from None
    if (
        parts.scheme != "https"
        or (parts.hostname or "") not in wanted.hosts
        or parts.username is not None
        or port is not None
        or parts.path in ("", "/")
    ):
        raise ValueError(refusal)
    return text
