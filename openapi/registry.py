"""Routes declared with their operation: :class:`ApiRegistry` adds the Flask rule and records the
operation in its :class:`~openapi.document.ApiDocument` in the same step."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify

from openapi.document import JSON, Answer, ApiDocument, Operation, Param

F = TypeVar("F", bound=Callable[..., Any])

_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class ApiRegistry:
    """Adds routes to a blueprint and records them in an :class:`ApiDocument`."""

    blueprint: Blueprint
    prefix: str
    document: ApiDocument

    @property
    def schemas(self) -> dict[str, dict[str, Any]]:
        """The document's component schemas (views add theirs here)."""
        return self.document.schemas

    def on(self, blueprint: Blueprint, prefix: str) -> ApiRegistry:
        """A registry for another blueprint that adds to the same document."""
        return ApiRegistry(blueprint, prefix, self.document)

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
        request_required: bool = True,
        part_types: Mapping[str, str] | None = None,
        answers: tuple[Answer, ...] = (),
        error_notes: Mapping[int, str] | None = None,
        media_types: tuple[str, ...] = (JSON,),
        path: Mapping[str, Mapping[str, Any]] | None = None,
        query: tuple[Param, ...] = (),
        headers: tuple[Param, ...] = (),
        operation_id: str | None = None,
    ) -> Callable[[F], F]:
        """Register ``view`` for ``method rule`` on the blueprint and in the document.

        ``request`` names the body's schema, sent as ``request_media_type``; for a
        ``multipart/form-data`` body, ``part_types`` gives the content type of its file parts.
        A request body adds the 413 (and for JSON the 400 and 415) every body may get.
        ``answers`` replace the default ``200`` when an operation answers otherwise (201, 202);
        ``media_types`` are the success answer's (a ``text/csv`` one is a string);
        ``error_notes`` say what an error status means for this operation; ``path`` gives the
        schema of path parameters (default: any string), ``query`` and ``headers`` the other
        parameters the view reads.
        """

        def decorator(view: F) -> F:
            self.blueprint.add_url_rule(rule, view_func=view, methods=[method])
            body_errors: tuple[int, ...] = ()
            if request:
                body_errors = (400, 413, 415) if request_media_type == JSON else (413,)
            self.document.operations.append(
                Operation(
                    path=_FLASK_PARAM.sub(r"{\1}", self.prefix + rule),
                    method=method.lower(),
                    operation_id=operation_id or view.__name__,
                    summary=summary,
                    response=response,
                    request=request,
                    authenticated=authenticated,
                    errors=tuple(sorted({*errors, *body_errors})),
                    description=description,
                    request_media_type=request_media_type,
                    request_required=request_required,
                    part_types=tuple(sorted((part_types or {}).items())),
                    answers=answers,
                    error_notes=tuple(sorted((error_notes or {}).items())),
                    media_types=media_types,
                    path_params=tuple((path or {}).items()),
                    query=query,
                    headers=headers,
                )
            )
            return view

        return decorator


def register_document_route(registry: ApiRegistry, rule: str) -> None:
    """Add the public ``GET rule`` on the registry's blueprint that serves its document."""

    def openapi_document() -> Response:
        """The OpenAPI document (public: it holds no shop's data)."""
        return jsonify(registry.document.as_dict())

    registry.route(
        rule, "GET", summary="This OpenAPI document", response=None, authenticated=False
    )(openapi_document)
