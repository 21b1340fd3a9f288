"""``/api/imports``: upload a CSV of members and balances (dry run or apply), and read runs back.

Thin over :mod:`loyalty.imports`. A small file runs inside the request (Shopify lookups
included, with no transaction open meanwhile); a larger one is queued on the ``shopify`` queue
(:mod:`jobs.imports`) and answered 202 with the run to poll.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from admin.api import api
from admin.auth import current_shop, session_token_required
from admin.import_schemas import SCHEMAS
from errors import json_error
from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text, whole_from_text
from loyalty.imports import runs
from loyalty.imports.outcomes import Outcome
from loyalty.imports.parse import MAX_FILE_BYTES
from loyalty.imports.results import earlier_run, list_runs, run_json
from openapi import Answer, Param, id_schema
from runtime import current_runtime

# Files of up to this many rows run inside the request; larger ones in a job.
SYNC_ROWS = 200

# The messages ``loyalty.imports`` gives per field (the domain knows no languages): listed here
# so they are extracted for translation, and answered in the admin's language.
FIELD_MESSAGES = (
    _l("Choose a CSV file."),
    _l("Choose add or reset."),
    _l("Send true or false."),
    _l("Unknown source; leave it empty to detect it."),
    _l("Unknown field."),
    _l("This file is a log of points: it can only add them."),
    _l("The file is larger than 4 MB."),
    _l("This is a spreadsheet: save it as CSV and upload that."),
    _l("The file is empty."),
    _l("No column holds the points: name one Points or Points Balance."),
    _l("No column names the customer: add Email or Customer ID."),
    _l("The file has a header row but no rows."),
    _l("At most 50,000 rows per file; split it."),
    _l("The file cannot be read as CSV: check its quotation marks."),
    _l("At most 4 MB."),
    _l("The file cannot be read as UTF-16 text."),
    _l("The file holds NUL characters: it is not CSV text."),
    _l("The text holds a character that cannot be stored (NUL or an unpaired surrogate)."),
)

api.schemas.update(SCHEMAS)


def _int_arg(name: str) -> int | Response | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = whole_from_text(raw, 0)
    if value is None:
        return json_error(
            422, "validation_failed", "Some fields are not valid.", {name: "Enter a whole number."}
        )
    return value


@api.route(
    "/imports",
    "POST",
    summary="Import members and balances from a CSV file (dry run or apply)",
    request="ImportUpload",
    request_media_type="multipart/form-data",
    part_types={"file": "text/csv"},
    response="Import",
    answers=(
        Answer(
            201,
            f"Files of up to {SYNC_ROWS} rows run at once: the finished run with its first rows.",
        ),
        Answer(
            202,
            f"Files over {SYNC_ROWS} rows run in the background: the queued run, without rows.",
            headers=(("Location", "The run to poll (`GET /api/imports/{import_id}`)."),),
        ),
    ),
    errors=(415, 422, 502, 503),
    error_notes={
        413: f"`file_too_large`: the file is over {MAX_FILE_BYTES // 1048576} MB.",
        422: (
            "`validation_failed`: `error.fields` names each bad form field (an unknown field "
            "too), or a `file` that cannot be read as the members' CSV."
        ),
        502: "`shopify_unavailable`: Shopify answered a customer lookup wrongly; the run failed.",
        503: (
            "Shopify or a server Klubb depends on is briefly unavailable. Uploading the same "
            "file again is safe: rows already imported count once."
        ),
    },
)
@session_token_required
def create_import() -> tuple[Response, int] | Response:
    """Validate the upload, record the run, and run it now or queue it."""
    if request.mimetype != "multipart/form-data":
        return json_error(415, "unsupported_media_type", "Send the file as multipart/form-data.")
    upload = request.files.get("file")
    content = upload.read(MAX_FILE_BYTES + 1) if upload is not None else None
    if content is not None and len(content) > MAX_FILE_BYTES:
        return json_error(
            413,
            "file_too_large",
            gettext("The file is larger than 4 MB."),
            {"file": gettext("At most 4 MB.")},
        )
    rt = current_runtime()
    shop = current_shop()
    try:
        checked = runs.validate_upload(
            content, upload.filename if upload else None, request.form.to_dict()
        )
    except ValidationError as err:
        fields = {name: gettext(message) for name, message in err.fields.items()}
        return json_error(422, err.code, gettext("Some fields are not valid."), fields)
    run_id = runs.create_run(rt.sessions, shop.id, checked, staff_user_id=g.staff_user_id)
    if len(checked.parsed.rows) > SYNC_ROWS:
        from jobs.imports import enqueue_import

        enqueue_import(rt, run_id)
        body = run_json(rt.sessions, shop.id, run_id, with_rows=False)
        response = jsonify(body)
        response.headers["Location"] = url_for("api.read_import", import_id=str(run_id))
        return response, 202
    from jobs.imports import run_now

    run_now(rt, run_id)
    body = run_json(rt.sessions, shop.id, run_id)
    body["earlier_import"] = _earlier(shop.id, run_id)
    return jsonify(body), 201


def _earlier(shop_id: int, run_id: int) -> str | None:
    found = earlier_run(current_runtime().sessions, shop_id, run_id)
    return None if found is None else str(found)


@api.route(
    "/imports/<import_id>",
    "GET",
    summary="An import: status, progress, counts and its rows",
    response="Import",
    errors=(404, 422),
    path={"import_id": id_schema("The import's id.")},
    query=(
        Param("after_line", {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}),
        Param("outcome", {"enum": list(Outcome.ALL)}),
    ),
    description=(
        "Rows come 500 a page, by line: pass `after_line` (the answer's `next_after_line`); "
        "`outcome` keeps one kind (`error`, `new_member`, `change`, `unchanged`, `skipped`)."
    ),
)
@session_token_required
def read_import(import_id: str) -> Response:
    """One import run of the authenticated shop (404 if it is another shop's)."""
    run_id = id_from_text(import_id)
    if run_id is None:
        return json_error(404, "not_found", "This shop has no such import.")
    after = _int_arg("after_line")
    if isinstance(after, Response):
        return after
    outcome = request.args.get("outcome") or None
    if outcome is not None and outcome not in Outcome.ALL:
        return json_error(
            422,
            "validation_failed",
            "Some fields are not valid.",
            {"outcome": "One of " + ", ".join(Outcome.ALL) + "."},
        )
    shop_id = current_shop().id
    body = run_json(
        current_runtime().sessions, shop_id, run_id, outcome=outcome, after_line=after or 0
    )
    body["earlier_import"] = _earlier(shop_id, run_id)
    return jsonify(body)


@api.route(
    "/imports",
    "GET",
    summary="The shop's imports, newest first",
    response="ImportList",
    errors=(422,),
    query=(Param("before", {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}),),
    description="20 a page; pass `before` (the answer's `next`) for the next page.",
)
@session_token_required
def list_imports() -> Response:
    """The authenticated shop's import runs, without their rows."""
    before = _int_arg("before")
    if isinstance(before, Response):
        return before
    return jsonify(list_runs(current_runtime().sessions, current_shop().id, before=before))
