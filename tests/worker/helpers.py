"""The worker tests' customer: Kari, a customer of the shop on the fake Shopify."""

from __future__ import annotations

CUSTOMER = 820982911946154500
