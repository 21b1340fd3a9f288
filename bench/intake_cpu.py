"""Where the machine's CPU goes per request: the bare endpoint against ``POST /webhooks``.

    .venv/bin/python -m bench.intake_cpu [--seconds 10] [--connections 16] [--window MS]

The intake benchmark's ratio is, on a saturated two-core machine, a ratio of CPU per request.
This run saturates each server the same way (wrk, signed ``orders/paid`` posts with fresh event
ids) and reads the CPU time the gunicorn workers, PostgreSQL's processes and Redis used from
/proc before and after, wrk's from its rusage, and the whole machine's from /proc/stat;
each divided by the requests served. Linux only.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
from pathlib import Path

from bench.common import app_env, fresh_database, prepare_app_database
from bench.load import wrk
from bench.processes import gunicorn
from bench.webhook_bodies import dumps, order_body

DATABASE = "klubb_bench_intake_cpu"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int:
    """User plus system clock ticks a process has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return int(fields[11]) + int(fields[12])


def pids_of(pattern: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def machine_ticks() -> int:
    """Busy ticks of all CPUs (everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]


def measure(app_spec: str, env: dict[str, str], body: bytes, seconds: int, connections: int):
    """Requests per second and microseconds of CPU per request, by process kind."""
    with gunicorn(app_spec, env) as server:
        wrk(server.url, body, "orders/paid", seconds=2, connections=4)  # warm-up
        groups = {
            "gunicorn workers": server.worker_pids(),
            "PostgreSQL": pids_of("postgres"),
            "Redis": pids_of("redis-server"),
        }
        before = {name: sum(map(cpu_ticks, pids)) for name, pids in groups.items()}
        busy_before = machine_ticks()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = wrk(server.url, body, "orders/paid", seconds=seconds, connections=connections)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy = machine_ticks() - busy_before
        used = {name: sum(map(cpu_ticks, pids)) - before[name] for name, pids in groups.items()}
    served = result.requests_per_s * seconds
    per_request = {name: ticks / TICKS / served * 1e6 for name, ticks in used.items()}
    per_request["wrk"] = (
        (
            children_after.ru_utime
            + children_after.ru_stime
            - children_before.ru_utime
            - children_before.ru_stime
        )
        / served
        * 1e6
    )
    per_request["whole machine"] = busy / TICKS / served * 1e6
    return result.requests_per_s, per_request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--window", type=int, default=None, help="WEBHOOK_ENQUEUE_WINDOW_MS")
    args = parser.parse_args()

    db_url = fresh_database(DATABASE)
    prepare_app_database(db_url)
    settings = {} if args.window is None else {"WEBHOOK_ENQUEUE_WINDOW_MS": str(args.window)}
    env = app_env(db_url, **settings)
    body = dumps(order_body(820982911946154508, 115310627314723954, 499))
    rows = {
        "bare Flask endpoint": measure(
            "bench.bare_app:app", env, body, args.seconds, args.connections
        ),
        "POST /webhooks": measure("app:create_app()", env, body, args.seconds, args.connections),
    }
    kinds = list(next(iter(rows.values()))[1])
    print(f"{'CPU per request (us)':24s}" + "".join(f"{name:>22s}" for name in rows))
    print(f"{'requests/s':24s}" + "".join(f"{rate:22.0f}" for rate, _ in rows.values()))
    for kind in kinds:
        print(f"{kind:24s}" + "".join(f"{cpu[kind]:22.0f}" for _, cpu in rows.values()))


if __name__ == "__main__":
    main()
