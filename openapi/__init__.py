"""Routes and their OpenAPI 3.1 document, declared in one step: the admin's ``/api`` and the proxy's.

A view is declared through :meth:`ApiRegistry.route`, which adds the Flask rule and records the
operation (summary, parameters, body, answers, auth) in the same step, so a document cannot drift
from its routes; tests compare each document with ``url_map``. One :class:`ApiDocument` may
collect the routes of several blueprints (:meth:`ApiRegistry.on`). :func:`register_document_route`
serves a document as JSON.

The schemas say what the code accepts, as strictly as JSON Schema can: a request that matches
them is not refused for its shape (rules across fields, or on stored state, are in the texts).
"""

from __future__ import annotations

from openapi.document import (
    JSON,
    LOCALE,
    Answer,
    ApiDocument,
    ErrorAnswer,
    Header,
    Operation,
    Param,
    Security,
)
from openapi.patterns import (
    FRACTION_ABOVE_ZERO,
    ID_PATTERN,
    PLAIN_TEXT,
    WELCOME_CODE,
    id_schema,
    object_of,
)
from openapi.registry import ApiRegistry, register_document_route

__all__ = [
    "FRACTION_ABOVE_ZERO",
    "ID_PATTERN",
    "JSON",
    "LOCALE",
    "PLAIN_TEXT",
    "WELCOME_CODE",
    "Answer",
    "ApiDocument",
    "ApiRegistry",
    "ErrorAnswer",
    "Header",
    "Operation",
    "Param",
    "Security",
    "id_schema",
    "object_of",
    "register_document_route",
]
