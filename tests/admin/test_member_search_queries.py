"""/api/members?query=…: what each kind of search finds, across its branches, pages and sorts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.support.http import bearer
from tests.support.shops import SHOP_A

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def found(client, query, extra=""):
    response = client.get(f"/api/members?query={quote(query)}{extra}", headers=bearer(SHOP_A))
    assert response.status_code == 200, response.get_json()
    return [m["customer_id"] for m in response.get_json()["members"]]


def walk(client, params, size):
    """Every customer id the list shows for ``params``, read ``size`` at a time."""
    seen, after = [], ""
    for _ in range(100):
        response = client.get(f"/api/members?{params}&limit={size}{after}", headers=bearer(SHOP_A))
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert len(page["members"]) <= size
        seen += [m["customer_id"] for m in page["members"]]
        if page["next"] is None:
            return seen
        after = f"&after={page['next']}"
    raise AssertionError("the pages never end")


@pytest.fixture
def phones(shop_a, add_member):
    add_member(shop_a, 1, first_name="Kari", phone="+4791234567", joined_at=T0)
    add_member(shop_a, 2, first_name="Per", phone="+4740000001", joined_at=T0 + timedelta(1))
    add_member(shop_a, 3, first_name="Liv", phone="+4691234567", joined_at=T0 + timedelta(2))
    add_member(shop_a, 4, first_name="Ask", phone=None, joined_at=T0 + timedelta(3))
    return shop_a


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("+47 912 34 567", ["1"]),  # as written on a card
        ("+4791234567", ["1"]),
        ("4791234567", ["1"]),
        ("+47 912-34-567", ["1"]),
        ("(912) 34.567", ["3", "1"]),
        ("912 34 567", ["3", "1"]),  # the national number: both countries' phones have it
        ("91234567", ["3", "1"]),
        ("912 34", ["3", "1"]),
        ("34567", ["3", "1"]),
        ("567", ["3", "1"]),  # three digits anywhere
        ("+46 912", ["3"]),
        ("+47 9", ["1"]),  # the start of a number: the country code and a digit
        ("+47 4", ["2"]),
        ("+48 912 34 567", []),  # the tail matches, the country code does not
        ("4891234567", []),
        ("+47 912 34 568", []),
        ("1", ["1"]),  # too short for a phone: a customer id, exactly
        ("4000", ["2"]),  # digits in the middle of the number
        ("400 00", ["2"]),
    ],
)
def test_phones_match_on_their_digits_however_they_are_typed(client, phones, query, expected):
    assert found(client, query) == expected


@pytest.fixture
def names(shop_a, add_member):
    people = [
        (1, "Ingrid", "Hansen", "ingrid.hansen@example.no"),
        (2, "Ingrid", "Berg", "ib@example.no"),
        (3, "Inger", "Ingridsen", "inger@example.no"),
        (4, "Nora", "Lie", "nora@example.no"),  # matches "nora" by name and by email: once
        (5, "Kari", "Nordmann", "nora.k@example.no"),  # only by email
        (6, "Anne Marie", "Dahl", "am@example.no"),  # a first name of two words
        (7, None, "Ås", "as@example.no"),  # no first name
        (8, "ÅSE", "Moen", None),
        (9, "Ola", "Hansen-Berg", "ola@example.no"),
    ]
    for customer, first, last, email in people:
        add_member(
            shop_a,
            customer,
            first_name=first,
            last_name=last,
            email=email,
            joined_at=T0 + timedelta(days=customer),
            points_balance=customer * 7 % 10,
        )
    return shop_a


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ingrid", ["3", "2", "1"]),  # two first names and a last name starting with it
        ("INGRID", ["3", "2", "1"]),
        ("ingr", ["3", "2", "1"]),
        ("inge", ["3"]),
        ("ingrid h", ["1"]),  # first name and the start of the last
        ("ingrid hansen", ["1"]),
        ("ingrid.hansen", ["1"]),  # an email prefix
        ("nora", ["5", "4"]),  # a name and an email prefix; Nora Lie once
        ("nor", ["5", "4"]),
        ("nordmann", ["5"]),
        ("hansen", ["9", "1"]),
        ("berg", ["2"]),  # a last name from its start only
        ("anne", ["6"]),
        ("anne marie", ["6"]),
        ("anne marie d", ["6"]),
        ("marie", []),  # the second word of a first name is not its start
        ("ås", ["8", "7"]),  # Ås by last name, Åse by first
        ("Å", ["8", "7"]),
        ("åse moen", ["8"]),
        ("dahl", ["6"]),
        ("ola hansen-berg", ["9"]),
        ("zebulon", []),
    ],
)
def test_names_and_email_match_from_their_start_in_any_case(client, names, query, expected):
    assert found(client, query) == expected


@pytest.mark.embedded
def test_a_search_combines_with_filters(client, names):
    assert found(client, "ingrid", "&min_balance=5") == ["1"]
    assert found(client, "nora", "&max_balance=5") == ["5"]
    assert found(client, "nora", "&status=restricted") == []


@pytest.fixture
def crowd(shop_a, add_member):
    """Forty members, most matching "ma" by one field, some by two or three; ties in each sort."""
    for customer in range(1, 41):
        field, several = customer % 4, customer % 7 == 0
        add_member(
            shop_a,
            customer,
            first_name="Maja" if field == 0 or several else "Ola",
            last_name="Matre" if field == 1 or several else "Lie",
            email=f"{'ma' if field == 2 or several or customer % 9 == 0 else 'x'}{customer}@e.no",
            phone=None,
            joined_at=joined(customer),
            points_balance=customer % 6,
            last_activity_at=None if customer % 3 else T0 + timedelta(days=customer % 7),
        )
    return shop_a


MATCHING = [c for c in range(1, 41) if c % 4 != 3 or c % 7 == 0 or c % 9 == 0]


def joined(customer):
    return T0 + timedelta(days=10) if customer % 5 == 0 else T0 + timedelta(hours=7 * customer)


def expected_order(sort, customers):
    """The list's order for these customers of ``crowd``, computed here from the same rules."""

    def value(c):
        column = sort.removeprefix("-")
        if column == "joined_at":
            return joined(c)
        if column == "points_balance":
            return c % 6
        return joined(c) if c % 3 else T0 + timedelta(days=c % 7)

    return [str(c) for c in sorted(customers, key=lambda c: (value(c), c), reverse=sort[0] == "-")]


@pytest.mark.embedded
@pytest.mark.parametrize(
    "sort",
    [
        "-joined_at",
        "joined_at",
        "-points_balance",
        "points_balance",
        "-last_activity",
        "last_activity",
    ],
)
def test_keyset_pages_walk_a_search_in_every_sort(client, crowd, sort):
    assert found(client, "ma", f"&sort={sort}&limit=200") == expected_order(sort, MATCHING)
    for size in (1, 2, 7):
        assert walk(client, f"query=ma&sort={sort}", size) == expected_order(sort, MATCHING)


@pytest.mark.embedded
def test_pages_of_a_search_hold_with_a_filter(client, crowd):
    matching = [c for c in MATCHING if c % 6 >= 3]
    assert walk(client, "query=MA&min_balance=3&sort=-points_balance", 3) == expected_order(
        "-points_balance", matching
    )


def test_the_export_of_a_search_reads_past_one_batch(client, crowd, monkeypatch):
    import loyalty.members.search

    monkeypatch.setattr(loyalty.members.search, "EXPORT_BATCH", 4)
    response = client.get("/api/members.csv?query=ma&sort=last_activity", headers=bearer(SHOP_A))
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["customer_id"] for r in rows] == expected_order("last_activity", MATCHING)
