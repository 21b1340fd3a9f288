"""Shopify's userErrors for a code discount's input (title, code, dates, buyers, value)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from ..ids import parse_gid
from .context import Context


def user_error(path: list[str], message: str, code: str | None) -> dict[str, Any]:
    """A DiscountUserError."""
    return {"field": path, "message": message, "code": code, "extraInfo": None}


def _bad_request(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})


def validate_discount(
    ctx: Context, arg: str, data: dict[str, Any], kind: str
) -> list[dict[str, Any]]:
    """Shopify's userErrors for a code discount input (empty when it is acceptable)."""
    errors: list[dict[str, Any]] = []
    if data.get("startsAt") is None:
        errors.append(user_error([arg, "startsAt"], "Starts at can't be blank", "BLANK"))
    title = data.get("title")
    if title is None or not str(title).strip():
        errors.append(user_error([arg, "title"], "Title can't be blank", "BLANK"))
    elif len(title) > 255:
        errors.append(
            user_error([arg, "title"], "Title is too long (maximum is 255 characters)", "TOO_LONG")
        )
    code = data.get("code")
    if code is None:
        errors.append(user_error([arg, "code"], "Code can't be blank", "BLANK"))
    elif code == "":
        errors.append(
            user_error([arg, "code"], "Code is too short (minimum is 1 character)", "TOO_SHORT")
        )
    elif len(code) > 255:
        errors.append(
            user_error([arg, "code"], "Code is too long (maximum is 255 characters)", "TOO_LONG")
        )
    elif "\n" in code or "\r" in code:
        errors.append(
            user_error([arg, "code"], "Code cannot contain newline characters.", "INVALID")
        )
    elif ctx.shop.discount_by_code(code) is not None:
        errors.append(
            user_error([arg, "code"], "Code must be unique. Please try a different code.", "TAKEN")
        )
    starts, ends = data.get("startsAt"), data.get("endsAt")
    if starts is not None and ends is not None and ends <= starts:
        errors.append(user_error([arg, "endsAt"], "Ends at needs to be after starts_at", "INVALID"))
    limit = data.get("usageLimit")
    if limit is not None and limit <= 0:
        errors.append(
            user_error([arg, "usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN")
        )
    context, selection = data.get("context"), data.get("customerSelection")
    if context is not None and selection is not None:
        errors.append(
            user_error(
                [arg, "context"],
                "Only one of context or customerSelection can be provided.",
                "INVALID",
            )
        )
    elif context is None and selection is None:
        errors.append(user_error([arg, "context"], "Context can't be blank", "BLANK"))
    else:
        errors.extend(_validate_buyers(ctx, arg, context, selection))
    minimum = data.get("minimumRequirement") or {}
    if minimum.get("subtotal") is not None and minimum.get("quantity") is not None:
        errors.append(
            user_error(
                [arg, "minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"],
                "Minimum subtotal cannot be defined when minimum quantity is.",
                "CONFLICT",
            )
        )
        errors.append(
            user_error(
                [arg, "minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"],
                "Minimum quantity cannot be defined when minimum subtotal is.",
                "CONFLICT",
            )
        )
    if kind == "basic":
        errors.extend(_validate_customer_gets(ctx, arg, data.get("customerGets")))
    return errors


def _validate_buyers(
    ctx: Context, arg: str, context: dict[str, Any] | None, selection: dict[str, Any] | None
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    source, name = (context, "context") if context is not None else (selection, "customerSelection")
    assert source is not None
    for unsupported in ("customerSegments", "markets"):
        ids = (source.get(unsupported) or {}).get("add") or []
        kind = "Segment" if unsupported == "customerSegments" else "Market"
        for value in ids:
            number = (parse_gid(value) or ("", 0))[1]
            errors.append(
                user_error(
                    [arg, name, unsupported, "add"],
                    f"{kind} with id: {number} is invalid",
                    "INVALID",
                )
            )
    for value in (source.get("customers") or {}).get("add") or []:
        parsed = parse_gid(value)
        if parsed is None or parsed[0] != "Customer" or value not in ctx.shop.customers:
            number = parsed[1] if parsed else value
            errors.append(
                user_error(
                    [arg, name, "customers", "add"],
                    f"Customer with id: {number} is invalid",
                    "INVALID",
                )
            )
    return errors


def _validate_customer_gets(
    ctx: Context, arg: str, gets: dict[str, Any] | None
) -> list[dict[str, Any]]:
    base = [arg, "customerGets"]
    if gets is None:
        return [user_error(base, "Customer gets can't be blank", "BLANK")]
    errors: list[dict[str, Any]] = []
    value = gets.get("value")
    if value is None:
        errors.append(user_error([*base, "value"], "Value can't be blank", "BLANK"))
    else:
        kinds = [
            k
            for k in ("percentage", "discountOnQuantity", "discountAmount")
            if value.get(k) is not None
        ]
        if len(kinds) > 1:
            raise _bad_request(
                "A discount can only have one of percentage, discountOnQuantity or discountAmount."
            )
        if not kinds:
            errors.append(user_error([*base, "value"], "Value can't be blank", "BLANK"))
        elif kinds[0] == "percentage" and not 0.0 <= value["percentage"] <= 1.0:
            errors.append(
                user_error(
                    [*base, "value", "percentage"],
                    "Value must be between 0.0 and 1.0",
                    "VALUE_OUTSIDE_RANGE",
                )
            )
        elif kinds[0] == "discountAmount":
            amount = value["discountAmount"].get("amount")
            if amount is None:
                errors.append(
                    user_error(
                        [*base, "value", "discountAmount", "amount"],
                        "Value can't be blank",
                        "BLANK",
                    )
                )
            elif Decimal(amount) < 0:
                # Shopify stores amounts negated; its message reads accordingly.
                errors.append(
                    user_error(
                        [*base, "value", "discountAmount", "amount"],
                        "Value must be less than or equal to 0",
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                )
        elif kinds[0] == "discountOnQuantity":
            errors.append(
                user_error(
                    [*base, "value", "discountOnQuantity"],
                    "discountOnQuantity is only permitted with bxgy discounts.",
                    "INVALID",
                )
            )
    items = gets.get("items")
    if items is None:
        errors.append(user_error([*base, "items"], "Items can't be blank", "BLANK"))
    else:
        for key, label, sub in (
            ("products", "Product", "productsToAdd"),
            ("products", "Product variant", "productVariantsToAdd"),
            ("collections", "Collection", "add"),
        ):
            for value_id in (items.get(key) or {}).get(sub) or []:
                if sub == "productVariantsToAdd" and ctx.shop.variant(value_id) is not None:
                    continue
                if sub == "productsToAdd" and value_id in ctx.shop.products:
                    continue
                number = (parse_gid(value_id) or ("", value_id))[1]
                errors.append(
                    user_error(
                        [*base, "items", key, sub],
                        f"{label} with id: {number} is invalid",
                        "INVALID",
                    )
                )
        products = items.get("products") or {}
        chosen = products.get("productVariantsToAdd") or products.get("productsToAdd")
        if not items.get("all") and not chosen and not errors:
            errors.append(user_error([*base, "items"], "Items can't be blank", "BLANK"))
    return errors
