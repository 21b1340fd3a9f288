"""Backfill on install: the shop's existing customers and past orders."""
