"""Bulk query operations: ``bulkOperationRunQuery`` and the JSONL result file.

The fake runs a bulk query at once (over all rows, no page limits) and keeps the JSONL in
memory; the mutation still answers ``CREATED`` as Shopify does, later reads answer
``COMPLETED`` (or ``FAILED``) with ``url`` pointing at the fake's file route. Nested
connections become their own lines with ``__parentId``, as in Shopify's files.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_named_type,
    parse,
    validate,
)
from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode

from . import gql_errors
from .clock import iso8601
from .gql_schema import schema
from .records import BulkOperation
from .resolvers import Context, ctx_of, query_root

MAX_RUNNING = 5


def latest_operation(ctx: Context) -> BulkOperation | None:
    """The app's most recent bulk query on this shop."""
    ops = sorted(ctx.shop.bulk_operations.values(), key=lambda op: op.id)
    return ops[-1] if ops else None


def bulk_view(ctx: Context, op: BulkOperation, *, as_created: bool = False) -> dict[str, Any]:
    """A BulkOperation; ``as_created`` shows it as the mutation reports it (not yet run)."""
    running = not as_created and op.running_reads > 0
    if running:
        op.running_reads -= 1
    if as_created or running:
        status = "RUNNING" if running else "CREATED"
        completed, count, roots, size, url, partial = None, 0, 0, None, None, None
    else:
        status = op.status
        completed = iso8601(op.completed_at) if op.completed_at else None
        count, roots = op.object_count, op.root_object_count
        size = str(len(op.jsonl)) if op.jsonl else None
        file_url = ctx.fake.bulk_result_url(ctx.shop.domain, op.id) if op.jsonl else None
        # A failed operation's lines (if any) are partial data, never ``url``.
        url, partial = (None, file_url) if op.status == "FAILED" else (file_url, None)
    return {
        "__typename": "BulkOperation",
        "id": op.gid,
        "status": status,
        "type": "QUERY",
        "errorCode": None if as_created else op.error_code,
        "createdAt": iso8601(op.created_at),
        "completedAt": completed,
        "objectCount": str(count),
        "rootObjectCount": str(roots),
        "fileSize": size,
        "url": url,
        "partialDataUrl": partial,
        "query": op.query,
    }


def _error(message: str, code: str, field: list[str] | None = None) -> dict[str, Any]:
    return {
        "bulkOperation": None,
        "userErrors": [{"field": field, "message": message, "code": code}],
    }


def _has_connection(selection_set: SelectionSetNode | None, parent: Any) -> bool:
    if selection_set is None:
        return False
    for sel in selection_set.selections:
        if isinstance(sel, InlineFragmentNode):
            if _has_connection(sel.selection_set, parent):
                return True
        elif isinstance(sel, FieldNode) and hasattr(parent, "fields"):
            field = parent.fields.get(sel.name.value)
            if field is None:
                continue
            named = get_named_type(field.type)
            if named.name.endswith("Connection") or _has_connection(sel.selection_set, named):
                return True
    return False


def run_query(info: Any, query: str, groupObjects: bool = False) -> dict[str, Any]:
    """``bulkOperationRunQuery``: validate, run at once, keep the JSONL."""
    ctx = ctx_of(info)
    running = [
        op for op in ctx.shop.bulk_operations.values() if op.status in ("CREATED", "RUNNING")
    ]
    if len(running) >= MAX_RUNNING:
        ids = ", ".join(op.gid for op in running)
        return _error(
            f"A bulk query operation for this app and shop is already in progress: {ids}.",
            "OPERATION_IN_PROGRESS",
        )
    schema_ = schema()
    try:
        document = parse(query)
    except GraphQLError as exc:
        detail = gql_errors.parse_error(exc)["message"].split(" at [")[0]
        return _error(f"Invalid bulk query: {detail}", "INVALID", ["query"])
    problems = validate(schema_, document)
    if problems:
        first = gql_errors.translate_validation(schema_, document, problems)[0]["message"]
        return _error(f"Invalid bulk query: {first}", "INVALID", ["query"])
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].operation != OperationType.QUERY:
        return _error(
            "Invalid bulk query: bulk queries must be a single query operation",
            "INVALID",
            ["query"],
        )
    if not _has_connection(ops[0].selection_set, schema_.query_type):
        return _error("Bulk queries must contain at least one connection.", "INVALID", ["query"])

    now = ctx.now
    op = BulkOperation(
        id=ctx.fake.next_id(),
        query=query,
        created_at=now,
        running_reads=ctx.shop.bulk_running_reads,
    )
    ctx.shop.bulk_operations[op.gid] = op
    inner = Context(
        fake=ctx.fake, shop=ctx.shop, token=ctx.token, now=now, scopes=ctx.scopes, bulk=True
    )
    result = execute(schema_, document, root_value=query_root(inner), context_value=inner)
    assert isinstance(result, ExecutionResult)
    op.completed_at = now
    if result.errors:
        denied = any((e.extensions or {}).get("code") == "ACCESS_DENIED" for e in result.errors)
        op.status = "FAILED"
        op.error_code = "ACCESS_DENIED" if denied else "INTERNAL_SERVER_ERROR"
    else:
        lines, roots = flatten(result.data or {})
        op.jsonl = "".join(
            json.dumps(line, separators=(",", ":")) + "\n" for line in lines
        ).encode()
        op.object_count, op.root_object_count = len(lines), roots
        op.status = "COMPLETED"
        failure = ctx.shop.bulk_failure
        if failure is not None and failure[2] > 0:
            ctx.shop.bulk_failure = (failure[0], failure[1], failure[2] - 1)
        elif failure is not None:
            # A TIMEOUT / INTERNAL_SERVER_ERROR: FAILED, with what was read as partial data.
            op.error_code, keep, _ = failure
            ctx.shop.bulk_failure = None
            op.status = "FAILED"
            kept = op.jsonl.splitlines(keepends=True)[:keep]
            op.jsonl = b"".join(kept) or None
            op.object_count = len(kept)
    return {"bulkOperation": bulk_view(ctx, op, as_created=True), "userErrors": []}


def _is_connection(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) <= {"edges", "nodes", "pageInfo"}
        and any(isinstance(value.get(k), list) for k in ("edges", "nodes"))
    )


def _connection_nodes(value: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(value.get("nodes"), list):
        return [n for n in value["nodes"] if isinstance(n, dict)]
    return [e["node"] for e in value.get("edges") or [] if isinstance(e, dict) and "node" in e]


def flatten(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """JSONL lines (and the count of root objects) for a bulk query's result data."""
    lines: list[dict[str, Any]] = []
    roots = 0

    def emit(node: dict[str, Any], parent_id: str | None) -> None:
        line: dict[str, Any] = {}
        children: list[dict[str, Any]] = []
        for key, value in node.items():
            if _is_connection(value):
                children.extend(_connection_nodes(value))
            else:
                line[key] = value
        if parent_id is not None:
            line["__parentId"] = parent_id
        lines.append(line)
        for child in children:
            emit(child, node.get("id"))

    for value in data.values():
        if _is_connection(value):
            for node in _connection_nodes(value):
                roots += 1
                emit(node, None)
        elif isinstance(value, dict):
            roots += 1
            emit(value, None)
    return lines, roots
