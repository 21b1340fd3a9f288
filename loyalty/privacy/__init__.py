"""Privacy: Shopify's compliance requests, export, redaction, purge, retention, audit, member self-service."""
