"""The ``/api`` route registry and the OpenAPI 3.1 document built from it.

Every ``/api`` view is declared through :meth:`ApiRegistry.route`, which adds the Flask rule
and records the operation (summary, schemas, auth) in the same step, so the document served at
``GET /api/openapi.json`` cannot drift from the routes. A test compares it with ``url_map``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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
    413: "The body is too large.",
    415: "The body is not `{media_type}`.",
    422: "Validation failed; `error.fields` holds a message per field.",
}
JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """A success answer of an operation (the default is one ``200`` with the response schema)."""

    status: int
    description: str
    headers: tuple[tuple[str, str], ...] = ()  # (name, description)


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
    request_media_type: str = JSON
    part_types: tuple[tuple[str, str], ...] = ()  # multipart: (part, content type)
    answers: tuple[Answer, ...] = ()
    error_notes: tuple[tuple[int, str], ...] = ()  # (status, description) for this operation


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
        request_media_type: str = JSON,
        part_types: Mapping[str, str] | None = None,
        answers: tuple[Answer, ...] = (),
        error_notes: Mapping[int, str] | None = None,
    ) -> Callable[[F], F]:
        """Register ``view`` for ``method rule`` on the blueprint and in the document.

        ``request`` names the body's schema, sent as ``request_media_type``; for a
        ``multipart/form-data`` body, ``part_types`` gives the content type of its file parts.
        ``answers`` replace the default ``200`` when an operation answers otherwise (201, 202);
        ``error_notes`` say what an error status means for this operation.
        """

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
                    request_media_type=request_media_type,
                    part_types=tuple(sorted((part_types or {}).items())),
                    answers=answers,
                    error_notes=tuple(sorted((error_notes or {}).items())),
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
    ok_content = {JSON: {"schema": _ref(op.response) if op.response else {"type": "object"}}}
    answers = op.answers or (Answer(200, "OK"),)
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "responses": {str(a.status): _answer(a, ok_content) for a in answers},
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
        media: dict[str, Any] = {"schema": _ref(op.request)}
        if op.part_types:
            media["encoding"] = {part: {"contentType": kind} for part, kind in op.part_types}
        doc["requestBody"] = {"required": True, "content": {op.request_media_type: media}}
    notes = dict(op.error_notes)
    for status in op.errors:
        generic = ERROR_DESCRIPTIONS.get(status, "Error.").format(media_type=op.request_media_type)
        response: dict[str, Any] = {
            "description": notes.get(status, generic),
            "content": {JSON: {"schema": _ref("Error")}},
        }
        if status == 401:
            response["headers"] = {
                "X-Shopify-Retry-Invalid-Session-Request": {"schema": {"type": "string"}}
            }
        doc["responses"][str(status)] = response
    return doc


def _answer(answer: Answer, content: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"description": answer.description, "content": content}
    if answer.headers:
        doc["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in answer.headers
        }
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
