"""Files whose cells hold what no number or text column takes: a row error or a 422 naming the
file, never a 500 (issue #15, items 5 and 7).

A customer id is Shopify's number only in ASCII digits within BIGINT (``loyalty.core.ids``);
points past any number Klubb stores are too many, not an exception; a NUL (a binary file, or
UTF-16 without its byte order mark) or a broken UTF-16 file cannot be read as CSV text.
"""

from __future__ import annotations

import codecs

import pytest
from sqlalchemy import func, select

from loyalty.core.models import ImportRun
from tests.imports.helpers import KARI, outcomes


def runs(rt) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(ImportRun)) or 0)


def test_a_customer_id_that_is_no_id_is_a_row_error(upload, shop_id):
    cells = ["²", "\u0661\u0662", "0", "9223372036854775808", "1180591620717411303424", "9" * 5000]
    text = "Customer ID,Points\n" + "".join(f"{cell},5\n" for cell in cells)
    body = upload(text.encode(), dry_run=True).get_json()
    assert [o[1:] for o in outcomes(body)] == [
        ("error", None, None, None, "bad_customer_id") for _ in cells
    ]


def test_points_that_are_no_number_are_a_row_error(upload, shop_id):
    cells = {"²": "bad_points", "\u0663": "bad_points", "9" * 5000: "too_many_points"}
    text = "email,points\n" + "".join(f"kari@example.com,{cell}\n" for cell in cells)
    body = upload(text.encode(), dry_run=True).get_json()
    assert [o[-1] for o in outcomes(body)] == list(cells.values())


@pytest.mark.parametrize(
    "content",
    [
        "email,points\nkari@example.com,5\nk\u0000@example.com,5\n".encode(),
        "email,points\nkari@example.com,5\n".encode("utf-16-le"),  # no byte order mark
        codecs.BOM_UTF16_LE + "email,points\n".encode("utf-16-le") + b"\x00\xd8",  # lone surrogate
        codecs.BOM_UTF16_LE + b"e\x00m",  # an odd number of bytes
    ],
)
def test_a_file_that_is_not_csv_text_is_422_naming_the_file(upload, rt, shop_id, content):
    response = upload(content)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["error"]["fields"]) == ["file"]
    assert runs(rt) == 0


def test_a_file_name_or_form_field_with_a_nul_is_422_naming_it(upload, rt, shop_id):
    response = upload(b"email,points\nkari@example.com,5\n", filename="members\u0000.csv")
    assert list(response.get_json()["error"]["fields"]) == ["file"]
    response = upload(b"email,points\nkari@example.com,5\n", source="\u0000")
    assert response.status_code == 422
    assert "source" in response.get_json()["error"]["fields"]
    assert runs(rt) == 0


def test_a_good_row_beside_the_bad_ones_is_imported(upload, shop_id):
    body = upload(f"Customer ID,Points\n²,5\n{KARI},5\n".encode()).get_json()
    assert [o[1] for o in outcomes(body)] == ["error", "change"]
