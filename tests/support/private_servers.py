"""Servers of a test's own on spare ports: a Redis and a PostgreSQL cluster it may break.

The fault tests stop, kill, flush and restart these; never the shared servers at
127.0.0.1:6379 and :5432 (``tests/support/config.py``), which other test runs use at the same
time. Each server is a child process of the test run, stopped at the end of its ``with`` block
(or fixture) and, should the run die first, at interpreter exit; nothing is left behind.

PostgreSQL: ``initdb`` refuses to run as root, and CI runs as root, so as root the cluster is
made and run as the ``postgres`` user (``runuser -u postgres``) in a temporary folder it owns;
otherwise the binaries run as the current user. Nothing is flushed to disk (``fsync=off``):
these clusters hold one test's data and are thrown away, and a server crash (an immediate
shutdown) still keeps every commit, since the operating system keeps what was written.
Commits stay synchronous: a commit acknowledged is written, as the app's promises need.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.support.config import free_port

PG_BIN = Path(os.environ.get("KLUBB_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_WAIT = 30.0

_live: set[PrivateRedis | PrivatePostgres] = set()
"""Servers started and not stopped yet: stopped at exit if a test could not."""


def _stop_leftovers() -> None:
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.remove()


atexit.register(_stop_leftovers)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = START_WAIT) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


class PrivateRedis:
    """A ``redis-server`` on a spare port. It saves nothing by itself: a restart starts empty,
    unless it was stopped with ``keep_data`` (a snapshot, as a server with persistence keeps)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = Path(tempfile.mkdtemp(prefix="klubb-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    def client(self) -> redis.Redis:
        """A client that gives up quickly while the server is away."""
        return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=5)

    def answers(self) -> bool:
        """Whether the server answers a PING now."""
        try:
            return bool(self.client().ping())
        except (redis.RedisError, OSError):
            return False

    def start(self) -> PrivateRedis:
        """Start the server (again, on the same port) and wait until it answers."""
        if self._process is not None and self._process.poll() is None:
            return self
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self._process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        _live.add(self)
        wait_until(self.answers, f"the private Redis on port {self.port}")
        return self

    def stop(self, *, fast: bool = False, keep_data: bool = False) -> None:
        """Stop the server. Its data is gone, unless ``keep_data`` (saved first, loaded by the
        next :meth:`start`); ``fast`` kills it (SIGKILL), as a crash would."""
        process, self._process = self._process, None
        _live.discard(self)
        if process is None or process.poll() is not None:
            return
        if keep_data:
            self.client().shutdown(save=True)
        else:
            (self.folder / "dump.rdb").unlink(missing_ok=True)
            process.send_signal(signal.SIGKILL if fast else signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        self.stop(fast=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def flush(self) -> None:
        """Lose every key at once, the server staying up (what a failover to an empty replica,
        or a restart without persistence between two polls, looks like to the clients)."""
        self.client().flushall()


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a spare port.

    :attr:`admin_url` reaches its ``postgres`` database; :meth:`create_database` adds one.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="klubb-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = os.geteuid() == 0
        self._made = False
        self._running = False

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary, as the ``postgres`` user when this process is root."""
        command = [str(PG_BIN / argv[0]), *argv[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, timeout=120, cwd=self.folder
        )

    def start(self) -> PrivatePostgres:
        """Make the cluster on first use, then start the server and wait until it answers."""
        _live.add(self)
        if not self._made:
            if self._as_postgres:
                shutil.chown(self.folder, "postgres", "postgres")
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            )
            self._made = True
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        self._running = True
        return self

    def stop(self, *, fast: bool = False) -> None:
        """Stop the server: ``fast`` is an immediate shutdown (no checkpoint, every connection
        cut), as a crash or a failover looks to the app; else a fast (clean) shutdown."""
        if not self._running:
            return
        mode = "immediate" if fast else "fast"
        done = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        if done.returncode != 0:
            self._kill_postmaster()
        self._running = False

    def _kill_postmaster(self) -> None:
        """SIGKILL the postmaster named in its pid file (its children follow it)."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        """Stop the server if it runs and delete the cluster's folder."""
        self.stop(fast=True)
        _live.discard(self)
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create database ``name``; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@contextlib.contextmanager
def private_redis_server() -> Iterator[PrivateRedis]:
    """A started :class:`PrivateRedis`, stopped at the end."""
    server = PrivateRedis()
    try:
        yield server.start()
    finally:
        server.remove()


@contextlib.contextmanager
def private_postgres_server() -> Iterator[PrivatePostgres]:
    """A started :class:`PrivatePostgres`, stopped and deleted at the end."""
    server = PrivatePostgres()
    try:
        yield server.start()
    finally:
        server.remove()


def needs_redis_server() -> pytest.MarkDecorator:
    """Skip unless ``redis-server`` is installed."""
    return pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


def needs_postgres_binaries() -> pytest.MarkDecorator:
    """Skip unless PostgreSQL's server binaries (and, as root, ``runuser``) are installed."""
    missing = not (PG_BIN / "initdb").exists() or (
        os.geteuid() == 0 and shutil.which("runuser") is None
    )
    return pytest.mark.skipif(missing, reason=f"needs PostgreSQL's binaries in {PG_BIN}")


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis server of this test's own (never the shared one), stopped afterwards."""
    with private_redis_server() as server:
        yield server


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of this test's own (never the shared one), removed afterwards."""
    with private_postgres_server() as server:
        yield server
