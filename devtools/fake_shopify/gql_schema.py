"""The fake's Admin API schema: ``schema.graphql`` (a pruned copy of Shopify's own schema)
with Shopify's custom scalars (Date, DateTime, Decimal, UnsignedInt64, URL, JSON) parsed and
serialized as Shopify does."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, ValueNode, build_schema, value_from_ast_untyped
from graphql.language import IntValueNode, StringValueNode

from .clock import parse_iso8601

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")


def _coercion_error(message: str) -> ValueError:
    # A plain exception: graphql-core then reports it with the value's location and path.
    return ValueError(message)


def _parse_datetime(value: Any) -> float:
    if not isinstance(value, str):
        raise _coercion_error(f"invalid DateTime '{value}'")
    try:
        return parse_iso8601(value)
    except ValueError:
        raise _coercion_error(f"invalid DateTime '{value}'") from None


def _parse_date(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _coercion_error(f"invalid Date '{value}'")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _coercion_error(f"invalid Date '{value}'") from None
    return value


def _parse_decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _coercion_error(f"invalid decimal '{value}'")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _coercion_error(f"invalid decimal '{value}'") from None
    if not number.is_finite():
        raise _coercion_error(f"invalid decimal '{value}'")
    return str(number)


def _parse_uint64(value: Any) -> int:
    text = str(value)
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
        raise _coercion_error(f"UnsignedInt64 invalid value '{value}'")
    number = int(text)
    if number < 0 or number >= 2**64:
        raise _coercion_error(f"UnsignedInt64 '{value}' is out of range")
    return number


def _parse_url(value: Any) -> str:
    if not isinstance(value, str) or ("://" not in value and not value.startswith("mailto:")):
        raise _coercion_error(f"Invalid url '{value}', missing scheme")
    return value


def _literal(parse_value: Any, allow: tuple[type, ...]) -> Any:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, allow):
            raise _coercion_error(f"invalid value {getattr(node, 'value', 'null')!r}")
        return parse_value(node.value)  # type: ignore[attr-defined]

    return parse_literal


def _serialize_uint64(value: Any) -> str:
    return str(int(value))


@cache
def schema() -> GraphQLSchema:
    """The fake's Admin API schema (built once), with Shopify's custom scalars wired."""
    built = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    scalars = built.type_map
    scalars["DateTime"].parse_value = _parse_datetime  # type: ignore[attr-defined]
    scalars["DateTime"].parse_literal = _literal(_parse_datetime, (StringValueNode,))  # type: ignore[attr-defined]
    scalars["Date"].parse_value = _parse_date  # type: ignore[attr-defined]
    scalars["Date"].parse_literal = _literal(_parse_date, (StringValueNode,))  # type: ignore[attr-defined]
    scalars["Decimal"].parse_value = _parse_decimal  # type: ignore[attr-defined]
    scalars["Decimal"].parse_literal = _literal(  # type: ignore[attr-defined]
        _parse_decimal, (StringValueNode, IntValueNode)
    )
    scalars["UnsignedInt64"].parse_value = _parse_uint64  # type: ignore[attr-defined]
    scalars["UnsignedInt64"].parse_literal = _literal(  # type: ignore[attr-defined]
        _parse_uint64, (StringValueNode, IntValueNode)
    )
    scalars["UnsignedInt64"].serialize = _serialize_uint64  # type: ignore[attr-defined]
    scalars["URL"].parse_value = _parse_url  # type: ignore[attr-defined]
    scalars["URL"].parse_literal = _literal(_parse_url, (StringValueNode,))  # type: ignore[attr-defined]
    scalars["JSON"].parse_literal = lambda node, variables=None: value_from_ast_untyped(  # type: ignore[attr-defined]
        node, variables
    )
    return built
