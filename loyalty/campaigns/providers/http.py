"""One POST to an SMS provider over ``requests``, its transport failures named.

Every failure that says nothing about the message is :class:`ProviderUnavailable` (retry):
a timeout, a connection that could not be made or broke, 429 (with its ``Retry-After``) and
5xx. 401 is :class:`CredentialsRefused` and 403 :class:`SetupRefused`: retrying changes
nothing until the merchant does. Anything else is the caller's to read. Messages name the
provider and the kind of failure only: never the URL's query, a credential or a recipient.
"""

from __future__ import annotations

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from loyalty.campaigns.providers.base import CredentialsRefused, ProviderUnavailable, SetupRefused

RETRY_LATER = frozenset({408, 425, 429})


def post(
    session: requests.Session, provider: str, url: str, *, timeout: float, **kwargs: object
) -> requests.Response:
    """POST ``url`` (``kwargs`` as ``requests`` takes them); the response unless it failed."""
    try:
        response = session.post(url, timeout=timeout, allow_redirects=False, **kwargs)  # type: ignore[arg-type]
    except requests.RequestException as err:
        failure = ProviderUnavailable(f"{provider} failed: {type(err).__name__}")
        failure.maybe_sent = _maybe_sent(err)
        raise failure from None
    status = response.status_code
    if status == 401:
        raise CredentialsRefused(f"{provider} refused the credentials", str(status))
    if status == 403:
        raise SetupRefused(f"{provider} refused the account's request", str(status))
    if status in RETRY_LATER or status >= 500:
        error = ProviderUnavailable(f"{provider} answered {status}", str(status))
        error.retry_after = _seconds(response.headers.get("Retry-After"))
        raise error
    return response


def _maybe_sent(err: requests.RequestException) -> bool:
    """Whether the request may have reached the provider before ``err`` (see ``maybe_sent``)."""
    if isinstance(err, requests.ConnectTimeout):
        return False
    if isinstance(err, requests.ReadTimeout):
        return True
    if isinstance(err, requests.ConnectionError):
        reason = getattr(err.args[0], "reason", None) if err.args else None
        return not isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _seconds(value: str | None) -> float | None:
    """A ``Retry-After`` in seconds (a date form is ignored)."""
    if value is None or not value.strip().isascii() or not value.strip().isdigit():
        return None
    return float(value.strip())
