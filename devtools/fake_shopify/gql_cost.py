"""Query cost, estimated the way Shopify does (objects 1, connections 2 + n x node cost,
mutations 10), and the ``extensions.cost`` a response reports with the bucket's state."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)
from graphql.language import IntValueNode, VariableNode

from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

MAX_QUERY_COST = 1000
MUTATION_COST = 10


class CostEstimator:
    """Shopify-style requested cost of an operation, remembering per-connection node costs."""

    def __init__(
        self,
        schema_: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema_
        self.fragments = fragments
        self.variables = variables
        self.connection_inner: dict[int, int] = {}

    def operation(self, op: OperationDefinitionNode) -> int:
        """The requested cost of ``op``."""
        if op.operation == OperationType.MUTATION:
            root = self.schema.mutation_type
            assert root is not None
            total = 0
            for field in self._fields(op.selection_set, root):
                total += MUTATION_COST
                payload = get_named_type(root.fields[field.name.value].type)
                for child in self._fields(field.selection_set, payload):
                    total += self._children(child, payload)
            return total
        root_q = self.schema.query_type
        assert root_q is not None
        return self.selection(op.selection_set, root_q)

    def _fields(self, selection_set: SelectionSetNode | None, parent: Any) -> list[FieldNode]:
        out: list[FieldNode] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                out.extend(self._fields(sel.selection_set, parent))
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in self.fragments:
                out.extend(self._fields(self.fragments[sel.name.value].selection_set, parent))
        return out

    def _children(self, field: FieldNode, parent: Any) -> int:
        parent_type = self._type_for(field, parent)
        if parent_type is None:
            return 0
        named = get_named_type(parent_type.fields[field.name.value].type)
        if not is_composite_type(named) or field.selection_set is None:
            return 0
        return self.selection(field.selection_set, named)

    def _type_for(self, field: FieldNode, parent: Any) -> Any:
        if hasattr(parent, "fields") and field.name.value in parent.fields:
            return parent
        return None

    def selection(self, selection_set: SelectionSetNode, parent: Any) -> int:
        """Cost of a selection set on ``parent``."""
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, InlineFragmentNode):
                target = parent
                if sel.type_condition is not None:
                    target = self.schema.get_type(sel.type_condition.name.value) or parent
                total += self.selection(sel.selection_set, target)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None:
                    target = self.schema.get_type(frag.type_condition.name.value) or parent
                    total += self.selection(frag.selection_set, target)
            elif isinstance(sel, FieldNode):
                total += self._field(sel, parent)
        return total

    def _field(self, field: FieldNode, parent: Any) -> int:
        name = field.name.value
        if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
            return 0
        named = get_named_type(parent.fields[name].type)
        if not is_composite_type(named):
            return 0
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            size = self._size(field)
            inner = self._node_cost(field, named)
            self.connection_inner[id(field)] = inner
            return 2 + size * inner
        children = self.selection(field.selection_set, named) if field.selection_set else 0
        return 1 + children

    def _node_cost(self, field: FieldNode, conn: GraphQLObjectType) -> int:
        best = 0
        for child in self._fields(field.selection_set, conn):
            name = child.name.value
            if name == "nodes" and child.selection_set is not None:
                node_type = get_named_type(conn.fields["nodes"].type)
                best = max(best, 1 + self.selection(child.selection_set, node_type))
            elif name == "edges" and child.selection_set is not None:
                edge_type = get_named_type(conn.fields["edges"].type)
                for grand in self._fields(child.selection_set, edge_type):
                    if grand.name.value == "node" and grand.selection_set is not None:
                        node_type = get_named_type(edge_type.fields["node"].type)
                        best = max(best, 1 + self.selection(grand.selection_set, node_type))
        return best

    def _size(self, field: FieldNode) -> int:
        for arg in field.arguments:
            if arg.name.value in ("first", "last"):
                node = arg.value
                if isinstance(node, VariableNode):
                    value = self.variables.get(node.name.value)
                    return int(value) if isinstance(value, int) else 0
                if isinstance(node, IntValueNode):
                    return int(node.value)
        return 0


def cost_extension(
    requested: int, actual: int | None, fake: FakeShopify, shop: FakeShop
) -> dict[str, Any]:
    """The ``cost`` extension of a response: requested and actual cost, the bucket's state."""
    bucket = shop.bucket
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": int(bucket.maximum),
                "currentlyAvailable": max(0, math.floor(bucket.available)),
                "restoreRate": int(bucket.restore_rate),
            },
        }
    }
