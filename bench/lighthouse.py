"""Storefront cost benchmark: Lighthouse on the test storefront page with and without the embed.

    .venv/bin/python -m bench.lighthouse [--runs 5]

The page is devtools/storefront's theme page (the extension's Liquid rendered by python-liquid,
the assets served as Shopify's CDN would, the app proxy signing calls to the app). Two
storefronts run side by side in front of the same app under gunicorn: one with Klubb's app
embed enabled, one without. Lighthouse 12.2.3 (tools/lighthouse, installed with ``npm ci`` when
missing; Debian's chromium; performance only, its default mobile profile with simulated
throttling) runs ``--runs`` times on each, alternating, so both see the same machine load.

Results: the median performance score of each and the drop (target <= 2 points), the
JavaScript bytes the embed adds (as served, and gzipped as Shopify's CDN serves them) and the
median Total Blocking Time added. The storefront also counts app-proxy calls: the launcher must
make none before the shopper interacts.
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Not the harness's Redis database: other benchmarks may be running and flush theirs.
os.environ.setdefault("BENCH_REDIS_DB", "10")

from bench.common import ROOT, SECRET, SHOP, app_env, fresh_database, prepare_app_database
from bench.processes import gunicorn
from devtools.storefront.server import Storefront
from devtools.storefront.theme import EXTENSION

DATABASE = "klubb_bench_storefront"
TOOLS = ROOT / "tools" / "lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def ensure_lighthouse() -> Path:
    """``npm ci`` the pinned Lighthouse once (under a lock, like tests/support/node_tools)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("node and npm are needed (Node 20) to run Lighthouse")
    with (Path(tempfile.gettempdir()) / "klubb-lighthouse-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not LIGHTHOUSE.exists():
            subprocess.run(
                [npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
                check=True,
                timeout=600,
            )
    return LIGHTHOUSE


@dataclass
class Run:
    """What one Lighthouse run measured."""

    score: float
    tbt_ms: float
    fcp_ms: float
    lcp_ms: float
    cls: float
    script_bytes: int
    stylesheet_bytes: int
    document_bytes: int
    scripts: list[str]


def lighthouse(url: str) -> Run:
    """One Lighthouse run, performance category only."""
    out = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--chrome-flags=--headless=new --no-sandbox",
            "--only-categories=performance",
            "--output=json",
            "--output-path=stdout",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    report: dict[str, Any] = json.loads(out)
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    scripts = [r for r in requests if r.get("resourceType") == "Script"]
    stylesheets = [r for r in requests if r.get("resourceType") == "Stylesheet"]
    return Run(
        score=report["categories"]["performance"]["score"] * 100,
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        fcp_ms=audits["first-contentful-paint"]["numericValue"],
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        cls=audits["cumulative-layout-shift"]["numericValue"],
        script_bytes=sum(int(r.get("transferSize", 0)) for r in scripts),
        stylesheet_bytes=sum(int(r.get("transferSize", 0)) for r in stylesheets),
        scripts=[urlparse(r["url"]).path for r in scripts],
        document_bytes=sum(
            int(r.get("transferSize", 0)) for r in requests if r.get("resourceType") == "Document"
        ),
    )


def gzipped(paths: list[str]) -> int:
    """Bytes of the extension's scripts at ``paths`` once gzipped (as Shopify's CDN serves them)."""
    total = 0
    for path in set(paths):
        asset = EXTENSION / "assets" / Path(path).name
        if asset.is_file():
            total += len(gzip.compress(asset.read_bytes(), compresslevel=9))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ensure_lighthouse()

    db_url = fresh_database(DATABASE)
    prepare_app_database(db_url)
    env = app_env(db_url)
    runs: dict[str, list[Run]] = {"without": [], "with": []}
    with gunicorn("app:create_app()", env) as server:
        fronts = {
            "without": Storefront(
                app_url=server.url, shop=SHOP, secret=SECRET, embed_enabled=False
            ).start(),
            "with": Storefront(app_url=server.url, shop=SHOP, secret=SECRET).start(),
        }
        try:
            lighthouse(fronts["without"].url + "/")  # warm-up: chromium's first start is slow
            for _ in range(args.runs):
                for name in ("without", "with"):
                    runs[name].append(lighthouse(fronts[name].url + "/"))
            proxied = len(fronts["with"].proxied)
        finally:
            for front in fronts.values():
                front.stop()

    def median(name: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs[name])

    print(f"Lighthouse 12.2.3, {CHROME}, performance only, median of {args.runs} runs each")
    print(f"{'':24}{'without embed':>15}{'with embed':>15}{'added':>10}")
    for label, field, unit in (
        ("performance score", "score", ""),
        ("Total Blocking Time", "tbt_ms", " ms"),
        ("First Contentful Paint", "fcp_ms", " ms"),
        ("Largest Contentful Paint", "lcp_ms", " ms"),
        ("Cumulative Layout Shift", "cls", ""),
        ("JavaScript (as served)", "script_bytes", " B"),
        ("CSS files (as served)", "stylesheet_bytes", " B"),
        ("HTML document", "document_bytes", " B"),
    ):
        without, with_ = median("without", field), median("with", field)
        digits = 3 if field == "cls" else 0
        print(
            f"{label:24}{without:>13.{digits}f}{unit:2}{with_:>13.{digits}f}{unit:2}"
            f"{with_ - without:>+8.{digits}f}{unit}"
        )
    drop = median("without", "score") - median("with", "score")
    scripts = sorted({s for r in runs["with"] for s in r.scripts})
    print(f"score drop:             {drop:.0f} points (target <= 2)")
    print(f"JavaScript added, gzipped: {gzipped(scripts)} B ({', '.join(scripts) or 'none'})")
    print(f"app-proxy calls during the runs with the embed: {proxied} (expected 0)")
    for name in ("without", "with"):
        scores = ", ".join(f"{r.score:.0f}" for r in runs[name])
        tbts = ", ".join(f"{r.tbt_ms:.0f}" for r in runs[name])
        print(f"runs {name} embed: scores {scores}; TBT ms {tbts}")


if __name__ == "__main__":
    main()
