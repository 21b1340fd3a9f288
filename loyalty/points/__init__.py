"""The points engine: the ledger, what an order earns, expiry, the welcome discount, the program's settings."""
