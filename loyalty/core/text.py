"""Text the database can store: no NUL character, no lone surrogate.

PostgreSQL's text types refuse U+0000 (``DataError``), and UTF-8 has no encoding for a lone
surrogate (U+D800 to U+DFFF; JSON's ``"\\ud800"`` makes one), so the driver cannot send it
(``UnicodeEncodeError``). Either one, reaching any statement, fails it. JSON bodies, query
strings and form fields can carry both, so the edges check text once, where it comes in: a
person's request is refused naming the field (:func:`unstorable_field`), while Shopify's data,
which nobody can correct, keeps its text with each such character replaced by U+FFFD
(:func:`made_storable`), as a decoder marks bytes it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "The text holds a character that cannot be stored (NUL or an unpaired surrogate)."
"""What a person is told about a field holding such a character."""


def is_storable(text: str) -> bool:
    """Whether the database can store ``text`` as it is."""
    return _UNSTORABLE.search(text) is None


def unstorable_field(items: Iterable[tuple[str, Any]]) -> str | None:
    """The name of the first field whose name or value holds text the database cannot store.

    ``items`` are a body's or a query's ``(name, value)`` pairs; values may be JSON of any
    depth (read without recursion, so a deeply nested body cannot exhaust the stack).
    """
    for name, value in items:
        if not is_storable(name):
            return name
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if not is_storable(item):
                    return name
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def made_storable(value: Any) -> Any:
    """JSON-shaped ``value`` with every unstorable character in its texts replaced by U+FFFD.

    Returns ``value`` itself when there is nothing to replace (the common case, one pass).
    """
    if unstorable_field([("", value)]) is None:
        return value
    return _replaced(value)


def _replaced(value: Any) -> Any:
    """A copy of ``value`` with the characters replaced (iterative, like the check)."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = _UNSTORABLE.sub(REPLACEMENT, item)
        elif isinstance(item, dict):
            copy = {_UNSTORABLE.sub(REPLACEMENT, k): v for k, v in item.items()}
            container[key] = copy
            stack.extend((copy, k) for k in copy)
        elif isinstance(item, list):
            copied = list(item)
            container[key] = copied
            stack.extend((copied, i) for i in range(len(copied)))
    return root[0]
