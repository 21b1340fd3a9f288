"""A member export that fails, under the real gunicorn with the shipped ``gunicorn.conf.py``,
logs no personal data, and its client sees a failed download, never a short "complete" file.

The admin's search puts what the merchant typed in the query string
(``/api/members.csv?query=<email>``) and database errors quote their SQL parameters, so a
failure mid-stream used to log the request line with the email and a traceback with the
parameters (issue #15, item 13). Here the database connection serving the export is
terminated while it waits for the next batch (as a database restart would), once after the
answer has started streaming and once before its first rows; then every line gunicorn wrote
(its error log, its access log, the app's own log, all on stdout and stderr) is searched for
the email and the names.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import text

from loyalty.members.search import EXPORT_BATCH
from tests.support.config import free_port
from tests.support.http import session_token
from tests.support.shops import SHOP
from tests.support.workers import ROOT, backends_waiting_for_a_lock, wait_for, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EMAIL = "kari.nordmann@example.com"
FIRST, LAST = "Kari", "Nordmann"
# Long first names make each CSV row over 300 bytes: the export (ROWS rows) is then larger
# than every socket buffer between gunicorn and the client (the kernel's tcp_wmem maximum on
# gunicorn's side, 16 KiB asked on ours), so gunicorn cannot have run its last batch's query
# before the client reads on: the table lock taken meanwhile stops it at a later batch.
PADDED_FIRST = FIRST + "-" + "Marie" * 50
ROWS = 20_000
ROW_BYTES_AT_LEAST = 300
NEEDLES = [(EMAIL, False), (quote(EMAIL, safe=""), False), ("kari.nordmann", False)]
NEEDLES += [(FIRST, True), (LAST, True)]


def _kernel_send_buffer_max() -> int:
    return int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])


@pytest.fixture
def members(rt, shop) -> int:
    """ROWS members of the shop, all found by a search for Kari's email."""
    with rt.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO members (shop_id, customer_id, first_name, last_name, email,"
                " points_balance, lifetime_points, status, email_consent, sms_consent,"
                " joined_at, created_at, updated_at)"
                " SELECT :shop, 7000000000 + n, :first, :last, :email, 0, 0, 'active',"
                " false, false, now() - n * interval '1 second', now(), now()"
                " FROM generate_series(1, :rows) AS n"
            ),
            {"shop": shop.id, "first": PADDED_FIRST, "last": LAST, "email": EMAIL, "rows": ROWS},
        )
    return ROWS


@dataclass
class Server:
    """gunicorn running the app: its port, the file its output goes to, and how to stop it."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> str:
        """Stop gunicorn (SIGTERM, as a redeploy does); everything it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        return self.log.read_text(errors="replace")


@pytest.fixture
def server(config, redis_url, members, tmp_path) -> Iterator[Server]:
    """gunicorn as production runs it (the shipped gunicorn.conf.py), one sync worker, its
    access log on, everything at DEBUG; its stdout and stderr go to one file."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1"]
    argv += ["-b", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "debug"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*argv, "app:create_app()"],
            cwd=ROOT,
            env=worker_env(config, redis_url),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Server(port, log, process)
    try:
        wait_for("gunicorn", lambda: _healthy(f"http://127.0.0.1:{port}/healthz"), log)
        yield running
    finally:
        running.stop()


def _healthy(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def members_locked(engine) -> Iterator[None]:
    """An ACCESS EXCLUSIVE lock on the members table (every read of it waits) until the end."""
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE members IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()


def terminate_the_waiting_backend(engine) -> None:
    """Terminate the session waiting for the lock: the export's, as a database restart would."""
    wait_for(
        "the export to wait for the members table", lambda: backends_waiting_for_a_lock(engine)
    )
    with engine.connect() as conn:
        terminated = conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid()"
            )
        )
    assert terminated == 1


def export_request(port: int) -> socket.socket:
    """``GET /api/members.csv?query=<Kari's email>`` sent on a socket with a small receive
    buffer, so that gunicorn waits on it while the test does not read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(0.2)
    path = f"/api/members.csv?query={quote(EMAIL, safe='')}"
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/csv\r\n"
    head += f"Authorization: Bearer {session_token(SHOP)}\r\nConnection: close\r\n\r\n"
    sock.sendall(head.encode())
    return sock


def read_some(sock: socket.socket, until: bytes) -> bytes:
    """Read until ``until`` has arrived."""
    got = b""
    deadline = time.monotonic() + 60
    while until not in got and time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
    return got


def read_to_the_end(sock: socket.socket, engine) -> bytes:
    """Read until the server closes, terminating the export's backend once it waits for the
    lock (while the reading goes on, so gunicorn can get that far)."""
    got, terminated = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            if not terminated and backends_waiting_for_a_lock(engine):
                terminate_the_waiting_backend(engine)
                terminated = True
            continue
        if not chunk:
            return got
        got += chunk
    pytest.fail("the export never ended")


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """A chunked body's data, and whether it ended with the final (empty) chunk."""
    data = b""
    while True:
        line, found, rest = body.partition(b"\r\n")
        if not found:
            return data, False
        size = int(line.split(b";")[0], 16)
        if size == 0:
            return data, rest.startswith(b"\r\n")
        if len(rest) < size + 2:
            return data + rest[:size], False
        data += rest[:size]
        body = rest[size + 2 :]


def leaks(log_text: str) -> list[str]:
    """The needles found anywhere in the log."""
    return [
        needle
        for needle, exact in NEEDLES
        if (needle in log_text if exact else needle.lower() in log_text.lower())
    ]


def test_an_export_failing_midway_is_cut_off_and_logs_no_personal_data(rt, server):
    assert _kernel_send_buffer_max() + 2**20 < (ROWS - EXPORT_BATCH) * ROW_BYTES_AT_LEAST
    port = server.port

    # 1. The database goes away after the download has started.
    sock = export_request(port)
    head = read_some(sock, b"\r\n\r\n")  # the answer has started, 200 and chunked
    assert head.startswith(b"HTTP/1.1 200"), head[:300]
    assert b"transfer-encoding: chunked" in head.lower()
    with members_locked(rt.engine):
        raw = head + read_to_the_end(sock, rt.engine)
    sock.close()
    body, complete = dechunk(raw.partition(b"\r\n\r\n")[2])
    assert not complete  # the client sees a broken transfer, not a short file
    lines = body.decode().splitlines()
    assert lines[0].startswith("customer_id,first_name,last_name,email")
    assert EXPORT_BATCH <= len(lines) - 1 < ROWS

    # 2. The database goes away before the first rows: an ordinary 503 in the error shape.
    with members_locked(rt.engine):
        sock = export_request(port)
        terminate_the_waiting_backend(rt.engine)
        answer = read_some(sock, b"}}")
    sock.close()
    assert answer.startswith(b"HTTP/1.1 503"), answer[:300]
    assert b'"code":"unavailable"' in answer.replace(b" ", b"")

    text_logged = server.stop()  # all written: the access log's last line comes after the answer
    assert "unhandled OperationalError while streaming GET /api/members.csv" in text_logged
    assert "StreamAborted" in text_logged  # gunicorn's own "Error handling request"
    assert '"GET /api/members.csv" 200' in text_logged  # the access log: the path only
    assert '"GET /api/members.csv" 503' in text_logged
    assert leaks(text_logged) == [], text_logged[-6000:]
