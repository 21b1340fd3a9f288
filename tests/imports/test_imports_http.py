"""/api/imports over HTTP: auth, validation per field, size limits, big files by job, isolation."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from loyalty.core.models import ImportRun
from loyalty.imports.parse import MAX_FILE_BYTES
from loyalty.imports.results import RUNS_PAGE
from tests.imports.helpers import KARI, balances
from tests.support.http import bearer
from tests.support.jobs import drain
from tests.support.shops import SHOP, SHOP_A, SHOP_B

ROUTES = [("POST", "/api/imports"), ("GET", "/api/imports"), ("GET", "/api/imports/1")]


def _file(content: bytes = b"email,points\nkari@example.com,5\n") -> dict:
    return {"file": (io.BytesIO(content), "f.csv")}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_missing_token_is_401(client, shop_a, method, path):
    response = client.open(path, method=method, data=_file())
    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_expired_token_is_401(client, shop_a, method, path):
    past = int(time.time()) - 300
    headers = bearer(SHOP_A, exp=past, nbf=past - 60, iat=past - 60)
    response = client.open(path, method=method, data=_file(), headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_session_token"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_for_a_shop_that_has_not_installed_is_401(client, shop_a, method, path):
    response = client.open(path, method=method, data=_file(), headers=bearer("other.myshopify.com"))
    assert response.get_json()["error"]["code"] == "shop_not_installed"


def test_json_instead_of_a_file_is_415(client, shop_a):
    response = client.post("/api/imports", json={"mode": "add"}, headers=bearer(SHOP_A))
    assert response.status_code == 415


def test_each_bad_field_gets_its_own_message(client, shop_a):
    response = client.post(
        "/api/imports",
        data={"mode": "replace", "dry_run": "maybe", "source": "bogus", "extra": "1"},
        headers=bearer(SHOP_A),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "file": "Choose a CSV file.",
        "mode": "Choose add or reset.",
        "dry_run": "Send true or false.",
        "source": "Unknown source; leave it empty to detect it.",
        "extra": "Unknown field.",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,points\nKari,5\n", "No column names the customer: add Email or Customer ID."),
    ],
)
def test_an_unusable_file_is_422_on_the_file_field(client, shop_a, content, message):
    response = client.post(
        "/api/imports",
        data=_file(content),
        headers=bearer(SHOP_A),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"file": message}


def test_a_file_over_the_limit_is_413_and_nothing_is_recorded(client, shop_a, rt):
    big = b"email,points\n" + b"x" * MAX_FILE_BYTES
    response = client.post(
        "/api/imports", data=_file(big), headers=bearer(SHOP_A), content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "file_too_large"
    with rt.sessions() as s:
        assert s.scalar(select(ImportRun.id)) is None


def test_a_request_over_the_apps_body_limit_is_413(client, shop_a):
    huge = b"x" * (5 * 1024 * 1024 + 10)
    response = client.post(
        "/api/imports", data=_file(huge), headers=bearer(SHOP_A), content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_a_big_file_runs_as_a_job_with_progress(upload, client, rt, shop_id, app):
    rows = b"".join(
        b"kari@example.com,1\n" if n == 0 else b"x%d@example,1\n" % n for n in range(300)
    )
    response = upload(b"email,points\n" + rows, mode="add")
    assert response.status_code == 202
    queued = response.get_json()
    assert (queued["status"], queued["total_rows"], queued["processed_rows"]) == ("queued", 300, 0)
    location = response.headers["Location"]
    assert location.endswith(f"/api/imports/{queued['id']}")
    assert drain(app) >= 1
    done = client.get(location, headers=bearer(SHOP)).get_json()
    assert (done["status"], done["processed_rows"]) == ("done", 300)
    assert done["counts"]["change"] == 1 and done["counts"]["error"] == 299
    assert balances(rt, shop_id)[KARI] == 101
    # A second run of the job (a duplicate or a retry) changes nothing.
    from jobs.imports import run_import

    assert run_import(int(queued["id"])) == "done"
    assert balances(rt, shop_id)[KARI] == 101


def test_shopify_failing_marks_the_run_failed(upload, rt, shop_id, fake_shopify):
    for _ in range(6):
        fake_shopify.fail_next_graphql_request(503)
    response = upload(b"email,points\nnora@example.com,5\n", mode="add")
    assert response.status_code == 503
    with rt.sessions() as s:
        run = s.scalars(select(ImportRun)).one()
        assert (run.status, run.content) == ("failed", None)
    # Re-uploading once Shopify answers works.
    assert upload(b"email,points\nnora@example.com,5\n", mode="add").status_code == 201


def test_the_list_is_newest_first_and_paged(client, rt, shop_a, shop_b):
    with rt.sessions.begin() as s:
        for n in range(RUNS_PAGE + 3):
            s.add(
                ImportRun(
                    shop_id=shop_a, mode="add", source="smile", file_hash=str(n), total_rows=n
                )
            )
        s.add(ImportRun(shop_id=shop_b, mode="add", source="smile", file_hash="b"))
    first = client.get("/api/imports", headers=bearer(SHOP_A)).get_json()
    assert len(first["imports"]) == RUNS_PAGE
    assert first["imports"][0]["total_rows"] == RUNS_PAGE + 2
    second = client.get(f"/api/imports?before={first['next']}", headers=bearer(SHOP_A)).get_json()
    assert [r["total_rows"] for r in second["imports"]] == [2, 1, 0]
    assert second["next"] is None
    assert client.get("/api/imports?before=x", headers=bearer(SHOP_A)).status_code == 422


def test_a_shop_never_sees_another_shops_imports(client, rt, shop_a, shop_b):
    with rt.sessions.begin() as s:
        theirs = ImportRun(shop_id=shop_b, mode="add", source="smile", file_hash="b")
        s.add(theirs)
        s.flush()
        theirs_id = theirs.id
    assert client.get(f"/api/imports/{theirs_id}", headers=bearer(SHOP_A)).status_code == 404
    assert client.get("/api/imports", headers=bearer(SHOP_A)).get_json()["imports"] == []
    assert client.get(f"/api/imports/{theirs_id}", headers=bearer(SHOP_B)).status_code == 200


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/imports"]) == {"get", "post"}
    assert "413" in paths["/api/imports"]["post"]["responses"]
    assert "get" in paths["/api/imports/{import_id}"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom."),
        (
            b"PK\x03\x04rest-of-a-workbook",
            "Dette er et regneark: lagre det som CSV og last opp den filen.",
        ),
    ],
)
def test_field_messages_come_in_the_admins_language(client, shop_a, content, message):
    response = client.post(
        "/api/imports?locale=nb",
        data=_file(content),
        headers=bearer(SHOP_A),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"file": message}


def test_every_message_the_importer_gives_per_field_is_translatable():
    from admin.import_api import FIELD_MESSAGES
    from loyalty.imports import parse as parse_module
    from loyalty.imports import runs as runs_module

    listed = {str(m) for m in FIELD_MESSAGES}
    source = Path(parse_module.__file__).read_text() + Path(runs_module.__file__).read_text()
    given = set(re.findall(r'ValidationError\(\s*\{"\w+": "([^"]+)"\}', source))
    given |= set(re.findall(r'fields\["\w+"\] = "([^"]+)"', source))
    assert given and given <= listed, given - listed
