"""CSV cells that a spreadsheet will not run: the one guard every CSV download goes through."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` for a CSV cell; text that a spreadsheet would read as a formula is quoted.

    Numbers pass unchanged (``-50`` points is a number, not a formula); text such as a reason
    typed by staff, ``=HYPERLINK(...)``, gets a leading apostrophe, as OWASP advises.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
