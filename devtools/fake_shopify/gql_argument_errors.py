"""Validation errors about arguments and input values, worded as graphql-ruby words them:
unknown or missing arguments, missing or undefined input-object fields, and literals of the
wrong type (``argumentLiteralsIncompatible``, named by the argument or input field holding
the literal)."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError, print_ast
from graphql.language import ArgumentNode, Node, ObjectFieldNode

from .gql_paths import DocumentIndex, Error, error_entry

_ARGUMENT_RE = {
    "unknown_arg": re.compile(r"^Unknown argument '(.+?)' on (field|directive) '(.+?)'\."),
    "missing_arg": re.compile(
        r"^(Field|Directive) '(.+?)' argument '(.+?)' of type '(.+?)' is required"
    ),
    "missing_input": re.compile(
        r"^Field '(.+?)\.(.+?)' of required type '(.+?)' was not provided\."
    ),
    "extra_input": re.compile(r"^Field '(.+?)' is not defined by type '(.+?)'\."),
    "bad_value": re.compile(r"^Expected value of type '(.+?)', found (.+?)(?:; (.+))?\.?$", re.S),
    "bad_enum": re.compile(
        r"^(?:Value '.+?' does not exist in '(.+?)' enum|Enum '(.+?)' cannot represent)"
    ),
}


def argument_message(message: str) -> tuple[str, re.Match[str]] | None:
    """Which argument or input-value error ``message`` is (its pattern's name and match)."""
    for name, pattern in _ARGUMENT_RE.items():
        if m := pattern.match(message):
            return name, m
    return None


class ArgumentErrors(DocumentIndex):
    """Translate the argument and input-value validation errors of one document."""

    def _argument_error(
        self,
        error: GraphQLError,
        node: Node | None,
        path: list[Any] | None,
        missing: dict[int, Error],
        pattern: str,
        m: re.Match[str],
    ) -> Error | None:
        """The error for a message ``pattern`` matched as ``m``; None when it is one more
        missing argument of a field already reported (``missing`` holds those)."""
        if pattern == "unknown_arg":
            arg, kind, owner = m.groups()
            name = owner.split(".")[-1].lstrip("@")
            label = "Field" if kind == "field" else "Directive"
            return error_entry(
                f"{label} '{name}' doesn't accept argument '{arg}'",
                error,
                path,
                code="argumentNotAccepted",
                name=name,
                typeName=label,
                argumentName=arg,
            )
        if pattern == "missing_arg":
            kind, owner, arg, _type = m.groups()
            name = owner.split(".")[-1].lstrip("@")
            key = id(node)
            if key in missing:
                entry = missing[key]
                names = entry["extensions"]["arguments"] + ", " + arg
                entry["extensions"]["arguments"] = names
                entry["message"] = f"{kind} '{name}' is missing required arguments: {names}"
                return None
            entry = error_entry(
                f"{kind} '{name}' is missing required arguments: {arg}",
                error,
                path,
                code="missingRequiredArguments",
                className=kind,
                name=name,
                arguments=arg,
            )
            missing[key] = entry
            return entry
        if pattern == "missing_input":
            type_name, field, field_type = m.groups()
            return error_entry(
                f"Argument '{field}' on InputObject '{type_name}' is required. "
                f"Expected type {field_type}",
                error,
                (path or []) + [field],
                code="missingRequiredInputObjectAttribute",
                argumentName=field,
                argumentType=field_type,
                inputObjectType=type_name,
            )
        if pattern == "extra_input":
            field, type_name = m.groups()
            return error_entry(
                f"InputObject '{type_name}' doesn't accept argument '{field}'",
                error,
                path,
                code="argumentNotAccepted",
                name=type_name,
                typeName="InputObject",
                argumentName=field,
            )
        if pattern == "bad_value":
            return self._bad_value(error, node, m.group(1), m.group(3))
        return self._bad_value(error, node, m.group(1), None)  # bad_enum

    def _bad_value(
        self, error: GraphQLError, node: Node | None, expected: str, coercion: str | None
    ) -> Error:
        # The innermost argument or input field holding the bad literal.
        holder = self._holder(node)
        path = self.path_of(holder) if holder is not None else self.path_of(node)
        if coercion and not coercion.startswith(("Value '", "Enum '", "Int ", "Float ")):
            message: str | None = coercion.rstrip(".")
            if message and message.startswith(("String cannot", "Boolean cannot", "ID cannot")):
                message = None
            if message:
                return error_entry(
                    message,
                    error,
                    path,
                    code="argumentLiteralsIncompatible",
                    typeName="CoercionError",
                )
        literal = print_ast(node) if node is not None else "null"
        if holder is not None:
            expected = self.recorder.expected_type.get(id(holder), expected)
        if isinstance(holder, ObjectFieldNode):
            owner = self.recorder.parent_input.get(id(holder), "?")
            return error_entry(
                f"Argument '{holder.name.value}' on InputObject '{owner}' has an invalid value "
                f"({literal}). Expected type '{expected}'.",
                error,
                path,
                code="argumentLiteralsIncompatible",
                typeName="InputObject",
                argumentName=holder.name.value,
            )
        arg_name = holder.name.value if isinstance(holder, ArgumentNode) else "?"
        kind, owner = self.recorder.argument_owner.get(id(holder), ("Field", "?"))
        return error_entry(
            f"Argument '{arg_name}' on {kind} '{owner}' has an invalid value ({literal}). "
            f"Expected type '{expected}'.",
            error,
            path,
            code="argumentLiteralsIncompatible",
            typeName=kind,
            argumentName=arg_name,
        )
