"""axe-core (pinned in tools/theme-check, injected by Playwright) on the widget and admin pages."""

from __future__ import annotations

import json
from typing import Any

from tests.support.node_tools import AXE, ensure_node_tools


def assert_accessible(page: Any, selector: str = "dialog.klubb-panel") -> None:
    """axe finds no serious or critical violation inside ``selector`` (the widget, not the theme)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        ensure_node_tools()
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "sel => axe.run(document.querySelector(sel)).then(r => r.violations)", selector
    )
    bad = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in found
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == [], json.dumps(bad, indent=2)
