"""Shopify's theme check on the extension: zero offenses of severity error.

Runs ``tests/support/theme_check.mjs`` with Node, after ``npm ci --prefix tools/theme-check``
when the pinned ``@shopify/theme-check-node`` is not installed yet. Without Node the test fails:
a check that silently stops running is worse than a red one.
"""

from __future__ import annotations

import json
import subprocess

from tests.support.node_tools import ROOT, ensure_node_tools

SCRIPT = ROOT / "tests" / "support" / "theme_check.mjs"


def test_theme_check_finds_no_errors() -> None:
    """``@shopify/theme-check-node`` 3.29.1 reports no error on extensions/klubb-widget."""
    node = ensure_node_tools()
    run = subprocess.run(
        [node, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    offenses = json.loads(run.stdout)
    errors = [o for o in offenses if o["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=2)
