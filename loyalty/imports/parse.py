"""Reading an uploaded CSV: encoding, delimiter, header row, and each row's checks.

Files come from Excel as often as from the apps themselves: UTF-8 with or without a BOM,
UTF-16 with a BOM ("Unicode text"), or Windows-1252/Latin-1 (Norwegian Excel's "CSV"), with
commas, semicolons (Norwegian Excel, whose decimal separator is the comma) or tabs. Points
must be plain whole numbers: ``52,620`` or ``1 000`` is refused with a row error rather than
guessed at. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text, whole_from_text
from loyalty.core.text import is_storable
from loyalty.imports.formats import (
    SOURCES,
    Column,
    Field,
    Source,
    detect,
    headerless_columns,
    map_columns,
)

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_ROWS = 50_000
MAX_POINTS = 100_000_000
DELIMITERS = (",", ";", "\t")
# .xlsx (a zip) and .xls (OLE2): a workbook uploaded instead of its CSV export.
SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

# No spaces, quotes, backslashes or separators: such an address is a typo, and it could not be
# quoted safely in a Shopify search term.
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"'\\]+@[^@\s,;<>\"'\\]+\.[^@\s,;<>\"'\\]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_GID = re.compile(r"^gid://shopify/Customer/([0-9]{1,19})$")


@dataclass(frozen=True)
class RowError:
    """Why a row cannot be imported: a code for programs, a message for the merchant."""

    code: str
    message: str


@dataclass
class Row:
    """One data row, checked: the customer it names and its points, or an error."""

    line: int  # the line number as a spreadsheet shows it (the header is line 1)
    email: str | None = None
    customer_id: int | None = None
    points: int | None = None
    revoked: bool = False
    error: RowError | None = None
    cells: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        """The customer the row names, as a duplicate check sees it."""
        if self.customer_id is not None:
            return f"id:{self.customer_id}"
        return f"email:{self.email}"


@dataclass
class ParsedFile:
    """A file read and checked: its source app, column mapping, rows and content hash."""

    source: Source
    columns: list[Column]
    rows: list[Row]
    content_hash: str
    encoding: str
    delimiter: str
    has_header: bool = True
    ignored: list[str] = field(default_factory=list)

    def mapping(self) -> list[dict[str, str | None]]:
        """The header mapping, for showing: each column and what it became."""
        return [
            {"column": c.header, "field": None if c.field is None else str(c.field)}
            for c in self.columns
        ]


def decode(content: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with (UTF-8/16 by BOM, else 1252/Latin-1)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ValidationError({"file": "The file cannot be read as UTF-16 text."}) from None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def sniff_delimiter(first_line: str) -> str:
    """The delimiter the header line uses most (quoted text ignored); a comma by default."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse(content: bytes, source_key: str | None = None) -> ParsedFile:
    """Read and check a whole file; raises :class:`ValidationError` (field ``file``) if unusable.

    ``source_key`` forces the app (see :data:`loyalty.imports.formats.SOURCES`); by default it
    is detected from the header row.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_FILE_BYTES // 1048576} MB."})
    if content.startswith(SPREADSHEET_MAGIC):
        raise ValidationError({"file": "This is a spreadsheet: save it as CSV and upload that."})
    text, encoding = decode(content)
    if not is_storable(text):  # a NUL: a binary file, or UTF-16 without its byte order mark
        raise ValidationError({"file": "The file holds NUL characters: it is not CSV text."})
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    if not first:
        raise ValidationError({"file": "The file is empty."})
    delimiter = sniff_delimiter(first)
    numbered = list(_records(text, delimiter))
    if not numbered:
        raise ValidationError({"file": "The file is empty."})
    headers = numbered[0][1]
    source = SOURCES[source_key] if source_key else detect(headers)
    has_header = not _looks_like_data(headers)
    if has_header:
        columns = map_columns(headers, source)
        data = numbered[1:]
    else:
        if not source_key:
            source = SOURCES["loyaltylion"]
        columns = headerless_columns()
        data = numbered
    fields = {c.field for c in columns}
    problems: dict[str, str] = {}
    if Field.POINTS not in fields:
        problems["file"] = "No column holds the points: name one Points or Points Balance."
    elif not fields & {Field.EMAIL, Field.CUSTOMER_ID}:
        problems["file"] = "No column names the customer: add Email or Customer ID."
    if problems:
        raise ValidationError(problems)
    if not data:
        raise ValidationError({"file": "The file has a header row but no rows."})
    if len(data) > MAX_ROWS:
        raise ValidationError({"file": f"At most {MAX_ROWS:,} rows per file; split it."})
    rows = [check_row(line, cells, columns, source) for line, cells in data]
    mark_duplicates(rows, source)
    return ParsedFile(
        source=source,
        columns=columns,
        rows=rows,
        content_hash=content_hash(rows),
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        ignored=[c.header for c in columns if c.field is None and c.header.strip()],
    )


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the line each starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield start, record
            start = reader.line_num + 1
    except csv.Error as err:
        raise ValidationError(
            {"file": "The file cannot be read as CSV: check its quotation marks."}
        ) from err


def _looks_like_data(cells: list[str]) -> bool:
    """A first row whose first cell is an email is data: the file has no header row."""
    return bool(cells) and EMAIL_PATTERN.match(cells[0].strip()) is not None


def check_row(line: int, cells: list[str], columns: list[Column], source: Source) -> Row:
    """One row's values, or its first error."""
    values: dict[Field, str] = {}
    for column in columns:
        if column.field is not None and column.index < len(cells):
            values[column.field] = cells[column.index].strip()
    row = Row(line=line, cells=tuple(c.strip() for c in cells))
    raw_id = values.get(Field.CUSTOMER_ID, "")
    raw_email = values.get(Field.EMAIL, "")
    if raw_id:
        gid = _GID.match(raw_id)
        digits = gid.group(1) if gid else raw_id
        row.customer_id = id_from_text(digits)
        if row.customer_id is None:
            return _fail(row, "bad_customer_id", "The customer id must be Shopify's number.")
    if raw_email:
        if not EMAIL_PATTERN.match(raw_email) or len(raw_email) > 320:
            row.email = raw_email[:320]
            return _fail(row, "bad_email", "This is not an email address.")
        row.email = raw_email.casefold()
    if row.customer_id is None and row.email is None:
        return _fail(row, "no_customer", "The row names no customer (email or customer id).")
    row.revoked = bool(values.get(Field.REVOKED_AT))
    points = _points(values.get(Field.POINTS, ""), source)
    if isinstance(points, tuple):
        return _fail(row, *points)
    row.points = points
    return row


def _points(raw: str, source: Source) -> int | tuple[str, str]:
    """The cell's points, or the error's code and message."""
    if not raw:
        return "no_points", "The points cell is empty (write 0 for none)."
    if not _INTEGER.match(raw):
        compact = raw.replace(" ", "").replace("\u00a0", "")
        if re.match(r"^[+-]?\d{1,3}([.,]\d{3})+$", compact) or _INTEGER.match(compact):
            return (
                "thousands_separator",
                "Write points without thousands separators (52620, not 52,620).",
            )
        if re.match(r"^[+-]?\d*[.,]\d+$", compact):
            return "not_whole", "Points must be a whole number."
        return "bad_points", "Points must be a whole number."
    value = whole_from_text(raw)  # None: more digits than any number Klubb stores
    if value is not None and value < 0 and not source.log:
        return "negative_points", "Points cannot be negative."
    if value is None or abs(value) > MAX_POINTS:
        return "too_many_points", f"At most {MAX_POINTS:,} points."
    return value


def _fail(row: Row, code: str, message: str) -> Row:
    row.error = RowError(code, message)
    return row


def mark_duplicates(rows: list[Row], source: Source) -> None:
    """Mark repeats: the same customer twice in a balance file, the same row twice in a log."""
    seen: dict[object, int] = {}
    for row in rows:
        if row.error is not None:
            continue
        key: object = row.cells if source.log else row.identity
        if key in seen:
            _fail(row, "duplicate", f"Repeats line {seen[key]}; only that line is imported.")
        else:
            seen[key] = row.line


def content_hash(rows: list[Row]) -> str:
    """A hash of what the rows say, not of the file's bytes or their order.

    A re-save in another encoding, delimiter or line ending, or sorted differently, is the
    same file: the admin tells the merchant it was imported before.
    """
    digest = hashlib.sha256()
    for cells in sorted(row.cells for row in rows):
        digest.update(b"\x1e" + "\x1f".join(cells).encode())
    return digest.hexdigest()
