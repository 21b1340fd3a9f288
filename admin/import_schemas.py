"""The OpenAPI schemas of ``/api/imports`` (:mod:`admin.import_api`): the upload form, runs, rows.

Kept apart from the views so each module stays small; :mod:`admin.import_api` registers
:data:`SCHEMAS` on the admin API's registry.
"""

from __future__ import annotations

from typing import Any

from loyalty.imports.formats import SOURCES, Mode
from loyalty.imports.outcomes import Outcome
from loyalty.imports.parse import MAX_FILE_BYTES, MAX_ROWS

_ROW = {
    "type": "object",
    "required": ["line", "outcome"],
    "properties": {
        "line": {"type": "integer", "description": "The line in the file (the header is 1)."},
        "outcome": {"enum": list(Outcome.ALL)},
        "email": {"type": ["string", "null"]},
        "customer_id": {"type": ["string", "null"]},
        "points": {"type": ["integer", "null"], "description": "The row's points."},
        "points_from": {"type": ["integer", "null"], "description": "Balance before (null: new)."},
        "points_to": {"type": ["integer", "null"], "description": "Balance after."},
        "error": {
            "type": ["object", "null"],
            "description": "Why the row is an error or was skipped.",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        },
        "note": {
            "type": ["object", "null"],
            "description": "Why an unchanged row is unchanged (`already_imported`).",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        },
    },
}
_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status", "dry_run", "mode", "source", "counts"],
    "properties": {
        "id": {"type": "string"},
        "status": {"enum": ["queued", "running", "done", "failed"]},
        "dry_run": {"type": "boolean"},
        "mode": {"enum": ["add", "reset"]},
        "source": {
            "type": "object",
            "properties": {
                "key": {"enum": list(SOURCES)},
                "label": {"type": "string"},
                "note": {"type": "string"},
            },
        },
        "filename": {"type": ["string", "null"]},
        "file_hash": {"type": "string", "description": "Hash of the rows' content."},
        "mapping": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "column": {"type": "string"},
                    "field": {"enum": ["customer_id", "email", "points", "revoked_at", None]},
                },
            },
        },
        "total_rows": {"type": "integer"},
        "processed_rows": {"type": "integer"},
        "counts": {
            "type": "object",
            "properties": {o: {"type": "integer"} for o in Outcome.ALL},
        },
        "error": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
# The form ``POST /api/imports`` reads (:func:`loyalty.imports.runs.validate_upload`); any other
# field is a 422. tests/admin/test_openapi.py posts a form built from this schema.
_UPLOAD: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "text/csv",
            "description": (
                f"The CSV file, sent as a file (a part with a file name): at most "
                f"{MAX_FILE_BYTES // 1048576} MB and {MAX_ROWS:,} rows; "
                "comma, semicolon or tab separated; UTF-8, UTF-16 with a BOM or Windows-1252 "
                "(as Excel saves it). Its name is kept as the run's `filename`."
            ),
        },
        "mode": {
            "type": "string",
            "enum": [m.value for m in Mode],
            "default": Mode.ADD.value,
            "description": (
                "`add` adds each row's points to the balance; `reset` sets the balance to "
                "them. A log of points (Rivo's) can only add."
            ),
        },
        "dry_run": {
            "type": "string",
            "enum": ["true", "false", "1", "0"],
            "default": "true",
            "description": "`true` only reports what the import would do; `false` applies it.",
        },
        "source": {
            "type": "string",
            "enum": [*SOURCES, "auto"],
            "description": (
                "The app the file was exported from, to override detection; left out, empty "
                "or `auto`, it is detected from the columns."
            ),
        },
    },
    "additionalProperties": False,
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "ImportUpload": _UPLOAD,
    "ImportSummary": _SUMMARY,
    "Import": {
        **_SUMMARY,
        "properties": {
            **_SUMMARY["properties"],
            "rows": {"type": "array", "items": _ROW, "description": "500 rows a page."},
            "next_after_line": {"type": ["integer", "null"]},
            "earlier_import": {
                "type": ["string", "null"],
                "description": "An earlier applied import of the same rows, if any.",
            },
        },
    },
    "ImportList": {
        "type": "object",
        "properties": {
            "imports": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ImportSummary"},
            },
            "next": {"type": ["string", "null"], "description": "Pass as `before`."},
        },
    },
}
