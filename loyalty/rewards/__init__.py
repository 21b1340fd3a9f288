"""Rewards: the catalogue, redemptions, and the discount codes in Shopify."""
