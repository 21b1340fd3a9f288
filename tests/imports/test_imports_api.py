"""POST /api/imports: dry run, add and reset, idempotent re-runs, per-row errors, members seen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty.core.models import AuditLog, ImportRun, Member, Tombstone, TombstoneReason
from loyalty.members.enrolment import customer_hashes
from loyalty.points.ledger import reconcile
from loyalty.privacy.compliance import customer_hash_key
from tests.imports.helpers import KARI, NORA, OLA, balances, import_entries, outcomes
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP


@pytest.mark.embedded
def test_a_dry_run_shows_each_rows_change_and_changes_nothing(upload, rt, shop_id, fake_shopify):
    response = upload("smile.csv", mode="add", dry_run=True)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["dry_run"], body["mode"]) == ("done", True, "add")
    assert body["source"]["key"] == "smile"
    assert body["mapping"] == [
        {"column": "email", "field": "email"},
        {"column": "points", "field": "points"},
    ]
    assert outcomes(body) == [
        (2, "change", str(KARI), 100, 600, None),
        (3, "new_member", str(OLA), None, 1200, None),
        (4, "error", None, None, None, "bad_email"),
    ]
    assert body["counts"] == {
        "new_member": 1,
        "change": 1,
        "unchanged": 0,
        "skipped": 0,
        "error": 1,
    }
    assert balances(rt, shop_id) == {KARI: 100}
    assert import_entries(rt, shop_id) == []
    with rt.sessions() as s:
        assert s.scalar(select(ImportRun.content)) is None  # the file is not kept


@pytest.mark.embedded
def test_add_mode_adds_to_the_balance_and_enrols_customers_found_in_shopify(
    upload, rt, shop_id, client
):
    body = upload("smile.csv", mode="add").get_json()
    assert [o[:2] for o in outcomes(body)] == [(2, "change"), (3, "new_member"), (4, "error")]
    assert balances(rt, shop_id) == {KARI: 600, OLA: 1200}
    # The new member's copy of their Shopify name and email, and no signup bonus.
    ola = client.get(f"/api/members/{OLA}", headers=bearer(SHOP)).get_json()
    assert (ola["points_balance"], ola["first_name"], ola["email"]) == (
        1200,
        "Ola",
        "Ola@Example.com",
    )
    assert [(e["kind"], e["points"], e["actor"]) for e in ola["ledger"]] == [
        ("import", 1200, "staff:42")
    ]
    assert ola["ledger"][0]["reason"] == "Imported from Smile.io"
    assert reconcile(rt.sessions, shop_id) == []


@pytest.mark.embedded
def test_reset_mode_sets_the_balance_to_the_files_figure(upload, rt, shop_id):
    body = upload("rivo_template.csv", mode="reset").get_json()
    assert body["source"]["key"] == "rivo_template"
    assert outcomes(body) == [
        (2, "change", str(KARI), 100, 640, None),
        (3, "new_member", str(OLA), None, 52620, None),
        (4, "error", None, None, None, "negative_points"),
    ]
    assert balances(rt, shop_id) == {KARI: 640, OLA: 52620}
    assert import_entries(rt, shop_id) == [
        (KARI, 540, f"import:reset:{KARI}:640"),
        (OLA, 52620, f"import:reset:{OLA}:52620"),
    ]


@pytest.mark.embedded
def test_importing_the_same_file_again_changes_nothing(upload, rt, shop_id):
    for mode, file in (("add", "smile.csv"), ("reset", "joy.csv"), ("add", "rivo_points_log.csv")):
        upload(file, mode=mode)
        before = (balances(rt, shop_id), import_entries(rt, shop_id))
        again = upload(file, mode=mode).get_json()
        assert (balances(rt, shop_id), import_entries(rt, shop_id)) == before
        assert again["counts"]["change"] == again["counts"]["new_member"] == 0
        assert again["earlier_import"] is not None
        for row in again["rows"]:
            if row["outcome"] == "unchanged":
                assert row["points_from"] == row["points_to"]
                assert row["note"]["code"] == "already_imported" and row["error"] is None
    assert reconcile(rt.sessions, shop_id) == []


def test_a_corrected_file_imports_only_the_corrected_row(upload, rt, shop_id):
    upload("smile.csv", mode="add")
    assert balances(rt, shop_id) == {KARI: 600, OLA: 1200}
    fixed = b"email,points\nkari@example.com,500\nola@example.com,1200\nnora@example.com,50\n"
    body = upload(fixed, mode="add").get_json()
    assert [o[1] for o in outcomes(body)] == ["unchanged", "unchanged", "new_member"]
    assert balances(rt, shop_id) == {KARI: 600, OLA: 1200, NORA: 50}


def test_a_reset_already_at_its_figure_is_not_undone_later(upload, rt, shop_id, post_points):
    upload(b"email,points\nkari@example.com,100\n", mode="reset")
    post_points(KARI, 30)  # Kari earns after the import
    body = upload(b"email;points\nkari@example.com;100\n", mode="reset").get_json()
    assert outcomes(body) == [(2, "unchanged", str(KARI), 130, 130, None)]
    assert balances(rt, shop_id) == {KARI: 130}


def test_a_points_log_adds_each_transaction_and_skips_revoked_ones(upload, rt, shop_id):
    body = upload("rivo_points_log.csv", mode="add").get_json()
    assert outcomes(body) == [
        (2, "change", str(KARI), 100, 300, None),
        (3, "new_member", str(OLA), None, 150, None),
        (4, "change", str(KARI), 300, 250, None),
        (5, "skipped", str(KARI), None, None, "revoked"),
    ]
    assert balances(rt, shop_id) == {KARI: 250, OLA: 150}


def test_a_points_log_cannot_reset(upload, rt, shop_id):
    response = upload("rivo_points_log.csv", mode="reset")
    assert response.status_code == 422
    assert "only add" in response.get_json()["error"]["fields"]["mode"]


def test_customer_ids_are_matched_and_unknown_ones_are_row_errors(upload, rt, shop_id):
    body = upload("bon.csv", mode="add").get_json()
    assert outcomes(body) == [
        (2, "change", str(KARI), 100, 400, None),
        (3, "new_member", str(OLA), None, 150, None),
        (4, "error", "999999", None, None, "unknown_customer"),
    ]


def test_an_email_unknown_to_shopify_is_a_row_error(upload, rt, shop_id):
    body = upload(b"email,points\nghost@example.com,5\n").get_json()
    assert outcomes(body) == [(2, "error", None, None, None, "unknown_customer")]
    assert body["rows"][0]["error"]["message"] == "No customer with this email in the shop."


def test_two_rows_naming_one_customer_by_id_and_email_count_once(upload, rt, shop_id):
    body = upload(b"customer_id,email,points\n101,,5\n,kari@example.com,7\n").get_json()
    assert [o[1] for o in outcomes(body)] == ["change", "error"]
    assert body["rows"][1]["error"]["code"] == "duplicate"
    assert balances(rt, shop_id)[KARI] == 105


@pytest.mark.embedded
def test_customers_who_left_or_were_erased_are_not_enrolled_again(upload, rt, shop_id, config):
    with rt.sessions.begin() as s:
        s.add(
            Tombstone(
                shop_id=shop_id,
                customer_hash=customer_hashes(customer_hash_key(config), shop_id, NORA)[0],
                reason=TombstoneReason.LEFT,
            )
        )
    body = upload(b"email,points\nnora@example.com,50\n").get_json()
    assert outcomes(body) == [(2, "skipped", str(NORA), None, None, "left_or_erased")]
    assert NORA not in balances(rt, shop_id)


def test_applying_records_audit_entries_for_the_staff_user(upload, rt, shop_id):
    upload("smile.csv", mode="add")
    with rt.sessions() as s:
        entries = s.execute(
            select(AuditLog.actor_type, AuditLog.actor_id, AuditLog.action, AuditLog.detail)
            .where(AuditLog.shop_id == shop_id)
            .order_by(AuditLog.id)
        ).all()
    assert ("staff", "42", "member.imported", "points=+500") in entries
    assert ("staff", "42", "member.imported", "enrolled") in entries
    assert ("staff", "42", "member.imported", "points=+1200") in entries
    assert entries[-1][2] == "import.applied"
    assert "ola@example.com" not in str(entries).lower()  # no personal data in the log


def test_the_imported_member_is_visible_through_the_members_api(upload, client, shop_id):
    upload("joy.csv", mode="reset")
    kari = client.get(f"/api/members/{KARI}", headers=bearer(SHOP)).get_json()
    nora = client.get(f"/api/members/{NORA}", headers=bearer(SHOP)).get_json()
    assert (kari["points_balance"], nora["points_balance"]) == (420, 35)
    assert nora["status"] == "active"
    listed = client.get("/api/members?query=nora", headers=bearer(SHOP)).get_json()["members"]
    assert [m["customer_id"] for m in listed] == [str(NORA)]


def test_the_import_can_be_read_back_page_by_page_and_by_outcome(upload, client, shop_id):
    created = upload("smile.csv", mode="add", dry_run=True).get_json()
    path = f"/api/imports/{created['id']}"
    again = client.get(path, headers=bearer(SHOP)).get_json()
    assert again["rows"] == created["rows"] and again["next_after_line"] is None
    errors = client.get(path + "?outcome=error", headers=bearer(SHOP)).get_json()
    assert [r["line"] for r in errors["rows"]] == [4]
    later = client.get(path + "?after_line=2", headers=bearer(SHOP)).get_json()
    assert [r["line"] for r in later["rows"]] == [3, 4]
    bad = client.get(path + "?outcome=nope&after_line=x", headers=bearer(SHOP))
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("status", "code"), [("anonymised", "erased"), ("restricted", "restricted")]
)
def test_members_who_were_erased_or_restricted_processing_are_skipped(
    upload, rt, shop_id, status, code
):
    with rt.sessions.begin() as s:
        kari = s.scalars(select(Member).where(Member.customer_id == KARI)).one()
        kari.status = status
    body = upload(b"customer_id,points\n101,5\n").get_json()
    assert outcomes(body) == [(2, "skipped", str(KARI), None, None, code)]
    assert balances(rt, shop_id)[KARI] == 100


def test_a_dry_run_of_a_points_log_follows_each_customer_row_by_row(upload, rt, shop_id):
    dry = upload("rivo_points_log.csv", mode="add", dry_run=True).get_json()
    applied = upload("rivo_points_log.csv", mode="add").get_json()
    assert outcomes(dry) == outcomes(applied)
    extra = b"customer_id,points_amount,applied_at\n102,10,2025-01-01\n102,5,2025-01-02\n"
    assert outcomes(upload(extra, dry_run=True).get_json()) == [
        (2, "change", str(OLA), 150, 160, None),
        (3, "change", str(OLA), 160, 165, None),
    ]
    assert balances(rt, shop_id)[OLA] == 150


def test_shopifys_copy_of_each_moved_balance_follows(upload, app, fake_shop, shop_id):
    upload("smile.csv", mode="add")
    drain(app)
    for customer, points in ((KARI, "600"), (OLA, "1200")):
        field = fake_shop.metafield(f"gid://shopify/Customer/{customer}", "$app:loyalty", "points")
        assert field is not None and field.value == points


def test_an_email_shared_by_two_shopify_customers_is_a_row_error(upload, fake_shop, shop_id):
    fake_shop.add_customer(104, "Nils", "Berg", "NORA@example.com")
    body = upload(b"email,points\nnora@example.com,5\n").get_json()
    assert outcomes(body) == [(2, "error", None, None, None, "ambiguous_email")]


def test_unknown_emails_are_looked_up_twenty_to_a_query(
    upload, rt, shop_id, fake_shop, fake_shopify
):
    for n in range(40):
        fake_shop.add_customer(5000 + n, "Kunde", str(n), f"kunde{n}@example.com")
    rows = "".join(f"kunde{n}@example.com,{n + 1}\n" for n in range(45))  # 5 are not customers
    before = len(fake_shopify.graphql_requests)
    body = upload(f"email,points\n{rows}".encode(), mode="add").get_json()
    searches = [
        r for r in fake_shopify.graphql_requests[before:] if "ByEmail" in (r["query"] or "")
    ]
    assert len(searches) == 3  # 20 + 20 + 5 addresses
    assert body["counts"]["new_member"] == 40 and body["counts"]["error"] == 5
    assert balances(rt, shop_id)[5039] == 40
