"""shop/redact: every row of the shop goes; a ShopRedaction is all that stays of it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from loyalty.core.models import BirthdayReward, Member, Shop, ShopRedaction, Tombstone, WebhookEvent
from loyalty.privacy.purge import purge_shop, shop_tables
from tests.support.jobs import drain
from tests.support.people import (
    INGEBORG,
    SOLVEIG,
    data_request_payload,
    seed_customer,
    seed_shop_rows,
)
from tests.support.shops import SHOP
from tests.support.tables import cells_containing

OTHER = "other-shop.myshopify.com"


def shop_redact(domain: str = SHOP) -> dict:
    return {"shop_id": 954889, "shop_domain": domain}


def uninstall(post_webhook, app, domain: str = SHOP) -> None:
    post_webhook("app/uninstalled", {"id": 954889, "domain": domain}, shop=domain)
    drain(app)


def rows_per_table(rt, shop_id: int) -> dict[str, int]:
    """How many rows each table holds for the shop (by shop_id, and the shop row itself)."""
    with rt.sessions() as s:
        counts = {
            t.name: s.scalar(select(func.count()).select_from(t).where(t.c.shop_id == shop_id))
            for t in shop_tables()
        }
        counts["shops"] = s.scalar(select(func.count()).where(Shop.id == shop_id))
    return counts


def redactions(rt) -> list[tuple[str, object]]:
    with rt.sessions() as s:
        return list(s.execute(select(ShopRedaction.domain, ShopRedaction.redacted_at)).all())


@pytest.fixture
def two_shops(app, rt, shop_id, ingeborg, post_webhook, installed_shop):
    """The test shop, full and uninstalled, and another installed shop with its own data."""
    other_id = installed_shop(OTHER).id
    seed_customer(rt.sessions, other_id, SOLVEIG)
    for each in (shop_id, other_id):
        seed_shop_rows(rt.sessions, each)
    with rt.sessions.begin() as s:
        s.add(Tombstone(shop_id=shop_id, customer_hash="0" * 64, reason="left"))
        s.add(Tombstone(shop_id=other_id, customer_hash="1" * 64, reason="left"))
        for each in (shop_id, other_id):
            member_id = s.scalars(select(Member.id).where(Member.shop_id == each)).first()
            s.add(
                BirthdayReward(
                    shop_id=each,
                    member_id=member_id,
                    source_key=f"birthday:{each}:2026",
                    year=2026,
                    kind="points",
                    points=100,
                )
            )
    post_webhook("customers/data_request", data_request_payload(INGEBORG))
    post_webhook("customers/data_request", data_request_payload(SOLVEIG, shop=OTHER), shop=OTHER)
    post_webhook("shop/update", {"id": 1, "name": "Other"}, shop=OTHER)
    drain(app)
    uninstall(post_webhook, app)
    return shop_id, other_id


def test_after_shop_redact_no_row_of_the_shop_remains_in_any_table(
    app, rt, two_shops, post_webhook
):
    shop_id, other_id = two_shops
    before = rows_per_table(rt, shop_id)
    assert not [t for t, n in before.items() if n == 0], "seed a row of the shop in every table"
    others_before = rows_per_table(rt, other_id)
    with rt.sessions() as s:
        other_events = s.scalar(select(func.count()).where(WebhookEvent.shop_domain == OTHER))

    assert post_webhook("shop/redact", shop_redact()).status_code == 200
    drain(app)

    assert set(rows_per_table(rt, shop_id).values()) == {0}
    assert cells_containing(rt.sessions, (SHOP,)) == ["shop_redactions.domain"]
    assert [d for d, _ in redactions(rt)] == [SHOP]
    assert rows_per_table(rt, other_id) == others_before
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).where(WebhookEvent.shop_domain == OTHER)) == (
            other_events
        )
    assert set(cells_containing(rt.sessions, SOLVEIG.personal_data)) >= {"members.email"}


@pytest.mark.embedded
def test_a_shop_never_seen_still_gets_its_shop_redaction(app, rt, post_webhook):
    domain = "never-seen.myshopify.com"
    assert post_webhook("shop/redact", shop_redact(domain), shop=domain).status_code == 200
    drain(app)
    assert [d for d, _ in redactions(rt)] == [domain]
    assert cells_containing(rt.sessions, (domain,)) == ["shop_redactions.domain"]


@pytest.mark.embedded
def test_shop_redact_twice_or_with_a_new_event_id_records_one_redaction(
    app, rt, shop_id, post_webhook
):
    uninstall(post_webhook, app)
    post_webhook("shop/redact", shop_redact(), event_id="sr-1")
    post_webhook("shop/redact", shop_redact(), event_id="sr-1")
    drain(app)
    post_webhook("shop/redact", shop_redact(), event_id="sr-2")
    drain(app)
    assert [d for d, _ in redactions(rt)] == [SHOP]
    assert cells_containing(rt.sessions, (SHOP,)) == ["shop_redactions.domain"]


def test_a_shop_that_installed_again_is_kept(app, rt, shop_id, ingeborg, post_webhook):
    post_webhook("shop/redact", shop_redact())
    drain(app)
    assert redactions(rt) == []
    assert rows_per_table(rt, shop_id)["members"] == 1


def test_a_shop_redact_naming_another_shop_is_refused(app, rt, two_shops, post_webhook):
    shop_id, other_id = two_shops
    post_webhook("shop/redact", shop_redact(OTHER))
    drain(app, raise_failures=False)
    assert redactions(rt) == []
    assert rows_per_table(rt, shop_id)["members"] == 1
    assert rows_per_table(rt, other_id)["members"] == 1


def test_the_purge_deletes_in_small_batches_and_resumes_after_its_time_budget(app, rt, two_shops):
    shop_id, other_id = two_shops
    ticks = itertools.count()
    clock = lambda: float(next(ticks))  # noqa: E731 - one second passes per reading

    # Readings 0 (start), 1 and 2 allow two one-row batches; at 3 the budget is spent.
    first = purge_shop(rt.sessions, SHOP, batch_size=1, time_budget=3, clock=clock)
    assert not first.done and first.total == 2 and redactions(rt) == []
    rest = purge_shop(rt.sessions, SHOP, batch_size=1)
    assert rest.done and rest.recorded and rest.deleted["shops"] == 1
    assert set(rows_per_table(rt, shop_id).values()) == {0}
    assert rows_per_table(rt, other_id)["members"] == 1
