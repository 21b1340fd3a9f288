"""Turn graphql-core's parse, validation and variable errors into Shopify's shapes.

Shopify's Admin API runs graphql-ruby; its static errors carry graphql-ruby messages and
``runtime.code`` values (``undefinedField``, ``missingRequiredArguments``,
``argumentLiteralsIncompatible``, ``INVALID_VARIABLE``...) and a ``path`` made of the
operation label (``"query Name"``), field aliases or names, ``"... on Type"``, argument and
input-field names. The shapes here were checked against captured Shopify responses.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    print_ast,
    visit,
)
from graphql.language import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectFieldNode,
    OperationDefinitionNode,
    VariableDefinitionNode,
)

Error = dict[str, Any]


def operation_label(node: OperationDefinitionNode) -> str:
    """``"query Name"``, ``"mutation"``... as graphql-ruby labels operations in paths."""
    kind = node.operation.value
    return f"{kind} {node.name.value}" if node.name else kind


class _PathRecorder(Visitor):
    """Record, for every AST node, the graphql-ruby style path and its input context."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.paths: dict[int, list[Any]] = {}
        self.parent_input: dict[int, str] = {}  # ObjectFieldNode -> its input object type
        self.argument_owner: dict[int, tuple[str, str]] = {}  # ArgumentNode -> (kind, name)
        self.expected_type: dict[int, str] = {}  # ArgumentNode/ObjectFieldNode -> input type

    def enter(self, node: Node, key: Any, parent: Any, path: Any, ancestors: Any) -> None:
        chain = [a for a in (*ancestors, parent) if isinstance(a, Node)] + [node]
        self.paths[id(node)] = _label_path(chain)
        if isinstance(node, (ObjectFieldNode, ArgumentNode)):
            expected = self.type_info.get_input_type()
            if expected is not None:
                self.expected_type[id(node)] = str(expected)
        if isinstance(node, ObjectFieldNode):
            parent_type = get_named_type(self.type_info.get_parent_input_type())
            if isinstance(parent_type, GraphQLInputObjectType):
                self.parent_input[id(node)] = parent_type.name
        elif isinstance(node, ArgumentNode):
            owner = next((a for a in reversed(chain[:-1]) if isinstance(a, FieldNode)), None)
            directive = self.type_info.get_directive()
            if directive is not None:
                self.argument_owner[id(node)] = ("Directive", directive.name)
            elif owner is not None:
                self.argument_owner[id(node)] = ("Field", owner.name.value)


def _label_path(chain: list[Node]) -> list[Any]:
    out: list[Any] = []
    for i, node in enumerate(chain):
        if isinstance(node, OperationDefinitionNode):
            out.append(operation_label(node))
        elif isinstance(node, FragmentDefinitionNode):
            out.append(f"fragment {node.name.value}")
        elif isinstance(node, FieldNode):
            out.append((node.alias or node.name).value)
        elif isinstance(node, InlineFragmentNode):
            out.append(f"... on {node.type_condition.name.value}" if node.type_condition else "...")
        elif isinstance(node, FragmentSpreadNode):
            out.append(f"... {node.name.value}")
        elif isinstance(node, (ArgumentNode, ObjectFieldNode)):
            out.append(node.name.value)
        elif i > 0 and isinstance(chain[i - 1], ListValueNode):
            values = getattr(chain[i - 1], "values", ())
            out.append(next(j for j, v in enumerate(values) if v is node))
    return out


def _loc(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations[:1]]


def _err(message: str, error: GraphQLError, path: list[Any] | None, **ext: Any) -> Error:
    out: Error = {"message": message}
    locations = _loc(error)
    if locations:
        out["locations"] = locations
    if path is not None:
        out["path"] = path
    out["extensions"] = ext
    return out


_RE = {
    "undefined_field": re.compile(r"^Cannot query field '(.+?)' on type '(.+?)'\."),
    "no_sub": re.compile(r"^Field '(.+?)' of type '(.+?)' must have a selection of subfields\."),
    "leaf_sub": re.compile(r"^Field '(.+?)' must not have a selection since type '(.+?)' "),
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


class ErrorTranslator:
    """Translate validation errors for one document against one schema."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        type_info = TypeInfo(schema)
        self.recorder = _PathRecorder(type_info)
        visit(document, TypeInfoVisitor(type_info, self.recorder))
        self.schema = schema
        self.nodes: dict[int, Node] = {}
        self.variable_defs: list[VariableDefinitionNode] = []
        nodes, variable_defs = self.nodes, self.variable_defs

        class _Index(Visitor):
            def enter(self, node: Node, *_: Any) -> None:
                nodes[id(node)] = node
                if isinstance(node, VariableDefinitionNode):
                    variable_defs.append(node)

        visit(document, _Index())

    def path_of(self, node: Node | None) -> list[Any] | None:
        """The recorded graphql-ruby path of a node."""
        return None if node is None else self.recorder.paths.get(id(node))

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
            return _err(
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
            return _err(
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
            return _err(
                f"Selections can't be made on scalars (field '{field}' returns {named} but has "
                f"selections [{', '.join(names)}])",
                error,
                path,
                code="selectionMismatch",
                nodeName=f"field '{field}'",
                typeName=named,
            )
        if m := _RE["unknown_arg"].match(msg):
            arg, kind, owner = m.groups()
            name = owner.split(".")[-1].lstrip("@")
            label = "Field" if kind == "field" else "Directive"
            return _err(
                f"{label} '{name}' doesn't accept argument '{arg}'",
                error,
                path,
                code="argumentNotAccepted",
                name=name,
                typeName=label,
                argumentName=arg,
            )
        if m := _RE["missing_arg"].match(msg):
            kind, owner, arg, _type = m.groups()
            name = owner.split(".")[-1].lstrip("@")
            key = id(node)
            if key in missing:
                entry = missing[key]
                names = entry["extensions"]["arguments"] + ", " + arg
                entry["extensions"]["arguments"] = names
                entry["message"] = f"{kind} '{name}' is missing required arguments: {names}"
                return None
            entry = _err(
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
        if m := _RE["missing_input"].match(msg):
            type_name, field, field_type = m.groups()
            return _err(
                f"Argument '{field}' on InputObject '{type_name}' is required. "
                f"Expected type {field_type}",
                error,
                (path or []) + [field],
                code="missingRequiredInputObjectAttribute",
                argumentName=field,
                argumentType=field_type,
                inputObjectType=type_name,
            )
        if m := _RE["extra_input"].match(msg):
            field, type_name = m.groups()
            return _err(
                f"InputObject '{type_name}' doesn't accept argument '{field}'",
                error,
                path,
                code="argumentNotAccepted",
                name=type_name,
                typeName="InputObject",
                argumentName=field,
            )
        if m := _RE["bad_value"].match(msg):
            return self._bad_value(error, node, m.group(1), m.group(3))
        if m := _RE["bad_enum"].match(msg):
            return self._bad_value(error, node, m.group(1), None)
        if m := _RE["unused_var"].match(msg):
            var, op = m.groups()
            return _err(
                f"Variable ${var} is declared by {op or 'anonymous query'} but not used",
                error,
                path[:1] if path else None,
                code="variableNotUsed",
                variableName=var,
            )
        if m := _RE["undefined_var"].match(msg):
            var, op = m.groups()
            return _err(
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
                return _err(
                    f"{type_name} isn't a defined input type (on ${var})",
                    error,
                    path,
                    code="variableRequiresValidType",
                    typeName=type_name,
                    variableName=var,
                )
            return _err(
                f"No such type {type_name}, so it can't be a fragment condition",
                error,
                path,
                code="undefinedType",
                typeName=type_name,
            )
        if m := _RE["bad_spread"].match(msg):
            parent, frag = m.groups()
            return _err(
                f"Fragment on {frag} can't be spread inside {parent}",
                error,
                path,
                code="cantSpreadFragment",
                typeName=frag,
                fragmentName="unknown",
                parentName=parent,
            )
        if m := _RE["unknown_fragment"].match(msg):
            return _err(
                f"Fragment {m.group(1)} was used, but not defined",
                error,
                path,
                code="useAndDefineFragment",
                fragmentName=m.group(1),
            )
        if m := _RE["unused_fragment"].match(msg):
            return _err(
                f"Fragment {m.group(1)} was defined, but not used",
                error,
                path,
                code="useAndDefineFragment",
                fragmentName=m.group(1),
            )
        if m := _RE["unknown_directive"].match(msg):
            return _err(
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
            return _err(
                f"{kind} mismatch on variable ${var} and argument {arg} ({got} / {expected})",
                error,
                self.path_of(usage) if usage is not None else path,
                code="variableMismatch",
                variableName=var,
                typeName=got,
                argumentName=arg,
            )
        return _err(msg, error, path, code="validationError")

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
                return _err(
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
            return _err(
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
        return _err(
            f"Argument '{arg_name}' on {kind} '{owner}' has an invalid value ({literal}). "
            f"Expected type '{expected}'.",
            error,
            path,
            code="argumentLiteralsIncompatible",
            typeName=kind,
            argumentName=arg_name,
        )

    def _holder(self, node: Node | None) -> Node | None:
        if node is None:
            return None
        target = id(node)
        best: Node | None = None
        best_len = -1
        wanted = self.recorder.paths.get(target)
        if wanted is None:
            return None
        for holder_id, _owner in self.recorder.argument_owner.items():
            path = self.recorder.paths.get(holder_id, [])
            if wanted[: len(path)] == path and len(path) > best_len:
                best, best_len = self.nodes.get(holder_id), len(path)
        for holder_id in self.recorder.parent_input:
            path = self.recorder.paths.get(holder_id, [])
            if wanted[: len(path)] == path and len(path) > best_len:
                best, best_len = self.nodes.get(holder_id), len(path)
        return best

    def _inside_variable(self, node: Node | None) -> bool:
        return node is not None and self._variable_name(node) is not None

    def _variable_name(self, node: Node | None) -> str | None:
        loc = getattr(node, "loc", None)
        for var_node in self.variable_defs:
            if var_node is node:
                return var_node.variable.name.value
            inside = loc is not None and var_node.loc is not None
            if inside and var_node.loc.start <= loc.start < var_node.loc.end:  # type: ignore[union-attr]
                return var_node.variable.name.value
        return None


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
