"""/api/members and /api/members.csv: search, filters, sort, keyset pages, export, audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from loyalty.core.models import AuditLog, ConsentEvent
from tests.support.http import bearer
from tests.support.shops import SHOP_A


def get(client, query=""):
    return client.get(f"/api/members{query}", headers=bearer(SHOP_A))


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [m["customer_id"] for m in response.get_json()["members"]]


@pytest.fixture
def people(shop_a, add_member):
    """Five members of shop A with names, contacts, balances and activity."""
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    add_member(
        shop_a,
        1,
        first_name="Kari",
        last_name="Nordmann",
        email="kari@example.no",
        phone="+4791234567",
        points_balance=300,
        joined_at=t0,
        last_activity_at=t0 + timedelta(days=5),
    )
    add_member(
        shop_a,
        2,
        first_name="Ola",
        last_name="Nordmann",
        email="OLA.N@Example.com",
        phone="+4740000001",
        points_balance=50,
        joined_at=t0 + timedelta(days=1),
    )
    add_member(
        shop_a,
        3,
        first_name="Åse",
        last_name="Berg",
        email="ase@example.no",
        points_balance=1200,
        status="restricted",
        joined_at=t0 + timedelta(days=2),
        last_activity_at=t0 + timedelta(days=9),
    )
    add_member(
        shop_a,
        4,
        first_name="Per_cent",
        last_name="Hansen",
        email="per%@example.no",
        points_balance=-20,
        joined_at=t0 + timedelta(days=3),
        last_activity_at=t0 + timedelta(days=1),
    )
    add_member(shop_a, 5, points_balance=0, status="anonymised", joined_at=t0 + timedelta(days=4))
    return shop_a


def test_newest_members_come_first_by_default(client, people):
    response = get(client)
    assert ids(response) == ["5", "4", "3", "2", "1"]
    first = response.get_json()["members"][-1]
    assert first == {
        "customer_id": "1",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "email": "kari@example.no",
        "phone": "+4791234567",
        "points_balance": 300,
        "lifetime_points": 0,
        "status": "active",
        "email_consent": False,
        "sms_consent": False,
        "joined_at": "2026-03-01T00:00:00+00:00",
        "last_activity_at": "2026-03-06T00:00:00+00:00",
        "tier": None,
    }
    assert response.get_json()["next"] is None
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("kari", ["1"]),
        ("KARI@EX", ["1"]),
        ("ola.n@example.COM", ["2"]),
        ("nord", ["2", "1"]),
        ("kari nord", ["1"]),
        ("  Ola  ", ["2"]),
        ("åse", ["3"]),
        ("ari", []),  # names and emails match from their start
        ("91234", ["1"]),  # phones match on their digits, anywhere
        ("+47 912 34 567", ["1"]),
        ("4", ["4"]),  # a customer id matches exactly (too short for a phone)
        ("per%", ["4"]),  # LIKE wildcards are plain characters
        ("per_", ["4"]),
        ("%", []),
        ("_", []),
    ],
)
def test_search_by_name_email_or_phone(client, people, query, found):
    from urllib.parse import quote

    assert ids(get(client, f"?query={quote(query)}")) == found


def test_filter_by_status_and_balance(client, people):
    assert ids(get(client, "?status=restricted")) == ["3"]
    assert ids(get(client, "?status=active&min_balance=100")) == ["1"]
    assert ids(get(client, "?min_balance=0&max_balance=300")) == ["5", "2", "1"]
    assert ids(get(client, "?max_balance=-1")) == ["4"]
    assert ids(get(client, "?query=nordmann&max_balance=100")) == ["2"]


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("joined_at", ["1", "2", "3", "4", "5"]),
        ("-joined_at", ["5", "4", "3", "2", "1"]),
        ("points_balance", ["4", "5", "2", "1", "3"]),
        ("-points_balance", ["3", "1", "2", "5", "4"]),
        # Never active: last active when they joined (2 and 4 tie, so by id).
        ("last_activity", ["2", "4", "5", "1", "3"]),
        ("-last_activity", ["3", "1", "5", "4", "2"]),
    ],
)
def test_sortable_and_every_page_size_walks_the_same_order(client, people, sort, order):
    assert ids(get(client, f"?sort={sort}")) == order
    for size in (1, 2, 3):
        seen, after = [], ""
        for _ in range(10):
            response = get(client, f"?sort={sort}&limit={size}{after}")
            page = response.get_json()
            assert len(page["members"]) <= size
            seen += ids(response)
            if page["next"] is None:
                break
            after = f"&after={page['next']}"
        assert seen == order


@pytest.mark.embedded
def test_pages_hold_with_equal_sort_values_and_across_filters(client, shop_a, add_member):
    same = datetime(2026, 5, 1, tzinfo=UTC)
    for customer in range(10, 60):
        add_member(shop_a, customer, points_balance=customer % 3, joined_at=same)
    seen, after = [], ""
    while True:
        page = get(client, f"?sort=-points_balance&min_balance=1&limit=7{after}").get_json()
        seen += [m["customer_id"] for m in page["members"]]
        if not page["next"]:
            break
        after = f"&after={page['next']}"
    wanted = sorted((c for c in range(10, 60) if c % 3), key=lambda c: (-(c % 3), -c))
    assert seen == [str(c) for c in wanted]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=deleted", "status"),
        ("?min_balance=ten", "min_balance"),
        ("?max_balance=1.5", "max_balance"),
        ("?min_balance=10&max_balance=5", "max_balance"),
        ("?sort=email", "sort"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=x", "limit"),
        ("?after=garbage", "after"),
        ("?query=" + "x" * 101, "query"),
    ],
)
def test_each_bad_parameter_is_named(client, people, query, field):
    for path in ("/api/members", "/api/members.csv"):
        if path.endswith(".csv") and field in {"after", "limit"}:
            continue
        response = client.get(path + query, headers=bearer(SHOP_A))
        assert response.status_code == 422
        assert list(response.get_json()["error"]["fields"]) == [field]


def test_a_cursor_is_only_good_for_the_sort_it_was_made_for(client, people):
    cursor = get(client, "?sort=points_balance&limit=2").get_json()["next"]
    response = get(client, f"?sort=joined_at&after={cursor}")
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["after"]


def test_searching_is_audited_without_the_search_text(client, rt, people):
    get(client, "?query=kari&status=active")
    with rt.sessions() as s:
        entry = s.query(AuditLog).filter_by(shop_id=people).one()
    assert (entry.actor_type, entry.actor_id, entry.action) == ("staff", "42", "members.searched")
    assert entry.detail == "query,status,sort=-joined_at"
    assert "kari" not in entry.detail


def test_the_csv_export_streams_the_filtered_list_and_is_audited(client, rt, people, add_member):
    add_member(people, 6, first_name="=HYPERLINK(1)", email="@evil", points_balance=700)
    response = client.get(
        "/api/members.csv?min_balance=100&sort=-points_balance&after=ignored",
        headers=bearer(SHOP_A),
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["customer_id"] for r in rows] == ["3", "6", "1"]
    assert rows[1]["first_name"] == "'=HYPERLINK(1)" and rows[1]["email"] == "'@evil"
    assert rows[2]["phone"] == "'+4791234567" and rows[2]["points_balance"] == "300"
    assert rows[0]["status"] == "restricted" and rows[0]["email_consent"] == "false"
    with rt.sessions() as s:
        entry = s.query(AuditLog).filter_by(action="members.exported").one()
    assert (entry.actor_id, entry.detail) == ("42", "csv,min_balance,sort=-points_balance")


def test_the_export_reads_past_one_batch(client, shop_a, add_member, monkeypatch):
    import loyalty.members.search

    monkeypatch.setattr(loyalty.members.search, "EXPORT_BATCH", 4)
    for customer in range(1, 11):
        add_member(shop_a, customer)
    text = client.get("/api/members.csv?sort=joined_at", headers=bearer(SHOP_A)).get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["customer_id"] for r in rows] == [str(c) for c in range(1, 11)]


def test_the_profile_shows_consents_with_their_history_and_is_audited(
    client, rt, shop_a, add_member
):
    member = add_member(
        shop_a, 77, first_name="Kari", phone="+4791234567", email_consent=True, language="nb"
    )
    with rt.sessions.begin() as s:
        s.add(
            ConsentEvent(
                shop_id=shop_a,
                member_id=member,
                channel="email",
                granted=True,
                source="widget",
                created_at=datetime(2026, 4, 1, tzinfo=UTC),
            )
        )
    response = client.get("/api/members/77/profile", headers=bearer(SHOP_A))
    assert response.status_code == 200
    profile = response.get_json()
    assert (profile["first_name"], profile["phone"], profile["language"]) == (
        "Kari",
        "+4791234567",
        "nb",
    )
    assert (profile["email_consent"], profile["sms_consent"]) == (True, False)
    assert profile["consent_history"] == [
        {
            "channel": "email",
            "granted": True,
            "source": "widget",
            "created_at": "2026-04-01T00:00:00+00:00",
        }
    ]
    with rt.sessions() as s:
        entry = s.query(AuditLog).filter_by(action="member.read").one()
    assert (entry.member_id, entry.actor_id, entry.detail) == (member, "42", "profile")
    for missing in ("78", "abc", "9" * 25):
        assert (
            client.get(f"/api/members/{missing}/profile", headers=bearer(SHOP_A)).status_code == 404
        )
