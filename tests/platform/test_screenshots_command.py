"""``python -m devtools.screenshots`` (``make screenshots``): the demo's listing screenshots.

It starts its own ``flask --app app dev`` on the embedded defaults, waits for the demo data, and
writes one 1600 by 900 PNG per admin page and per storefront view, and the 1200 by 1200 app icon;
nothing keeps running.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.screenshots import ADMIN_PAGES, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_one_command_writes_every_screenshot_at_the_listing_size(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "devtools.screenshots", "--locales", "nb"),
            *("--out", str(tmp_path), "--icon-out", str(tmp_path / "icon.png")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    expected = {f"admin-{name}.png" for name in ADMIN_PAGES} | {
        "widget-member.png",
        "widget-guest.png",
    }
    written = {path.name for path in (tmp_path / "nb").iterdir()}
    assert written == expected
    for name in expected:
        assert _png_size(tmp_path / "nb" / name) == (1600, 900)
    assert _png_size(tmp_path / "icon.png") == (1200, 1200)
