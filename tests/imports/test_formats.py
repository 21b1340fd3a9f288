"""Every file layout in IMPORT_FORMATS.md is read: source detected, headers mapped, rows checked.

The fixtures in ``files/`` are written from the columns each vendor documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loyalty.core.errors import ValidationError
from loyalty.imports.formats import normalise
from loyalty.imports.parse import MAX_ROWS, parse

FILES = Path(__file__).parent / "files"

pytestmark = pytest.mark.embedded


def read(name: str, source: str | None = None):
    return parse((FILES / name).read_bytes(), source)


def summary(parsed):
    return [
        (r.line, r.customer_id, r.email, r.points, r.error.code if r.error else None)
        for r in parsed.rows
    ]


def fields(parsed):
    return {m["column"]: m["field"] for m in parsed.mapping()}


def test_smile_io_points_import_is_email_and_points():
    parsed = read("smile.csv")
    assert parsed.source.key == "smile"
    assert fields(parsed) == {"email": "email", "points": "points"}
    assert summary(parsed) == [
        (2, None, "kari@example.com", 500, None),
        (3, None, "ola@example.com", 1200, None),
        (4, None, "not-an-email", None, "bad_email"),
    ]


def test_loyaltylion_without_a_header_row_is_column_a_email_column_b_points():
    parsed = read("loyaltylion.csv")
    assert parsed.source.key == "loyaltylion"
    assert not parsed.has_header
    # Email case does not matter; line numbers start at 1 when there is no header.
    assert summary(parsed) == [
        (1, None, "kari@example.com", 250, None),
        (2, None, "ola@example.com", 100, None),
    ]


def test_yotpo_uses_points_balance_and_ignores_the_other_columns():
    parsed = read("yotpo.csv")
    assert parsed.source.key == "yotpo"
    mapped = fields(parsed)
    assert mapped["Email"] == "email" and mapped["Points Balance"] == "points"
    assert mapped["Points Spent"] is None and mapped["Full Name"] is None
    assert summary(parsed) == [
        (2, None, "kari@example.com", 800, None),
        (3, None, "ola@example.com", 0, None),
    ]


def test_bon_takes_the_shopify_customer_id_first():
    parsed = read("bon.csv")
    assert parsed.source.key == "bon"
    assert fields(parsed) == {
        "Shopify customer id": "customer_id",
        "Email": "email",
        "Points": "points",
    }
    assert summary(parsed) == [
        (2, 101, "kari@example.com", 300, None),
        (3, 102, None, 150, None),
        (4, 999999, "ghost@example.com", 10, None),
    ]


def test_rivo_template_maps_points_balance_and_refuses_negative_points():
    parsed = read("rivo_template.csv")
    assert parsed.source.key == "rivo_template"
    assert parsed.source.suggested_mode == "reset"
    assert fields(parsed)["Points Balance"] == "points"
    assert fields(parsed)["Credits Balance"] is None  # store credit is not points
    assert summary(parsed) == [
        (2, None, "kari@example.com", 640, None),
        (3, None, "ola@example.com", 52620, None),
        (4, None, "nora@example.com", None, "negative_points"),
    ]


def test_rivo_points_log_is_a_signed_transaction_history_with_revocations():
    parsed = read("rivo_points_log.csv")
    assert parsed.source.key == "rivo_log"
    assert parsed.source.modes == ("add",)
    mapped = fields(parsed)
    assert mapped["points_amount"] == "points" and mapped["credits_amount"] is None
    assert mapped["revoked_at"] == "revoked_at"
    assert summary(parsed) == [
        (2, 101, None, 200, None),
        (3, None, "ola@example.com", 150, None),
        (4, 101, None, -50, None),  # a redemption in the log: negative is allowed here
        (5, 101, None, 75, None),
    ]
    assert [r.revoked for r in parsed.rows] == [False, False, False, True]


def test_joy_export_uses_points():
    parsed = read("joy.csv")
    assert parsed.source.key == "joy"
    assert fields(parsed)["Points"] == "points" and fields(parsed)["Membership Type"] is None
    assert summary(parsed) == [
        (2, None, "kari@example.com", 420, None),
        (3, None, "nora@example.com", 35, None),
    ]


def test_norwegian_excel_semicolons_and_windows_1252():
    parsed = read("norwegian_excel.csv")
    assert (parsed.delimiter, parsed.encoding) == (";", "cp1252")
    assert parsed.source.key == "generic"
    assert fields(parsed) == {"Navn": None, "E-post": "email", "Poengsaldo": "points"}
    assert parsed.rows[0].cells[0] == "Kåre Ødegård"
    assert summary(parsed) == [
        (2, None, "kare@example.com", 1500, None),
        (3, None, "aesa@example.com", None, "thousands_separator"),
    ]


def test_utf8_with_a_byte_order_mark_and_loose_headers():
    parsed = read("utf8_bom.csv")
    assert parsed.encoding == "utf-8"
    assert fields(parsed) == {"Customer Email": "email", "Points Balance": "points"}
    assert summary(parsed) == [(2, None, "kari@example.com", 10, None)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Customer Email", "customeremail"),
        (" customer_email ", "customeremail"),
        ("E-mail", "email"),
        ("POINTS_BALANCE", "pointsbalance"),
        ("Birthday (MM/DD)", "birthdaymmdd"),
    ],
)
def test_headers_match_whatever_their_case_spaces_and_punctuation(header, expected):
    assert normalise(header) == expected


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ("52,620", "thousands_separator"),
        ("52.620", "thousands_separator"),
        ("1 000", "thousands_separator"),
        ("12.5", "not_whole"),
        ("-3", "negative_points"),
        ("lots", "bad_points"),
        ("", "no_points"),
        ("100000001", "too_many_points"),
        ("+40", None),
    ],
)
def test_points_must_be_plain_whole_numbers(points, code):
    parsed = parse(f'email,points\nkari@example.com,"{points}"\n'.encode())
    error = parsed.rows[0].error
    assert (error.code if error else None) == code


def test_a_second_row_for_the_same_customer_is_an_error_naming_the_first():
    parsed = parse(b"email,points\nkari@example.com,5\nKARI@example.com,7\n")
    (second,) = [r for r in parsed.rows if r.error]
    assert second.line == 3 and second.error.code == "duplicate"
    assert "line 2" in second.error.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n \n", "The file is empty."),
        (b"email,name\nkari@example.com,Kari\n", "No column holds the points"),
        (b"name,points\nKari,5\n", "No column names the customer"),
        (b"email,points\n", "no rows"),
    ],
)
def test_an_unusable_file_is_one_error_on_the_file_field(content, message):
    with pytest.raises(ValidationError) as caught:
        parse(content)
    assert message in caught.value.fields["file"]


def test_too_many_rows_is_refused():
    content = b"email,points\n" + b"a@example.com,1\n" * (MAX_ROWS + 1)
    with pytest.raises(ValidationError) as caught:
        parse(content)
    assert "split it" in caught.value.fields["file"]


def test_the_content_hash_ignores_encoding_delimiter_and_row_order():
    one = parse(b"email,points\nkari@example.com,5\nola@example.com,7\n")
    other = parse("\ufeffemail;points\r\nola@example.com;7\r\nkari@example.com;5\r\n".encode())
    changed = parse(b"email,points\nkari@example.com,5\nola@example.com,8\n")
    assert one.content_hash == other.content_hash != changed.content_hash


@pytest.mark.parametrize("email", ['kari"@example.com', "kari@example.no\\", "kari @example.com"])
def test_an_email_that_could_break_a_search_term_is_a_row_error(email):
    parsed = parse(f"email;points\n{email};5\n".encode())
    assert parsed.rows[0].error.code == "bad_email"
