"""The ``/api`` route registry and the OpenAPI 3.1 document built from it.

Every ``/api`` view is declared through :meth:`ApiRegistry.route`, which adds the Flask rule
and records the operation (summary, schemas, auth) in the same step, so the document served at
``GET /api/openapi.json`` cannot drift from the routes. A test compares it with ``url_map``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify

F = TypeVar("F", bound=Callable[..., Any])

_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "A message per invalid field.",
                    "additionalProperties": {"type": "string"},
                },
            },
        }
    },
}

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON, or not a JSON object.",
    401: (
        "Missing or invalid session token, or the shop has not installed the app. Carries "
        "`X-Shopify-Retry-Invalid-Session-Request: 1`: App Bridge retries with a fresh token."
    ),
    404: "No such object in this shop.",
    415: "The body is not `application/json`.",
    422: "Validation failed; `error.fields` holds a message per field.",
}


@dataclass(frozen=True)
class Operation:
    """One documented ``/api`` operation."""

    path: str  # OpenAPI form, e.g. /api/members/{customer_id}
    method: str  # lower case
    operation_id: str
    summary: str
    response: str | None  # a component schema name; None for a free-form object
    request: str | None = None
    authenticated: bool = True
    errors: tuple[int, ...] = ()
    description: str = ""


@dataclass
class ApiRegistry:
    """Adds ``/api`` routes to a blueprint and remembers them for the OpenAPI document."""

    blueprint: Blueprint
    prefix: str
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        response: str | None,
        request: str | None = None,
        authenticated: bool = True,
        errors: tuple[int, ...] = (),
        description: str = "",
    ) -> Callable[[F], F]:
        """Register ``view`` for ``method rule`` on the blueprint and in the document."""

        def decorator(view: F) -> F:
            self.blueprint.add_url_rule(rule, view_func=view, methods=[method])
            all_errors = (401, *errors) if authenticated else errors
            self.operations.append(
                Operation(
                    path=_FLASK_PARAM.sub(r"{\1}", self.prefix + rule),
                    method=method.lower(),
                    operation_id=view.__name__,
                    summary=summary,
                    response=response,
                    request=request,
                    authenticated=authenticated,
                    errors=tuple(sorted(set(all_errors))),
                    description=description,
                )
            )
            return view

        return decorator

    def document(self, title: str, version: str) -> dict[str, Any]:
        """The OpenAPI 3.1 document for every registered operation."""
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            paths.setdefault(op.path, {})[op.method] = _operation(op)
        return {
            "openapi": "3.1.0",
            "info": {
                "title": title,
                "version": version,
                "description": (
                    "The embedded admin's JSON API. Calls are authenticated with an App Bridge "
                    "session token (`Authorization: Bearer <jwt>`), which App Bridge adds to "
                    "every `fetch` made inside the Shopify admin."
                ),
            },
            "paths": paths,
            "components": {
                "schemas": {"Error": ERROR_SCHEMA, **self.schemas},
                "securitySchemes": {
                    "sessionToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT",
                        "description": "An App Bridge session token (HS256, one minute).",
                    }
                },
            },
        }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(op: Operation) -> dict[str, Any]:
    ok_schema = _ref(op.response) if op.response else {"type": "object"}
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}
        },
        "security": [{"sessionToken": []}] if op.authenticated else [],
    }
    if op.description:
        doc["description"] = op.description
    params = re.findall(r"{([^}]+)}", op.path)
    if params:
        doc["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ]
    if op.request:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.request)}},
        }
    for status in op.errors:
        response: dict[str, Any] = {
            "description": ERROR_DESCRIPTIONS.get(status, "Error."),
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        if status == 401:
            response["headers"] = {
                "X-Shopify-Retry-Invalid-Session-Request": {"schema": {"type": "string"}}
            }
        doc["responses"][str(status)] = response
    return doc


def register_document_route(registry: ApiRegistry, title: str, version: str) -> None:
    """Add the public ``GET {prefix}/openapi.json`` that serves the registry's document."""

    def openapi_document() -> Response:
        """The OpenAPI document (public: it holds no shop's data)."""
        return jsonify(registry.document(title, version))

    registry.route(
        "/openapi.json",
        "GET",
        summary="This OpenAPI document",
        response=None,
        authenticated=False,
    )(openapi_document)
