"""Load with wrk (signed webhook posts, or GETs of a list of paths round-robin), what it
measured, and percentiles of in-process timings."""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass

from bench.common import ROOT, SHOP
from bench.webhook_bodies import sign


@dataclass
class WrkResult:
    requests_per_s: float
    latency_ms: dict[str, float]
    non_2xx: int
    errors: str


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    if value.endswith("s"):
        return number * 1000
    return number


def run_wrk(
    url: str,
    script: str,
    env: dict[str, str],
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
) -> WrkResult:
    """Run wrk with ``bench/<script>`` against ``url`` (``env`` added to this environment)."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / script),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return WrkResult(
        rate, latency, int(non_2xx.group(1)) if non_2xx else 0, errors.group(1) if errors else ""
    )


def wrk(
    url: str,
    body: bytes,
    topic: str,
    *,
    seconds: int,
    connections: int,
    delay_ms: float = 0.0,
    threads: int = 2,
) -> WrkResult:
    """Run wrk against ``url`` posting ``body`` (signed) with a fresh event id per request."""
    body_file = ROOT / "bench" / ".wrk-body.json"
    body_file.write_bytes(body)
    env = {
        "BENCH_BODY_FILE": str(body_file),
        "BENCH_HMAC": sign(body),
        "BENCH_TOPIC": topic,
        "BENCH_SHOP": SHOP,
        "BENCH_RUN": str(time.time_ns()),
        "BENCH_DELAY_MS": str(delay_ms),
    }
    try:
        return run_wrk(
            url, "webhook.lua", env, seconds=seconds, connections=connections, threads=threads
        )
    finally:
        body_file.unlink(missing_ok=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def wrk_paths(
    url: str, paths: list[str], *, seconds: int, connections: int, delay_ms: float = 0.0
) -> WrkResult:
    """Run wrk (bench/proxy.lua) GETting ``paths`` round-robin."""
    paths_file = ROOT / "bench" / f".wrk-paths-{os.getpid()}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    env = {"BENCH_PATHS_FILE": str(paths_file), "BENCH_DELAY_MS": str(delay_ms)}
    try:
        return run_wrk(url, "proxy.lua", env, seconds=seconds, connections=connections)
    finally:
        paths_file.unlink(missing_ok=True)
