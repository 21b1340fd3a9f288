"""The products of the collections stamp cards count, as the Admin API says, kept current.

A card's collections are looked up when it is saved and again on ``collections/update``;
``products/update`` re-reads which tracked collections a product is in. A deleted product or
collection (``products/delete``, ``collections/delete``, or a look-up answering null) pauses
every card that names it: the card counts nothing until the merchant chooses its products
anew, and the admin shows why (``paused``). No database transaction is open during a call to
Shopify.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.db import upsert
from loyalty.core.ids import id_from_json
from loyalty.core.models import CollectionProduct, Shop, StampCard
from loyalty.rewards.discount_codes import AccessToken
from loyalty.shopify.client import ShopifyClient

PAGE = 250
COLLECTION_PRODUCTS = (
    "query KlubbCollectionProducts($id: ID!, $after: String) { collection(id: $id) { id"
    " products(first: 250, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }"
    " } }"
)
PRODUCT_COLLECTIONS = (
    "query KlubbProductCollections($id: ID!, $after: String) { product(id: $id) { id"
    " collections(first: 250, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }"
    " } }"
)
PRODUCT_DELETED = "product_deleted"
COLLECTION_DELETED = "collection_deleted"


@dataclass
class Lookup:
    """What one look-up found: the ids in the connection, or that the object is gone."""

    gone: bool = False
    ids: set[int] = field(default_factory=set)


def _numeric(gid: object) -> int | None:
    return id_from_json(str(gid).rsplit("/", 1)[-1]) if gid else None


def _connection(
    client: ShopifyClient, domain: str, token: str, query: str, root: str, edge: str, gid: str
) -> Lookup:
    found, after = Lookup(), None
    while True:
        data = client.graphql(domain, token, query, {"id": gid, "after": after})
        node = data.get(root)
        if node is None:
            return Lookup(gone=True)
        page = node.get(edge) or {}
        found.ids.update(i for n in page.get("nodes") or () if (i := _numeric(n.get("id"))))
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return found
        after = info["endCursor"]


def tracked_collections(s: Session, shop_id: int) -> set[int]:
    """Collections named by the shop's cards that are not deleted."""
    lists = s.scalars(
        select(StampCard.collection_ids).where(
            StampCard.shop_id == shop_id, StampCard.deleted_at.is_(None)
        )
    )
    return {int(c) for ids in lists for c in ids or ()}


def _domain(sessions: sessionmaker[Session], shop_id: int) -> str | None:
    with sessions() as s:
        return s.scalar(select(Shop.domain).where(Shop.id == shop_id))


def refresh_collection(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    shop_id: int,
    collection_id: int,
) -> str:
    """Store the collection's products as Shopify has them now (``refreshed``, ``deleted``)."""
    domain = _domain(sessions, shop_id)
    if domain is None:
        return "no shop"
    with sessions() as s:
        if collection_id not in tracked_collections(s, shop_id):
            return "not tracked"
    found = _connection(
        client,
        domain,
        access_token(domain),
        COLLECTION_PRODUCTS,
        "collection",
        "products",
        f"gid://shopify/Collection/{collection_id}",
    )
    if found.gone:
        collection_deleted(sessions, shop_id, collection_id)
        return "deleted"
    with sessions.begin() as s:
        s.execute(
            delete(CollectionProduct).where(
                CollectionProduct.shop_id == shop_id,
                CollectionProduct.collection_id == collection_id,
            )
        )
        for product_id in sorted(found.ids):
            s.add(
                CollectionProduct(
                    shop_id=shop_id, collection_id=collection_id, product_id=product_id
                )
            )
    return "refreshed"


def refresh_product(
    sessions: sessionmaker[Session],
    client: ShopifyClient,
    access_token: AccessToken,
    shop_id: int,
    product_id: int,
) -> str:
    """Re-read which tracked collections the product is in (``refreshed``, ``deleted``)."""
    domain = _domain(sessions, shop_id)
    if domain is None:
        return "no shop"
    with sessions() as s:
        tracked = tracked_collections(s, shop_id)
    if not tracked:
        return "not tracked"
    found = _connection(
        client,
        domain,
        access_token(domain),
        PRODUCT_COLLECTIONS,
        "product",
        "collections",
        f"gid://shopify/Product/{product_id}",
    )
    if found.gone:
        product_deleted(sessions, shop_id, product_id)
        return "deleted"
    with sessions.begin() as s:
        tracked = tracked_collections(s, shop_id)
        s.execute(
            delete(CollectionProduct).where(
                CollectionProduct.shop_id == shop_id,
                CollectionProduct.product_id == product_id,
                CollectionProduct.collection_id.not_in(found.ids & tracked),
            )
        )
        for collection_id in sorted(found.ids & tracked):
            s.execute(
                upsert(s, CollectionProduct)
                .values(shop_id=shop_id, collection_id=collection_id, product_id=product_id)
                .on_conflict_do_nothing()
            )
    return "refreshed"


def _pause(s: Session, shop_id: int, reason: str, match: object) -> list[int]:
    paused = []
    for card in s.scalars(
        select(StampCard).where(StampCard.shop_id == shop_id, StampCard.deleted_at.is_(None))
    ):
        if callable(match) and match(card):
            card.paused_reason = reason
            paused.append(card.id)
    return paused


def product_deleted(sessions: sessionmaker[Session], shop_id: int, product_id: int) -> list[int]:
    """Pause the cards that count or give the product; drop it from collections. Card ids."""
    with sessions.begin() as s:
        s.execute(
            delete(CollectionProduct).where(
                CollectionProduct.shop_id == shop_id, CollectionProduct.product_id == product_id
            )
        )
        return _pause(
            s,
            shop_id,
            PRODUCT_DELETED,
            lambda c: (
                product_id in {int(i) for i in c.product_ids}
                or str(c.reward.get("product_id")) == str(product_id)
            ),
        )


def collection_deleted(
    sessions: sessionmaker[Session], shop_id: int, collection_id: int
) -> list[int]:
    """Pause the cards that count the collection and forget its products. Card ids."""
    with sessions.begin() as s:
        s.execute(
            delete(CollectionProduct).where(
                CollectionProduct.shop_id == shop_id,
                CollectionProduct.collection_id == collection_id,
            )
        )
        return _pause(
            s,
            shop_id,
            COLLECTION_DELETED,
            lambda c: collection_id in {int(i) for i in c.collection_ids},
        )
