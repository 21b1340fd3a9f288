"""The pinned Node tools in ``tools/theme-check`` (theme check, axe-core), installed on demand.

``npm ci --prefix tools/theme-check`` runs once when they are missing. Without Node the calling
test fails rather than skips: a check that silently stops running is worse than a red one.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "theme-check"
MODULES = TOOLS / "node_modules"
AXE = MODULES / "axe-core" / "axe.min.js"


def ensure_node_tools() -> str:
    """Install the tools if needed; the path of ``node``."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed (Node 20): install them to run these checks")
    wanted = (MODULES / "@shopify" / "theme-check-node", AXE)
    # Parallel test workers would run `npm ci` at once and trip over each other's files: the
    # first takes a file lock and installs, the others wait and then find the tools there.
    with (TOOLS / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all(path.exists() for path in wanted):
            subprocess.run(
                [npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
                check=True,
                timeout=600,
            )
    return node
