"""The request's variables, coerced against the operation's definitions; Shopify's
``INVALID_VARIABLE`` errors for those that fail."""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    coerce_input_value,
    get_named_type,
    type_from_ast,
    value_from_ast,
)
from graphql.language import Node

from .gql_paths import Error


def _type_at(var_type: Any, path: list[Any]) -> Any:
    current = var_type
    for step in path:
        while isinstance(current, GraphQLNonNull):
            current = current.of_type
        if isinstance(current, GraphQLList) and isinstance(step, int):
            current = current.of_type
        elif isinstance(current, GraphQLInputObjectType) and isinstance(step, str):
            field = current.fields.get(step)
            if field is None:
                return None
            current = field.type
    return current


def coerce_variables(
    schema_: GraphQLSchema, op: OperationDefinitionNode, raw: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Coerce the request's variables; Shopify-shaped INVALID_VARIABLE errors if any fail."""
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for var_def in op.variable_definitions:
        name = var_def.variable.name.value
        var_type = type_from_ast(schema_, var_def.type)
        type_text = str(var_type)
        if name not in raw or raw[name] is None:
            if name not in raw and var_def.default_value is not None:
                values[name] = value_from_ast(var_def.default_value, var_type)  # type: ignore[arg-type]
                continue
            if isinstance(var_type, GraphQLNonNull):
                errors.append(
                    variable_error(
                        name,
                        type_text,
                        None,
                        [{"path": [], "explanation": "Expected value to not be null"}],
                        var_def,
                    )
                )
                continue
            if name in raw:
                values[name] = None
            continue
        problems: list[dict[str, Any]] = []

        def on_error(
            path: list[Any],
            invalid: Any,
            error: GraphQLError,
            var_type: Any = var_type,
            problems: list[dict[str, Any]] = problems,
        ) -> None:
            at = _type_at(var_type, list(path))
            named = get_named_type(at) if at is not None else None
            enum_values = list(named.values) if isinstance(named, GraphQLEnumType) else []
            if "is not defined by type" in error.message or "was not provided" in error.message:
                enum_values = []
                field = re.search(r"Field '(.+?)'", error.message)
                if field and "was not provided" in error.message:
                    path = [*path, field.group(1).split(".")[-1]]
                if field and "is not defined by type" in error.message:
                    path = [*path, field.group(1)]
            explanation = coercion_explanation(
                error.message, invalid, named.name if named else "?", enum_values
            )
            if error.original_error is not None and str(error.original_error):
                original = str(error.original_error)
                if not original.startswith(("Int ", "Float ", "String ", "Boolean ", "ID ")):
                    explanation = original
            problems.append({"path": list(path), "explanation": explanation})

        coerced = coerce_input_value(raw[name], var_type, on_error)  # type: ignore[arg-type]
        if problems:
            errors.append(variable_error(name, type_text, raw[name], problems, var_def))
        else:
            values[name] = coerced
    return values, errors


def variable_error(
    name: str, type_text: str, value: Any, problems: list[dict[str, Any]], node: Node
) -> Error:
    """Shopify's ``INVALID_VARIABLE`` error for one variable."""
    pathed = [p for p in problems if p["path"]]
    message = f"Variable ${name} of type {type_text} was provided invalid value"
    if pathed:
        parts = [f"{'.'.join(str(x) for x in p['path'])} ({p['explanation']})" for p in pathed]
        message += " for " + ", ".join(parts)
    loc = node.loc
    out: Error = {"message": message}
    if loc is not None:
        out["locations"] = [
            {
                "line": loc.source.get_location(loc.start).line,
                "column": loc.source.get_location(loc.start).column,
            }
        ]
    out["extensions"] = {"code": "INVALID_VARIABLE", "value": value, "problems": problems}
    return out


def coercion_explanation(message: str, value: Any, type_name: str, enum_values: list[str]) -> str:
    """A graphql-core input coercion message reworded as Shopify explains problems."""
    if "not to be null" in message or "not to be None" in message or "was not provided" in message:
        return "Expected value to not be null"
    if m := re.match(r"^Field '(.+?)' is not defined by type '(.+?)'", message):
        return f"Field is not defined on {m.group(2)}"
    if enum_values:
        return f"Expected {json.dumps(value)} to be one of: {', '.join(enum_values)}"
    if message.startswith(
        ("Int cannot", "Float cannot", "String cannot", "Boolean cannot", "ID cannot")
    ):
        return f"Could not coerce value {json.dumps(value)} to {type_name}"
    return message.rstrip(".") if message.endswith("'.") else message
