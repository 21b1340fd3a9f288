"""The Admin GraphQL endpoint: auth, versions, validation, cost and throttling, execution.

Every query is parsed and validated against ``schema.graphql`` (a subset of Shopify's own
schema); invalid documents get Shopify's error shapes (see :mod:`gql_errors`). Query cost is
estimated the way Shopify does (objects 1, connections 2 + n x node cost, mutations 10),
checked against a leaky bucket (2000 points, restored at 100/s by the fake clock).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    build_schema,
    coerce_input_value,
    execute,
    get_named_type,
    is_composite_type,
    parse,
    type_from_ast,
    validate,
    value_from_ast,
    value_from_ast_untyped,
)
from graphql.language import IntValueNode, StringValueNode, VariableNode
from werkzeug.wrappers import Request, Response

from . import gql_errors
from .clock import parse_iso8601
from .resolvers import Context, mutation_root, query_root
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
MAX_QUERY_COST = 1000
MUTATION_COST = 10
INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"


# ---------------------------------------------------------------------------------------
# Schema and scalars


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


# ---------------------------------------------------------------------------------------
# Versions


def _quarter_index(version: str) -> int | None:
    m = re.fullmatch(r"(\d{4})-(01|04|07|10)", version)
    if not m:
        return None
    return int(m.group(1)) * 4 + (int(m.group(2)) - 1) // 3


def serve_version(fake: FakeShopify, version: str) -> str | None:
    """The version Shopify would serve for ``version``, or None (404).

    The latest four quarterly versions up to the fake's ``api_version`` are supported, and
    ``unstable``; an older quarterly version falls forward to the oldest supported one.
    """
    if version == "unstable":
        return version
    latest = _quarter_index(fake.api_version)
    wanted = _quarter_index(version)
    if latest is None or wanted is None or wanted > latest:
        return None
    oldest = latest - 3
    if wanted >= oldest:
        return version
    year, quarter = divmod(oldest, 4)
    return f"{year}-{quarter * 3 + 1:02d}"


# ---------------------------------------------------------------------------------------
# Cost


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


# ---------------------------------------------------------------------------------------
# Variables


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


# ---------------------------------------------------------------------------------------
# The endpoint


def _json_response(payload: Any, status: int = 200, version: str | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, content_type="application/json")
    response.headers["X-Request-Id"] = str(uuid.uuid4())
    if version:
        response.headers["X-Shopify-API-Version"] = version
    return response


def _cost_extension(
    requested: int, actual: int | None, fake: FakeShopify, shop: FakeShop
) -> dict[str, Any]:
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


def _read_body(request: Request) -> tuple[str | None, dict[str, Any], str | None]:
    raw = request.get_data(cache=True)
    if (request.mimetype or "") == "application/graphql":
        return raw.decode("utf-8", "replace"), {}, None
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return None, {}, None
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return None, {}, None
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        variables = {}
    op_name = body.get("operationName")
    return body["query"], variables, op_name if isinstance(op_name, str) else None


def handle(
    fake: FakeShopify, shop: FakeShop, version: str, request: Request
) -> tuple[Response, dict[str, Any]]:
    """``POST /{shop}/admin/api/{version}/graphql.json``; the response and a log entry."""
    query, variables, op_name = _read_body(request)
    token = request.headers.get("X-Shopify-Access-Token", "")
    entry: dict[str, Any] = {
        "shop": shop.domain,
        "version": version,
        "token": token,
        "query": query,
        "variables": variables,
        "operation_name": op_name,
        "time": fake.clock.now(),
    }

    def done(response: Response, **extra: Any) -> tuple[Response, dict[str, Any]]:
        entry.update(status=response.status_code, **extra)
        return response, entry

    served = serve_version(fake, version)
    if served is None:
        return done(_json_response({"errors": "Not Found"}, 404))
    with fake.lock:
        access = shop.access_tokens.get(token)
        if access is None or not access.valid_at(fake.clock.now()) or not shop.installed:
            return done(_json_response(INVALID_TOKEN_BODY, 401))
    if query is None:
        return done(
            _json_response(
                {"errors": {"query": "Required parameter missing or invalid"}}, 400, served
            )
        )

    schema_ = schema()
    try:
        document = parse(query)
    except GraphQLError as exc:
        return done(_json_response({"errors": [gql_errors.parse_error(exc)]}, 200, served))
    problems = validate(schema_, document)
    if problems:
        errors = gql_errors.translate_validation(schema_, document, problems)
        return done(_json_response({"errors": errors}, 200, served))
    op = _pick_operation(document, op_name)
    if isinstance(op, dict):
        return done(_json_response({"errors": [op]}, 200, served))
    values, var_errors = coerce_variables(schema_, op, variables)
    if var_errors:
        return done(_json_response({"errors": var_errors}, 200, served))

    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    estimator = CostEstimator(schema_, fragments, values)
    requested = estimator.operation(op)
    with fake.lock:
        now = fake.clock.now()
        shop.bucket.refill(now)
        if requested > MAX_QUERY_COST:
            body = {
                "errors": [
                    {
                        "message": f"Query cost is {requested}, which exceeds the single query max "
                        f"cost limit ({MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-"
                        "apis/rate-limits for more information on how the\ncost of a query is "
                        "calculated.\n\nTo query larger amounts of data with fewer limits, bulk "
                        "operations should be used instead.\nSee https://shopify.dev/tutorials/"
                        "perform-bulk-operations-with-admin-api for usage details.\n",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ],
                **_extensions(_cost_extension(requested, None, fake, shop)),
            }
            return done(_json_response(body, 200, served), cost=requested)
        if requested > shop.bucket.available:
            body = {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS},
                    }
                ],
                **_extensions(_cost_extension(requested, None, fake, shop)),
            }
            return done(_json_response(body, 200, served), cost=requested, throttled=True)
        ctx = Context(
            fake=fake,
            shop=shop,
            token=access,
            now=now,
            scopes=_effective_scopes(access.scope),
            connection_inner=estimator.connection_inner,
        )
        root = mutation_root(ctx) if op.operation == OperationType.MUTATION else query_root(ctx)
        result = execute(
            schema_,
            document,
            root_value=root,
            context_value=ctx,
            variable_values=variables,
            operation_name=op.name.value if op.name else None,
        )
        assert isinstance(result, ExecutionResult)
        actual = max(0, requested - ctx.savings)
        if op.operation == OperationType.MUTATION:
            actual = requested
        shop.bucket.available = max(0.0, shop.bucket.available - actual)
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [_format_error(e) for e in result.errors]
        payload["data"] = result.data
        payload.update(_extensions(_cost_extension(requested, actual, fake, shop)))
    return done(_json_response(payload, 200, served), cost=actual)


def _extensions(cost: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": cost}


def _effective_scopes(scope_text: str) -> set[str]:
    from .oauth import allowed_scopes

    return allowed_scopes(scope_text)


def _pick_operation(document: DocumentNode, name: str | None) -> Any:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        found = [o for o in ops if o.name and o.name.value == name]
        if not found:
            return {
                "message": f'No operation named "{name}"',
                "extensions": {"code": "OPERATION_NOT_FOUND"},
            }
        return found[0]
    if len(ops) != 1:
        return {
            "message": "An operation name is required",
            "extensions": {"code": "OPERATION_NAME_REQUIRED"},
        }
    if ops[0].operation == OperationType.SUBSCRIPTION:
        return {"message": "Subscriptions are not supported", "extensions": {"code": "BAD_REQUEST"}}
    return ops[0]


def _format_error(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.extensions:
        out["extensions"] = dict(error.extensions)
    if error.path:
        out["path"] = list(error.path)
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        out["message"] = "Internal error. Looks like something went wrong on our end."
        out["extensions"] = {
            "code": "INTERNAL_SERVER_ERROR",
            "detail": f"{type(error.original_error).__name__}: {error.message}",
        }
    return out
