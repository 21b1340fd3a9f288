"""Updates to a customer: ``tagsAdd`` / ``tagsRemove`` and the email and SMS marketing consent
mutations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from ..ids import parse_gid
from .context import ctx_of, require
from .customers import customer_view

if TYPE_CHECKING:
    from collections.abc import Callable


def _split_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        out.extend(t.strip() for t in tag.split(",") if t.strip())
    return out


def tags_mutation(adding: bool) -> Callable[..., dict[str, Any]]:
    """``tagsAdd`` (``adding``) or ``tagsRemove``, on customers."""

    def resolve(info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict[str, Any]:
        ctx = ctx_of(info)
        parsed = parse_gid(id)
        kind = parsed[0] if parsed else "Resource"
        if kind == "Customer":
            require(info, "write_customers")
        customer = ctx.shop.customers.get(id) if kind == "Customer" else None
        if customer is None:
            return {
                "node": None,
                "userErrors": [{"field": ["id"], "message": f"{kind} does not exist"}],
            }
        wanted = _split_tags(tags)
        too_long = [t for t in wanted if len(t) > 255]
        if too_long:
            return {
                "node": None,
                "userErrors": [
                    {"field": ["tags"], "message": "Tags is too long (maximum is 255 characters)"}
                ],
            }
        current = {t.casefold(): t for t in customer.tags}
        if adding:
            for tag in wanted:
                current.setdefault(tag.casefold(), tag)
            if len(current) > 250:
                return {
                    "node": None,
                    "userErrors": [{"field": ["tags"], "message": "Tags cannot be more than 250"}],
                }
        else:
            for tag in wanted:
                current.pop(tag.casefold(), None)
        customer.tags = sorted(current.values())
        customer.updated_at = ctx.now
        return {"node": customer_view(ctx, customer), "userErrors": []}

    return resolve


def consent_mutation(channel: str) -> Callable[..., dict[str, Any]]:
    """``customerEmailMarketingConsentUpdate`` or the SMS one (``channel``)."""
    consent_key = "emailMarketingConsent" if channel == "email" else "smsMarketingConsent"

    def resolve(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        require(info, "write_customers")
        ctx = ctx_of(info)
        consent = input[consent_key]
        state = consent["marketingState"]
        if state in ("NOT_SUBSCRIBED", "REDACTED", "INVALID"):
            raise GraphQLError(
                f"Cannot specify {state} as a marketing state input", extensions={"code": "INVALID"}
            )
        customer = ctx.shop.customers.get(input["customerId"])
        base = ["input", consent_key]

        def fail(path: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
            return {
                "customer": None,
                "userErrors": [{"field": path, "message": message, "code": code}],
            }

        if customer is None:
            if channel == "email":
                return fail(["input", "customerId"], "Customer not found", "INVALID")
            return fail(None, "Customer not found", None)
        level = consent.get("marketingOptInLevel")
        if level is None:
            return fail(
                [*base, "marketingOptInLevel"],
                "Marketing opt in level must exist",
                "MISSING_ARGUMENT",
            )
        if state == "PENDING" and level != "CONFIRMED_OPT_IN":
            return fail(
                [*base, "marketingOptInLevel"],
                "Marketing opt in level must be confirmed opt-in for pending consent state",
                "INVALID",
            )
        when = consent.get("consentUpdatedAt")
        if when is not None and when > ctx.now:
            return fail(
                [*base, "consentUpdatedAt"],
                "Consent updated at must not be in the future",
                "INVALID",
            )
        if channel == "sms" and not customer.phone:
            return fail(base, "A phone number is required to set the SMS consent state.", "INVALID")
        if channel == "email" and not customer.email:
            return {"customer": customer_view(ctx, customer), "userErrors": []}
        target = customer.email_consent if channel == "email" else customer.sms_consent
        target.state = state
        target.opt_in_level = level
        target.updated_at = when if when is not None else ctx.now
        if channel == "sms":
            target.collected_from = "OTHER"
        customer.updated_at = ctx.now
        return {"customer": customer_view(ctx, customer), "userErrors": []}

    return resolve
