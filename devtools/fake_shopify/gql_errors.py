"""Turn graphql-core's parse, validation and variable errors into Shopify's shapes.

Shopify's Admin API runs graphql-ruby; its static errors carry graphql-ruby messages and
``runtime.code`` values (``undefinedField``, ``missingRequiredArguments``,
``argumentLiteralsIncompatible``, ``INVALID_VARIABLE``...) and a ``path`` made of the
operation label (``"query Name"``), field aliases or names, ``"... on Type"``, argument and
input-field names. The shapes here were checked against captured Shopify responses.

Paths are :mod:`gql_paths`; argument and input-value errors :mod:`gql_argument_errors`;
``INVALID_VARIABLE`` errors :mod:`gql_variables`.
"""

from __future__ import annotations

import re

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from graphql.language import ArgumentNode, FieldNode, Node, ObjectFieldNode, VariableDefinitionNode

from .gql_argument_errors import ArgumentErrors, argument_message
from .gql_paths import Error, error_entry

_RE = {
    "undefined_field": re.compile(r"^Cannot query field '(.+?)' on type '(.+?)'\."),
    "no_sub": re.compile(r"^Field '(.+?)' of type '(.+?)' must have a selection of subfields\."),
    "leaf_sub": re.compile(r"^Field '(.+?)' must not have a selection since type '(.+?)' "),
    "unused_var": re.compile(r"^Variable '\$(.+?)' is never used(?: in operation '(.+?)')?\."),
    "undefined_var": re.compile(r"^Variable '\$(.+?)' is not defined(?: by operation '(.+?)')?\."),
    "unknown_type": re.compile(r"^Unknown type '(.+?)'\."),
    "bad_spread": re.compile(
        r"^Fragment(?: '.+?')? cannot be spread here as objects of type '(.+?)' "
        r"can never be of type '(.+?)'\."
    ),
    "unknown_fragment": re.compile(r"^Unknown fragment '(.+?)'\."),
    "unused_fragment": re.compile(r"^Fragment '(.+?)' is never used\."),
    "unknown_directive": re.compile(r"^Unknown directive '@(.+?)'\."),
    "var_position": re.compile(
        r"^Variable '\$(.+?)' of type '(.+?)' used in position expecting type '(.+?)'\."
    ),
}


class ErrorTranslator(ArgumentErrors):
    """Translate validation errors for one document against one schema."""

    def translate(self, errors: list[GraphQLError]) -> list[Error]:
        """Shopify-shaped errors for graphql-core validation errors."""
        out: list[Error] = []
        missing: dict[int, Error] = {}
        for error in errors:
            node = error.nodes[0] if error.nodes else None
            translated = self._one(error, node, missing)
            if translated is not None:
                out.append(translated)
        return out

    def _one(
        self, error: GraphQLError, node: Node | None, missing: dict[int, Error]
    ) -> Error | None:
        msg = error.message
        path = self.path_of(node)
        if m := _RE["undefined_field"].match(msg):
            field, type_name = m.groups()
            return error_entry(
                f"Field '{field}' doesn't exist on type '{type_name}'",
                error,
                path,
                code="undefinedField",
                typeName=type_name,
                fieldName=field,
            )
        if m := _RE["no_sub"].match(msg):
            field, type_text = m.groups()
            named = type_text.strip("[]!")
            return error_entry(
                f"Field must have selections (field '{field}' returns {named} but has no "
                f"selections. Did you mean '{field} {{ ... }}'?)",
                error,
                path,
                code="selectionMismatch",
                nodeName=f"field '{field}'",
                typeName=named,
            )
        if m := _RE["leaf_sub"].match(msg):
            field, type_text = m.groups()
            named = type_text.strip("[]!")
            selection = node.selection_set if isinstance(node, FieldNode) else node
            names = [
                s.name.value
                for s in getattr(selection, "selections", ())
                if isinstance(s, FieldNode)
            ]
            return error_entry(
                f"Selections can't be made on scalars (field '{field}' returns {named} but has "
                f"selections [{', '.join(names)}])",
                error,
                path,
                code="selectionMismatch",
                nodeName=f"field '{field}'",
                typeName=named,
            )
        if (argument := argument_message(msg)) is not None:
            return self._argument_error(error, node, path, missing, *argument)
        if m := _RE["unused_var"].match(msg):
            var, op = m.groups()
            return error_entry(
                f"Variable ${var} is declared by {op or 'anonymous query'} but not used",
                error,
                path[:1] if path else None,
                code="variableNotUsed",
                variableName=var,
            )
        if m := _RE["undefined_var"].match(msg):
            var, op = m.groups()
            return error_entry(
                f"Variable ${var} is used by {op or 'anonymous query'} but not declared",
                error,
                path,
                code="variableNotDefined",
                variableName=var,
            )
        if m := _RE["unknown_type"].match(msg):
            type_name = m.group(1)
            if isinstance(node, VariableDefinitionNode) or self._inside_variable(node):
                var = self._variable_name(node)
                return error_entry(
                    f"{type_name} isn't a defined input type (on ${var})",
                    error,
                    path,
                    code="variableRequiresValidType",
                    typeName=type_name,
                    variableName=var,
                )
            return error_entry(
                f"No such type {type_name}, so it can't be a fragment condition",
                error,
                path,
                code="undefinedType",
                typeName=type_name,
            )
        if m := _RE["bad_spread"].match(msg):
            parent, frag = m.groups()
            return error_entry(
                f"Fragment on {frag} can't be spread inside {parent}",
                error,
                path,
                code="cantSpreadFragment",
                typeName=frag,
                fragmentName="unknown",
                parentName=parent,
            )
        if m := _RE["unknown_fragment"].match(msg):
            return error_entry(
                f"Fragment {m.group(1)} was used, but not defined",
                error,
                path,
                code="useAndDefineFragment",
                fragmentName=m.group(1),
            )
        if m := _RE["unused_fragment"].match(msg):
            return error_entry(
                f"Fragment {m.group(1)} was defined, but not used",
                error,
                path,
                code="useAndDefineFragment",
                fragmentName=m.group(1),
            )
        if m := _RE["unknown_directive"].match(msg):
            return error_entry(
                f"Directive @{m.group(1)} is not defined",
                error,
                path,
                code="undefinedDirective",
                directiveName=m.group(1),
            )
        if m := _RE["var_position"].match(msg):
            var, got, expected = m.groups()
            kind = "Nullability" if got.rstrip("!") == expected.rstrip("!") else "Type"
            usage = self._holder(error.nodes[-1]) if error.nodes else None
            arg = usage.name.value if isinstance(usage, (ArgumentNode, ObjectFieldNode)) else "?"
            return error_entry(
                f"{kind} mismatch on variable ${var} and argument {arg} ({got} / {expected})",
                error,
                self.path_of(usage) if usage is not None else path,
                code="variableMismatch",
                variableName=var,
                typeName=got,
                argumentName=arg,
            )
        return error_entry(msg, error, path, code="validationError")


def translate_validation(
    schema: GraphQLSchema, document: DocumentNode, errors: list[GraphQLError]
) -> list[Error]:
    """Shopify-shaped errors for the validation errors of ``document``."""
    return ErrorTranslator(schema, document).translate(errors)


def parse_error(error: GraphQLError) -> Error:
    """A syntax error as graphql-ruby words it: ``syntax error, unexpected ... at [l, c]``."""
    detail = error.message.removeprefix("Syntax Error: ").rstrip(".")
    found = re.search(r"found (.+)$", detail)
    token = found.group(1) if found else detail
    if token == "<EOF>":
        token = "end of file"
    line, column = (
        (error.locations[0].line, error.locations[0].column) if error.locations else (1, 1)
    )
    return {
        "message": f"syntax error, unexpected {token} at [{line}, {column}]",
        "locations": [{"line": line, "column": column}],
        "extensions": {"code": "PARSE_ERROR"},
    }
