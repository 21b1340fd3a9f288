"""The processes a benchmark runs: the app (or a bare Flask app) under gunicorn, the app's RQ
workers, and what they cost in memory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.common import ROOT, VENV_BIN

GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "1"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the arbiter)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str]) -> Iterator[Server]:
    """``app_spec`` under gunicorn with the shipped ``gunicorn.conf.py``, the same settings for
    every benchmark: sync workers (``BENCH_GUNICORN_WORKERS``, 4), or gthread with
    ``BENCH_GUNICORN_THREADS`` above 1."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",  # production's logging (it is read from ROOT anyway)
            "-w",
            str(GUNICORN_WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            # More than one thread makes gunicorn use its gthread worker (sync otherwise).
            *(["--threads", str(GUNICORN_THREADS)] if GUNICORN_THREADS > 1 else []),
            app_spec,
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{app_spec} did not start") from None
                time.sleep(0.2)
        yield Server(process, url)
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def workers(
    count: int, queues: str, env: dict[str, str]
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` of the app's forking RQ workers on ``queues``."""
    procs = [
        subprocess.Popen(
            [
                str(VENV_BIN / "rq"),
                "worker",
                "-w",
                "jobs.worker.AppWorker",
                "-q",
                "--url",
                env["REDIS_URL"],
                *queues.split(","),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        time.sleep(3)  # let them import the app and register
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
