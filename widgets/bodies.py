"""The widget's JSON bodies: an object (an empty body reads as ``{}``), never about someone else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, g

from errors import json_error, json_object_body
from loyalty.privacy.self_service_rules import ForeignCustomer, without_customer_claims


def json_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Parse the body into ``g.body``, minus keys naming the signed-in shopper.

    A key naming another customer is refused with 403 ``forbidden_customer``; a form post is
    415. Apply it under ``signed_in`` and before ``idempotent``, so a malformed call does not
    use up its ``Idempotency-Key``.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        body = json_object_body(allow_empty=True)
        if isinstance(body, Response):
            return body
        try:
            g.body = without_customer_claims(body, g.shopper.customer_id)
        except ForeignCustomer as err:
            return json_error(403, "forbidden_customer", str(err))
        return view(*args, **kwargs)

    return wrapper
