"""An OpenAPI 3.1 document built from declared operations: :class:`ApiDocument`.

What each operation may answer is declared with it (:class:`Answer`, ``errors``); what every
operation of a document shares (its :class:`Security` and that check's refusals, the parameters
every view reads, the headers on every answer) is declared once, on the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"

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
    403: "Refused.",
    404: "No such object in this shop.",
    409: "Conflicts with a request or a run still under way.",
    413: "The body is too large.",
    415: "The body is not `{media_type}`.",
    422: (
        "A body field or a query parameter is not valid (a NUL character in any of them "
        "too); `error.fields` holds a message per field."
    ),
    429: "Too many requests; `Retry-After` says when to try again.",
    502: "Shopify did not answer as expected.",
    503: (
        "A server Klubb depends on is briefly unavailable; nothing was done. Try again after "
        "`Retry-After` seconds."
    ),
}


@dataclass(frozen=True)
class Header:
    """A header of an answer: its name, what it says, and whether every such answer has it."""

    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Answer:
    """An answer of an operation (the default is one ``200`` with the response schema)."""

    status: int
    description: str
    headers: tuple[tuple[str, str], ...] = ()  # (name, description)


@dataclass(frozen=True)
class Param:
    """A query or header parameter of an operation."""

    name: str
    schema: Mapping[str, Any]
    description: str = ""
    required: bool = False


LOCALE = Param(
    "locale",
    {"type": "string"},
    "The language of the answer's words (`nb` or `en`); else `Accept-Language`, then English.",
)
"""The ``locale`` query parameter every call of both APIs reads (i18n.py)."""


@dataclass(frozen=True)
class ErrorAnswer:
    """An error status every authenticated operation of a document may answer."""

    status: int
    description: str
    headers: tuple[Header, ...] = ()


@dataclass(frozen=True)
class Security:
    """How a document's authenticated operations are authenticated: one OpenAPI security
    scheme, and the error answers that checking it (and reaching the database) may give."""

    name: str
    scheme: Mapping[str, Any]
    errors: tuple[ErrorAnswer, ...]


@dataclass(frozen=True)
class Operation:
    """One documented operation."""

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
    request_required: bool = True
    part_types: tuple[tuple[str, str], ...] = ()  # multipart: (part, content type)
    answers: tuple[Answer, ...] = ()
    error_notes: tuple[tuple[int, str], ...] = ()  # (status, description) for this operation
    media_types: tuple[str, ...] = (JSON,)
    path_params: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()


@dataclass
class ApiDocument:
    """The operations and schemas of one OpenAPI document, and what it says about them all."""

    title: str
    version: str
    description: str
    security: Security
    query: tuple[Param, ...] = ()  # parameters every operation reads
    headers: tuple[Header, ...] = ()  # headers on every answer
    servers: tuple[Mapping[str, Any], ...] = ()
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document for every registered operation."""
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            paths.setdefault(op.path, {})[op.method] = self._operation(op)
        doc: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version, "description": self.description},
            "paths": paths,
            "components": {
                "schemas": {"Error": ERROR_SCHEMA, **self.schemas},
                "securitySchemes": {self.security.name: dict(self.security.scheme)},
            },
        }
        if self.servers:
            doc["servers"] = [dict(server) for server in self.servers]
        return doc

    def _operation(self, op: Operation) -> dict[str, Any]:
        schema = _ref(op.response) if op.response else {"type": "object"}
        ok_content = {media: {"schema": _content_schema(media, schema)} for media in op.media_types}
        answers = op.answers or (Answer(200, "OK"),)
        doc: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "responses": {str(a.status): self._answer(a, ok_content) for a in answers},
            "security": [{self.security.name: []}] if op.authenticated else [],
        }
        if op.description:
            doc["description"] = op.description
        path_schemas = dict(op.path_params)
        params: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": dict(path_schemas.get(name, {"type": "string"})),
            }
            for name in re.findall(r"{([^}]+)}", op.path)
        ]
        params += [_parameter(p, "query") for p in (*op.query, *self.query)]
        params += [_parameter(p, "header") for p in op.headers]
        if params:
            doc["parameters"] = params
        if op.request:
            media: dict[str, Any] = {"schema": _ref(op.request)}
            if op.part_types:
                media["encoding"] = {part: {"contentType": kind} for part, kind in op.part_types}
            doc["requestBody"] = {
                "required": op.request_required,
                "content": {op.request_media_type: media},
            }
        notes = dict(op.error_notes)
        common = {e.status: e for e in self.security.errors} if op.authenticated else {}
        # Every query parameter is refused with 422 when it holds text no column can store.
        refusals = {422} if op.query or self.query else set()
        for status in sorted({*op.errors, *common, *refusals}):
            own = common[status].description if status in common else ""
            generic = own or ERROR_DESCRIPTIONS.get(status, "Error.").format(
                media_type=op.request_media_type
            )
            response: dict[str, Any] = {
                "description": notes.get(status, generic),
                "content": {JSON: {"schema": _ref("Error")}},
            }
            headers = common[status].headers if status in common else ()
            if status == 503:
                headers = (*headers, Header("Retry-After", "Seconds to wait.", required=True))
            if headers:
                response["headers"] = _headers(headers)
            doc["responses"][str(status)] = response
        return doc

    def _answer(self, answer: Answer, content: dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {"description": answer.description, "content": content}
        headers = (*self.headers, *(Header(name, text) for name, text in answer.headers))
        if headers:
            doc["headers"] = _headers(headers)
        return doc


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _content_schema(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON answer's schema; any other media type (CSV, Liquid) is text."""
    return schema if media_type == JSON else {"type": "string"}


def _parameter(param: Param, where: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": param.name,
        "in": where,
        "required": param.required,
        "schema": dict(param.schema),
    }
    if param.description:
        doc["description"] = param.description
    return doc


def _headers(headers: tuple[Header, ...]) -> dict[str, Any]:
    return {
        h.name: {"description": h.description, "required": h.required, "schema": {"type": "string"}}
        for h in headers
    }
