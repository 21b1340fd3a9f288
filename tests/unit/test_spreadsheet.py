"""CSV downloads cannot smuggle formulas into a spreadsheet."""

from __future__ import annotations

from loyalty.core.models import LedgerEntry
from loyalty.core.spreadsheet import safe_cell
from loyalty.core.types import utcnow
from loyalty.privacy.export_document import ledger_csv


def test_text_that_looks_like_a_formula_is_quoted_and_numbers_are_not():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_cell(v) for v in ("+1", "-2", "@SUM(A1)", "\tx")] == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert safe_cell(-50) == -50 and safe_cell("Goodwill") == "Goodwill" and safe_cell(None) == ""


def test_the_ledger_csv_quotes_a_reason_typed_as_a_formula():
    entry = LedgerEntry(
        id=1,
        points=-40,
        kind="adjust",
        reason="=cmd|' /C calc'!A0",
        actor="staff:1",
        source_key="k",
        created_at=utcnow(),
    )
    text = ledger_csv([entry])
    assert "'=cmd" in text and ",-40," in text
