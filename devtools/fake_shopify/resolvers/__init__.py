"""Resolvers for the fake Admin GraphQL API, over the in-memory state of one shop.

Objects are served as dicts; a value that needs arguments (or is costly) is a callable
``(info, **args)``, which graphql-core's default resolver calls. ``__typename`` in a dict
resolves unions and interfaces.

Modules by Shopify object family: ``context`` (the request context, scopes, money and
connections), ``shop``, ``customers`` (customers and their orders), ``metafields``,
``customer_updates`` (tags and marketing consent), ``customer_create``, ``discounts`` (views,
create, delete) with ``discount_inputs`` (their userErrors) and ``discount_activation``,
``gift_cards`` (``giftCardCreate``) with ``gift_card_transactions`` (debit and credit), and
``roots`` (the query and mutation roots, ``node``).
Bulk operations are :mod:`devtools.fake_shopify.bulk`.
"""

from __future__ import annotations

from .context import Context, ctx_of
from .roots import mutation_root, node_by_id, query_root

__all__ = ["Context", "ctx_of", "mutation_root", "node_by_id", "query_root"]
