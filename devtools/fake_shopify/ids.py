"""Ids as Shopify makes them: global ids, numeric ids, pagination cursors, opaque tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from typing import Any


def gid(kind: str, number: int) -> str:
    """A Shopify global id, e.g. ``gid://shopify/Customer/123``."""
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: Any) -> tuple[str, int] | None:
    """``(kind, number)`` from a global id, or None if it is not one."""
    if not isinstance(value, str) or not value.startswith("gid://shopify/"):
        return None
    rest = value[len("gid://shopify/") :].split("?", 1)[0]
    parts = rest.split("/")
    if len(parts) != 2 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def new_token(prefix: str) -> str:
    """An opaque token with Shopify's style of prefix (``shpat_``, ``shprt_``...)."""
    return prefix + secrets.token_hex(16)


class _IdSource:
    """Increasing numeric ids, Shopify-sized (beyond 2^53 is not needed for tests)."""

    def __init__(self, start: int = 7_000_000_001) -> None:
        self._next = start
        self._lock = threading.Lock()

    def next(self) -> int:
        """The next id."""
        with self._lock:
            value = self._next
            self._next += 1
            return value


def opaque_cursor(number: int) -> str:
    """A pagination cursor in Shopify's style (base64 JSON with the last id)."""
    raw = f'{{"last_id":{number},"last_value":"{number}"}}'.encode()
    return base64.b64encode(raw).decode()


def cursor_id(cursor: str) -> int | None:
    """The id encoded in a cursor made by :func:`opaque_cursor`, or None."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    marker = '"last_id":'
    if marker not in raw:
        return None
    digits = raw.split(marker, 1)[1].split(",", 1)[0]
    return int(digits) if digits.isdigit() else None


def numeric_app_id(api_key: str) -> int:
    """A stable numeric app id for ``api_key`` (the id behind ``app--<id>`` namespaces)."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    return 100_000_000_000 + int(digest[:12], 16) % 900_000_000_000
