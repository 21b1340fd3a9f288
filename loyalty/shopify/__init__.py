"""Shopify as a platform: the Admin API client, signatures, session tokens, tokens, shops, metafields, members' pushes, webhook events."""
