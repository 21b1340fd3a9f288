"""The intake's cost in CPU instructions per request, against the bare Flask endpoint.

    .venv/bin/python -m bench.intake_instructions [--requests 200]

Throughput and CPU time on this shared two-core machine move by ±20 % from run to run; an
instruction count does not. Each side runs in-process through Flask's test client (no sockets,
no gunicorn) under ``valgrind --tool=callgrind``: once with a few warm-up requests and once with
``--requests`` more, so the difference is the cost of those requests alone (imports, app start and
the first request's lazy work cancel out). Counted: the Python process only, not PostgreSQL or
Redis. Each request is Shopify's own ``orders/paid`` example body (12.8 KB) under a fresh event id.

The same file run from another checkout (copied there) measures that checkout's code, which is
how a change to the intake is compared with the code before it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = ROOT.parent / "shared" / "shopify" / "payloads" / "orders_paid.json"
DATABASE = "klubb_bench_intake_instructions"
WARMUP = 20


def _body() -> bytes:
    """Shopify's example ``orders/paid`` body, or a same-sized stand-in where it is absent."""
    if PAYLOAD.exists():
        return PAYLOAD.read_bytes()
    from bench.webhook_bodies import dumps, order_body

    return dumps(order_body(1, 1, 100))


def _client_loop(count: int, bare: bool) -> None:
    """Run ``count`` signed deliveries through the app (or the bare endpoint) in this process."""
    try:
        from bench.webhook_bodies import webhook_headers
    except ImportError:  # a checkout from before bench/ was split
        from bench.common import webhook_headers  # type: ignore[attr-defined,no-redef]

    if bare:
        from bench.bare_app import app
    else:
        from app import create_app

        app = create_app()
    client = app.test_client()
    body = _body()
    run = os.urandom(4).hex()
    for n in range(count):
        headers = webhook_headers("orders/paid", f"bench-{run}-{n}", body)
        response = client.post("/webhooks", data=body, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"delivery {n} answered {response.status_code}: {response.data!r}")


def _instructions(count: int, bare: bool, env: dict[str, str]) -> int:
    """Instructions callgrind counts for a process that makes ``count`` deliveries."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        args = [sys.executable, "-m", "bench.intake_instructions", "--loop", str(count)]
        if bare:
            args.append("--bare")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        match = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
        if not match:
            raise SystemExit("callgrind wrote no summary")
        return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--loop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop is not None:
        _client_loop(args.loop, args.bare)
        return

    from bench.common import app_env, fresh_database, prepare_app_database

    db_url = fresh_database(DATABASE)
    prepare_app_database(db_url)
    env = app_env(db_url, PYTHONHASHSEED="0")
    per_request = {}
    for name, bare in (("bare Flask", True), ("POST /webhooks", False)):
        # Once outside valgrind first, so both counted runs find every .pyc already written.
        loop = [sys.executable, "-m", "bench.intake_instructions", "--loop", str(WARMUP)]
        subprocess.run([*loop, *(["--bare"] if bare else [])], cwd=ROOT, env=env, check=True)
        low = _instructions(WARMUP, bare, env)
        high = _instructions(WARMUP + args.requests, bare, env)
        per_request[name] = (high - low) / args.requests
    bare_cost, app_cost = per_request["bare Flask"], per_request["POST /webhooks"]
    print(json.dumps({k: round(v) for k, v in per_request.items()}))
    print(f"instructions per request: bare {bare_cost:,.0f}, intake {app_cost:,.0f}")
    print(f"ratio (bare / intake, as the throughput ratio): {bare_cost / app_cost:.3f}")


if __name__ == "__main__":
    main()
