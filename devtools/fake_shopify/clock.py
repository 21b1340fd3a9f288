"""The fake's clock, and date-times written and read as Shopify does.

:class:`FakeClock` is the one notion of now that tokens, codes, the cost bucket and session
tokens follow; :func:`iso8601` and :func:`parse_iso8601` are Shopify's DateTime format.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class FakeClock:
    """Wall-clock time plus an adjustable offset; optionally frozen.

    ``advance(seconds)`` moves the fake's notion of now forward (access tokens, codes and
    refresh tokens expire by it, the cost bucket refills by it, session tokens are stamped
    with it). ``freeze()`` stops it following the wall clock until ``unfreeze()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """The fake's current Unix time in seconds."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative number) by ``seconds``."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def freeze(self, at: float | None = None) -> None:
        """Stop following the wall clock; stay at ``at`` (default: now)."""
        current = self.now() if at is None else at
        with self._lock:
            self._frozen_at = current

    def unfreeze(self) -> None:
        """Follow the wall clock again, keeping the current fake time."""
        with self._lock:
            if self._frozen_at is None:
                return
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def iso(self, ts: float | None = None) -> str:
        """``ts`` (default now) as Shopify writes DateTime values: ``2026-07-14T15:49:38Z``."""
        return iso8601(self.now() if ts is None else ts)


def iso8601(ts: float) -> str:
    """A Unix time as an ISO 8601 UTC string with seconds precision, as Shopify renders it."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601(value: str) -> float:
    """Parse an ISO 8601 date-time (``Z`` or an offset) to a Unix time; ValueError if bad."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
