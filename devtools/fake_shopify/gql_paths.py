"""Where a node sits in a document, as graphql-ruby names it, and the error entry that says so.

A path is made of the operation label (``"query Name"``), field aliases or names,
``"... on Type"``, argument and input-field names and list indexes. :class:`DocumentIndex`
records one for every node of a document, and finds the argument or input field holding a
node and the variable definition a node belongs to.
"""

from __future__ import annotations

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


def error_entry(message: str, error: GraphQLError, path: list[Any] | None, **ext: Any) -> Error:
    """An error as graphql-ruby shapes it: message, first location, ``path``, extensions."""
    out: Error = {"message": message}
    locations = _loc(error)
    if locations:
        out["locations"] = locations
    if path is not None:
        out["path"] = path
    out["extensions"] = ext
    return out


class DocumentIndex:
    """The graphql-ruby path of every node of one document (against one schema), the
    argument or input field holding a node, and the variable a node belongs to."""

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
