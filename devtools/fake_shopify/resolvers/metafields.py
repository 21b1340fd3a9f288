"""Metafields: the Metafield object, and the ``metafieldsSet`` / ``metafieldsDelete`` mutations
(Shopify's validation, ``compareDigest``, the app-reserved ``app--<id>`` namespaces)."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLResolveInfo

from ..clock import iso8601, parse_iso8601
from ..ids import gid
from ..records import Metafield
from .context import Context, ctx_of, require

METAFIELDS_MAX = 25


def metafield_lookup(
    info: GraphQLResolveInfo, owner: str, namespace: str | None, key: str
) -> dict[str, Any] | None:
    """The ``metafield(namespace:, key:)`` of ``owner`` (``$app`` resolved), or None."""
    ctx = ctx_of(info)
    found = ctx.shop.metafield(owner, ctx.resolve_namespace(namespace), key)
    return metafield_view(found) if found else None


def metafield_view(m: Metafield) -> dict[str, Any]:
    """A Metafield."""
    return {
        "__typename": "Metafield",
        "id": m.gid,
        "namespace": m.namespace,
        "key": m.key,
        "type": m.type,
        "value": m.value,
        "compareDigest": m.compare_digest,
        "jsonValue": _json_value(m),
        "createdAt": iso8601(m.created_at),
        "updatedAt": iso8601(m.updated_at),
        "ownerType": _owner_type(m.owner_gid),
    }


def _owner_type(owner: str) -> str:
    """MetafieldOwnerType of an owner id (an app installation's metafields are API_PERMISSION)."""
    kind = owner.split("/")[3] if owner.count("/") >= 4 else ""
    return {"Shop": "SHOP", "AppInstallation": "API_PERMISSION"}.get(kind, "CUSTOMER")


def _json_value(m: Metafield) -> Any:
    if m.type == "number_integer":
        return int(m.value)
    if m.type == "number_decimal":
        return m.value
    if m.type == "boolean":
        return m.value == "true"
    if m.type == "json" or m.type.startswith("list."):
        return json.loads(m.value)
    return m.value


# ---------------------------------------------------------------------------------------
# Mutations: metafields


KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
RESERVED_NAMESPACES = ("shopify_standard", "protected", "shopify-l10n-fields")
SUPPORTED_TYPES = {
    "single_line_text_field",
    "multi_line_text_field",
    "number_integer",
    "number_decimal",
    "boolean",
    "json",
    "date",
    "date_time",
    "url",
    "color",
}
INTEGER_LIMIT = 9_007_199_254_740_991
NAMESPACE_NOT_ALLOWED = (
    "Access to this namespace and key on Metafields for this resource type is not allowed."
)


def _mf_error(path: list[str], message: str, code: str | None) -> dict[str, Any]:
    return {"field": path, "message": message, "code": code, "elementIndex": None}


def _owner_exists(ctx: Context, owner: str) -> bool:
    installation = gid("AppInstallation", ctx.fake.app_id)  # app-data metafields
    return owner in (ctx.shop.gid, installation) or owner in ctx.shop.customers


def _owner_scope(owner: str) -> str | None:
    return "write_customers" if owner.startswith("gid://shopify/Customer/") else None


def _check_value(kind: str, value: str) -> str | None:
    """The problem with ``value`` for a metafield of type ``kind``, or None."""
    if value == "" and kind not in ("single_line_text_field", "multi_line_text_field"):
        return "Value can't be blank."
    if kind == "number_integer":
        if not re.fullmatch(r"-?\d+", value):
            return "Value must be an integer."
        if abs(int(value)) > INTEGER_LIMIT:
            return f"Value can't exceed {INTEGER_LIMIT}."
    elif kind == "number_decimal":
        try:
            Decimal(value)
        except InvalidOperation:
            return "Value must be a decimal."
    elif kind == "boolean" and value not in ("true", "false"):
        return "Value must be true or false."
    elif kind == "json":
        try:
            json.loads(value)
        except ValueError as exc:
            return f"Value is invalid JSON: {exc}."
    elif kind == "single_line_text_field" and ("\n" in value or "\r" in value):
        return "Value must be a single line text string."
    elif kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "Value must be in YYYY-MM-DD format."
    elif kind == "date_time":
        try:
            parse_iso8601(value)
        except ValueError:
            return "Value must be in “YYYY-MM-DDTHH:MM:SS” format. For example: 2022-06-01T15:30:00"
    elif kind == "color" and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return "Value must be a hex color code."
    elif kind == "url" and not re.match(r"^(https?|mailto|sms|tel):", value):
        return "Value must be a valid link."
    return None


def metafields_set(info: GraphQLResolveInfo, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    """``metafieldsSet``: validate every input, then write all of them or none."""
    ctx = ctx_of(info)
    if len(metafields) > METAFIELDS_MAX:
        return {
            "metafields": [],
            "userErrors": [
                _mf_error(
                    ["metafields"],
                    f"Exceeded the maximum metafields input limit of {METAFIELDS_MAX}.",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ],
        }
    for item in metafields:
        scope = _owner_scope(item["ownerId"])
        if scope is not None:
            require(info, scope)
    errors: list[dict[str, Any]] = []
    plan: list[tuple[dict[str, Any], str, Metafield | None]] = []
    for index, item in enumerate(metafields):
        base = ["metafields", str(index)]
        raw_ns = item.get("namespace")
        namespace = ctx.resolve_namespace(raw_ns)
        key, owner = item["key"], item["ownerId"]
        before = len(errors)
        if not _owner_exists(ctx, owner):
            errors.append(_mf_error([*base, "ownerId"], "Owner does not exist.", "INVALID_VALUE"))
        if len(namespace) < 3:
            errors.append(
                _mf_error(
                    [*base, "namespace"],
                    "Namespace is too short (minimum is 3 characters)",
                    "TOO_SHORT",
                )
            )
        elif len(namespace) > 255:
            errors.append(
                _mf_error(
                    [*base, "namespace"],
                    "Namespace is too long (maximum is 255 characters)",
                    "TOO_LONG",
                )
            )
        elif namespace in RESERVED_NAMESPACES:
            errors.append(
                _mf_error(
                    [*base, "namespace"], f"Namespace {namespace} is a reserved namespace", None
                )
            )
        elif namespace.startswith("app--") and not (
            namespace == ctx.app_namespace or namespace.startswith(ctx.app_namespace + "--")
        ):
            errors.append(
                _mf_error(
                    base,
                    NAMESPACE_NOT_ALLOWED,
                    "APP_NOT_AUTHORIZED",
                )
            )
        if len(key) < 2:
            errors.append(
                _mf_error([*base, "key"], "Key is too short (minimum is 2 characters)", "TOO_SHORT")
            )
        elif len(key) > 64:
            errors.append(
                _mf_error([*base, "key"], "Key is too long (maximum is 64 characters)", "TOO_LONG")
            )
        elif not KEY_RE.match(key):
            errors.append(
                _mf_error([*base, "key"], "Key contains one or more invalid characters.", "INVALID")
            )
        existing = ctx.shop.metafield(owner, namespace, key)
        kind = item.get("type") or (existing.type if existing else None)
        if kind is None:
            errors.append(_mf_error([*base, "type"], "Type can't be blank", "BLANK"))
        elif kind not in SUPPORTED_TYPES:
            errors.append(
                _mf_error([*base, "type"], f"Type {kind} is not a valid type.", "INVALID_TYPE")
            )
        elif (problem := _check_value(kind, item["value"])) is not None:
            errors.append(_mf_error([*base, "value"], problem, "INVALID_VALUE"))
        if "compareDigest" in item and len(errors) == before:
            digest = item["compareDigest"]
            if existing is None and digest is not None:
                errors.append(
                    _mf_error(base, "Invalid `compareDigest` value.", "INVALID_COMPARE_DIGEST")
                )
            elif existing is not None and digest != existing.compare_digest:
                errors.append(
                    _mf_error(
                        base,
                        "The resource has been updated since it was loaded. Try again with an "
                        "updated `compareDigest` value.",
                        "STALE_OBJECT",
                    )
                )
        plan.append((item, namespace, existing))
    if errors:
        return {"metafields": [], "userErrors": errors}
    written: list[dict[str, Any]] = []
    for item, namespace, existing in plan:
        if existing is None:
            existing = Metafield(
                id=ctx.fake.next_id(),
                owner_gid=item["ownerId"],
                namespace=namespace,
                key=item["key"],
                type=item.get("type") or "",
                value=item["value"],
                created_at=ctx.now,
                updated_at=ctx.now,
            )
            ctx.shop.metafields[(existing.owner_gid, namespace, existing.key)] = existing
        else:
            existing.value = item["value"]
            existing.type = item.get("type") or existing.type
            existing.updated_at = ctx.now
            existing.version += 1
        written.append(metafield_view(existing))
    return {"metafields": written, "userErrors": []}


def metafields_delete(info: GraphQLResolveInfo, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    """``metafieldsDelete``: delete each metafield named, if present."""
    ctx = ctx_of(info)
    for item in metafields:
        scope = _owner_scope(item["ownerId"])
        if scope is not None:
            require(info, scope)
    deleted: list[dict[str, Any] | None] = []
    for item in metafields:
        namespace = ctx.resolve_namespace(item.get("namespace"))
        own = namespace == ctx.app_namespace or namespace.startswith(ctx.app_namespace + "--")
        if namespace.startswith("app--") and not own:
            return {
                "deletedMetafields": [],
                "userErrors": [
                    {
                        "field": ["metafields"],
                        "message": NAMESPACE_NOT_ALLOWED,
                    }
                ],
            }
        found = ctx.shop.metafields.pop((item["ownerId"], namespace, item["key"]), None)
        deleted.append(
            {"ownerId": item["ownerId"], "namespace": namespace, "key": item["key"]}
            if found
            else None
        )
    return {"deletedMetafields": deleted, "userErrors": []}
