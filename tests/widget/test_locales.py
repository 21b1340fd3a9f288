"""Every English text of the widget has a Norwegian translation that differs from it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "klubb-widget"
PANEL_TEXTS = re.compile(r"/\*i18n\*/(.*?)/\*end-i18n\*/", re.S)
# Keys whose Norwegian text may equal the English one (names, symbols): keep this list short.
SAME_ALLOWED: set[str] = set()


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _pairs() -> list[tuple[str, dict[str, str], dict[str, str]]]:
    locales = EXTENSION / "locales"
    panel = json.loads(PANEL_TEXTS.search((EXTENSION / "assets" / "klubb-panel.js").read_text())[1])
    return [
        (
            "locales/*.json",
            _flatten(json.loads((locales / "en.default.json").read_text())),
            _flatten(json.loads((locales / "nb.json").read_text())),
        ),
        (
            "locales/*.schema.json",
            _flatten(json.loads((locales / "en.default.schema.json").read_text())),
            _flatten(json.loads((locales / "nb.schema.json").read_text())),
        ),
        ("klubb-panel.js", panel["en"], panel["nb"]),
    ]


@pytest.mark.parametrize(("where", "english", "norwegian"), _pairs(), ids=lambda p: p)
def test_every_english_text_has_a_norwegian_one_that_differs(
    where: str, english: dict[str, str], norwegian: dict[str, str]
) -> None:
    """Same keys in both languages; each Norwegian text differs unless allow-listed."""
    assert english, where
    assert set(norwegian) == set(english), where
    same = {k for k, v in english.items() if norwegian[k] == v and k not in SAME_ALLOWED}
    assert same == set(), f"{where}: not translated: {sorted(same)}"


def test_placeholders_match() -> None:
    """A Norwegian text uses the same {placeholders} as its English one."""
    for where, english, norwegian in _pairs():
        for key, text in english.items():
            wanted = set(re.findall(r"\{\w+\}", text))
            assert set(re.findall(r"\{\w+\}", norwegian[key])) == wanted, f"{where}: {key}"


def test_schema_translation_keys_exist() -> None:
    """Every ``t:`` key in the blocks' schemas is in the English schema locale."""
    english = _flatten(json.loads((EXTENSION / "locales" / "en.default.schema.json").read_text()))
    for block in (EXTENSION / "blocks").glob("*.liquid"):
        for key in re.findall(r'"t:([\w.]+)"', block.read_text()):
            assert key in english, f"{block.name}: {key}"


def test_locale_files_are_within_shopify_limits() -> None:
    """Shopify accepts locale files of at most 15 KB each."""
    for path in (EXTENSION / "locales").glob("*.json"):
        assert path.stat().st_size <= 15 * 1024, path.name
