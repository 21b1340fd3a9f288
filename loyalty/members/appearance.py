"""The storefront widget's look, as the merchant sets it in the admin: colours, side, launcher text.

Stored per shop (:class:`~loyalty.core.models.WidgetAppearance`); a shop without a row has the
defaults below, which are also the app embed's theme-editor defaults. Every field is validated
here (422 with a message per field, nothing saved unless all are good). Colours that fail WCAG
AA contrast are *warned* about, not refused: the merchant decides, but is told (issue 6, part 6).

The same contrast formula runs in the admin's live preview (``admin/static/appearance.js``);
:data:`CONTRAST_PAIRS` is the one list of which colour is read against which.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.errors import ValidationError
from loyalty.core.models import WidgetAppearance
from loyalty.privacy import audit

COLOR_FIELDS = ("accent_color", "accent_text_color", "background_color", "text_color")
POSITIONS = ("right", "left")
LANGUAGES = ("en", "nb")
LAUNCHER_TEXT_MAX = 30
DEFAULTS: dict[str, Any] = {
    "accent_color": "#1f5f3f",
    "accent_text_color": "#ffffff",
    "background_color": "#ffffff",
    "text_color": "#1a1a1a",
    "position": "right",
    "launcher_text": {},
}
FIELDS = (*COLOR_FIELDS, "position", "launcher_text")
_HEX = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")


@dataclass(frozen=True)
class ContrastPair:
    """Text (or a control) in ``foreground`` read against ``background``, and the AA minimum."""

    foreground: str
    background: str
    minimum: float
    what: str


CONTRAST_PAIRS = (
    ContrastPair("accent_text_color", "accent_color", 4.5, "Button and header text"),
    ContrastPair("text_color", "background_color", 4.5, "Panel text"),
    ContrastPair("accent_color", "background_color", 3.0, "Buttons and progress bar"),
)
"""WCAG 2.2 AA: 4.5:1 for normal text (1.4.3), 3:1 for controls and graphics (1.4.11)."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_color: str) -> float:
    """WCAG's relative luminance of ``#rrggbb`` (0 black … 1 white)."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1.0 to 21.0."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_warnings(appearance: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One warning per colour pair below its AA minimum (ratios rounded down to 2 decimals)."""
    warnings = []
    for pair in CONTRAST_PAIRS:
        ratio = contrast_ratio(appearance[pair.foreground], appearance[pair.background])
        if ratio < pair.minimum:
            shown = int(ratio * 100) / 100
            warnings.append(
                {
                    "fields": [pair.foreground, pair.background],
                    "ratio": shown,
                    "minimum": pair.minimum,
                    "message": (
                        f"{pair.what}: contrast {shown:.2f}:1 is below WCAG AA's "
                        f"{pair.minimum:g}:1; some shoppers will not be able to read it."
                    ),
                }
            )
    return warnings


class _Invalid(Exception):
    """One field's value breaks its rule; the message is shown beside the field."""


def _color(value: Any) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip()):
        raise _Invalid("Enter a colour as a hex code, like #1f5f3f.")
    text = value.strip().lower()
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def _position(value: Any) -> str:
    if value not in POSITIONS:
        raise _Invalid("Choose right or left.")
    return str(value)


def _one_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("Enter text.")
    text = " ".join(value.split())
    if len(text) > LAUNCHER_TEXT_MAX:
        raise _Invalid(f"Use at most {LAUNCHER_TEXT_MAX} characters.")
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in text):
        raise _Invalid("Remove control or invisible characters.")
    return text


def _launcher_text(value: Any, errors: dict[str, str]) -> dict[str, str] | None:
    """``{"en": …, "nb": …}``: empty texts are dropped (the extension's own text is shown)."""
    if not isinstance(value, Mapping):
        errors["launcher_text"] = 'Send an object of texts by language, like {"en": "Rewards"}.'
        return None
    texts: dict[str, str] = {}
    for language, text in value.items():
        key = f"launcher_text.{str(language)[:10]}"
        if language not in LANGUAGES:
            errors[key] = "Unknown language: use en or nb."
            continue
        try:
            cleaned = _one_text(text)
        except _Invalid as err:
            errors[key] = str(err)
            continue
        if cleaned:
            texts[language] = cleaned
    return texts


def validate_appearance(data: Any) -> dict[str, Any]:
    """The parsed values of the fields in ``data``, or ValidationError naming every bad one."""
    if not isinstance(data, Mapping):
        raise ValidationError({"_body": "Send a JSON object of appearance settings."})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in COLOR_FIELDS:
            parse: Any = _color
        elif name == "position":
            parse = _position
        elif name == "launcher_text":
            texts = _launcher_text(value, errors)
            if texts is not None:
                values[name] = texts
            continue
        else:
            errors[str(name)[:100]] = "Unknown setting."
            continue
        try:
            values[name] = parse(value)
        except _Invalid as err:
            errors[name] = str(err)
    if errors:
        raise ValidationError(errors)
    return values


def _serialise(row: WidgetAppearance | None) -> dict[str, Any]:
    if row is None:
        return {**DEFAULTS, "launcher_text": {}}
    return {name: getattr(row, name) for name in FIELDS} | {
        "launcher_text": dict(row.launcher_text or {})
    }


def with_warnings(appearance: dict[str, Any]) -> dict[str, Any]:
    """The API's answer: the appearance plus its contrast warnings."""
    return {**appearance, "warnings": contrast_warnings(appearance)}


def load_appearance(session: Session, shop_id: int) -> dict[str, Any] | None:
    """The saved appearance, or None when the merchant never saved one (theme editor rules)."""
    row = session.get(WidgetAppearance, shop_id)
    return None if row is None else _serialise(row)


def get_appearance(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """The shop's appearance (the defaults if never saved), with contrast warnings."""
    with sessions() as session:
        return with_warnings(_serialise(session.get(WidgetAppearance, shop_id)))


def update_appearance(
    sessions: sessionmaker[Session],
    shop_id: int,
    data: Mapping[str, Any],
    actor: str | None = None,
) -> dict[str, Any]:
    """Save the fields in ``data`` (others keep their value); the appearance after, with warnings.

    A ``launcher_text`` object replaces the stored one whole (a language left out is cleared).
    """
    values = validate_appearance(data)
    with sessions.begin() as session:
        row = session.get(WidgetAppearance, shop_id, with_for_update=True)
        before = _serialise(row)
        if row is None:
            row = WidgetAppearance(shop_id=shop_id, **{**DEFAULTS, "launcher_text": {}})
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        after = _serialise(row)
        audit.record_changes(session, shop_id, actor, "appearance.update", before, after, FIELDS)
        return with_warnings(after)
