"""The request's variables, coerced against the operation's definitions; Shopify's
``INVALID_VARIABLE`` errors for those that fail."""

from __future__ import annotations

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

from . import gql_errors


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
                    gql_errors.variable_error(
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
            explanation = gql_errors.coercion_explanation(
                error.message, invalid, named.name if named else "?", enum_values
            )
            if error.original_error is not None and str(error.original_error):
                original = str(error.original_error)
                if not original.startswith(("Int ", "Float ", "String ", "Boolean ", "ID ")):
                    explanation = original
            problems.append({"path": list(path), "explanation": explanation})

        coerced = coerce_input_value(raw[name], var_type, on_error)  # type: ignore[arg-type]
        if problems:
            errors.append(gql_errors.variable_error(name, type_text, raw[name], problems, var_def))
        else:
            values[name] = coerced
    return values, errors
