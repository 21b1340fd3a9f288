"""CSV imports of members and balances, including the files other loyalty apps leave behind.

- :mod:`~loyalty.imports.formats`: the apps' files and their loose header mapping;
- :mod:`~loyalty.imports.parse`: encoding, delimiter and per-row checks (no database);
- :mod:`~loyalty.imports.customers`: matching rows to Shopify customers (members, then Shopify);
- :mod:`~loyalty.imports.outcomes`: what a row did, and the checks settled before planning it;
- :mod:`~loyalty.imports.apply`: what a row does to a balance, through the ledger, idempotently;
- :mod:`~loyalty.imports.runs`: runs (dry or applied) and their progress;
- :mod:`~loyalty.imports.results`: runs read back, with their per-row results.
"""
