"""The Admin GraphQL endpoint: auth, versions, validation, cost and throttling, execution.

Every query is parsed and validated against ``schema.graphql`` (a subset of Shopify's own
schema); invalid documents get Shopify's error shapes (see :mod:`gql_errors`). Query cost is
estimated the way Shopify does (objects 1, connections 2 + n x node cost, mutations 10),
checked against a leaky bucket (2000 points, restored at 100/s by the fake clock): the schema
is :mod:`gql_schema`, the estimate :mod:`gql_cost`, variables :mod:`gql_variables`.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)
from werkzeug.wrappers import Request, Response

from . import gql_errors
from .gql_cost import MAX_QUERY_COST, CostEstimator, cost_extension
from .gql_schema import schema
from .gql_variables import coerce_variables
from .resolvers import Context, mutation_root, query_root
from .state import FakeShop

if TYPE_CHECKING:
    from .fake import FakeShopify

INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"

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
# The endpoint


def _json_response(payload: Any, status: int = 200, version: str | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, content_type="application/json")
    response.headers["X-Request-Id"] = str(uuid.uuid4())
    if version:
        response.headers["X-Shopify-API-Version"] = version
    return response


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
                **_extensions(cost_extension(requested, None, fake, shop)),
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
                **_extensions(cost_extension(requested, None, fake, shop)),
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
        payload.update(_extensions(cost_extension(requested, actual, fake, shop)))
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
