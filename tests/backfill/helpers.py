"""The backfill tests' shop history on the fake Shopify: its customers and past orders."""

from __future__ import annotations

DAY = 86400
KARI = 820982911946154500
OLA = 820982911946154501
ORDER_KARI = 5_600_000_000_001
ORDER_GUEST = 5_600_000_000_002
ORDER_OLD = 5_600_000_000_003
