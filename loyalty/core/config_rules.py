"""When a configuration is production, and how a refused one reads (:class:`ConfigError`).

:class:`~loyalty.core.config.Config` checks each value as it is built; its checks raise
:func:`refused` (a bad value) or :func:`needed` (a development default in production), and
:func:`config_error` turns everything pydantic found into one :class:`ConfigError`, one sentence
per problem, each naming its variable and never its value: a value may be a secret, or a URL
with a password in it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

PRODUCTION_NEEDS = "klubb_production"
BAD_VALUE = "klubb_config"
TOML = "shopify_app.toml"
WHOLE_NUMBERS: dict[str, tuple[int, int | None]] = {
    "webhook_batch_size": (1, 500),
    "webhook_enqueue_window_ms": (0, 1000),
    "rate_limit_per_shop": (1, None),
    "rate_limit_per_shopper": (1, None),
    "outbox_sweep_seconds": (1, None),
}
"""Whole-number settings: the least accepted, and the most (a larger value is lowered to it)."""


class ConfigError(ValueError):
    """The configuration is refused; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: Sequence[str], production: bool = False) -> None:
        self.problems = tuple(problems)
        lines = [f"Klubb cannot start: {len(self.problems)} configuration problem(s)."]
        lines += [f"  - {problem}" for problem in self.problems]
        if production:
            lines.append(
                "Production (KLUBB_ENV=production, or an APP_URL that is not a loopback address)"
                " has no development defaults: README.md, 'Production deployment'."
            )
        super().__init__("\n".join(lines))


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is ``localhost`` or a loopback address (``127.0.0.1``, ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def in_production(validated: Mapping[str, Any]) -> bool:
    """Whether the settings validated so far (``environment``, ``app_url``) are production's.

    ``KLUBB_ENV`` decides when set; unset, any APP_URL off loopback is production. Fails closed:
    with an invalid ``KLUBB_ENV`` or ``APP_URL`` (reported already) it is production.
    """
    if "environment" not in validated:
        return True
    if validated["environment"] is not None:
        return bool(validated["environment"] == "production")
    return "app_url" not in validated or not is_loopback_url(validated["app_url"])


def http_url(value: str) -> str:
    """``value`` trimmed and without a trailing slash; refused unless http(s) with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refused("must be an http(s) URL with a host, such as https://klubb.example.net")
    return value.strip().rstrip("/")


def https_in_production(url: str, production: bool) -> str:
    """``url``, refused in production when it is plain http off loopback: Shopify loads an
    app's pages, its app proxy and its webhooks over HTTPS only, and session tokens, shoppers'
    data and merchants' data must not cross the network in clear."""
    if production and urlsplit(url).scheme == "http" and not is_loopback_url(url):
        raise needed("must be an https URL in production (Shopify reaches apps only over HTTPS)")
    return url


def whole_number(value: Any, least: int, most: int | None) -> Any:
    """A whole number (a string from the environment is trimmed first): below ``least`` refused,
    above ``most`` lowered to it. Anything else is left to pydantic's own type check."""
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise refused(f"must be a whole number, not {value!r}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < least:
            raise refused(f"must be at least {least}, not {value}")
        return value if most is None else min(value, most)
    return value


def refused(message: str) -> PydanticCustomError:
    """A value that is wrong anywhere; ``message`` follows the variable's name."""
    return PydanticCustomError(BAD_VALUE, message)


def needed(message: str) -> PydanticCustomError:
    """A development default (or placeholder) where production needs a real value."""
    return PydanticCustomError(PRODUCTION_NEEDS, message)


def config_error(err: ValidationError, labels: Mapping[str, str]) -> ConfigError:
    """One :class:`ConfigError` for every problem in ``err``, without the input values.

    ``labels`` names what each field is read from (its variable, or ``shopify_app.toml``).
    """
    problems: list[str] = []
    production = False
    for error in err.errors(include_url=False, include_input=False, include_context=False):
        name = str(error["loc"][0]) if error["loc"] else "configuration"
        label = labels.get(name, name)
        # Our sentences follow the variable's name; pydantic's own, and the toml's, a colon.
        ours = error["type"] in (BAD_VALUE, PRODUCTION_NEEDS) and label != TOML
        production = production or error["type"] == PRODUCTION_NEEDS
        problems += [f"{label}{' ' if ours else ': '}{line}" for line in error["msg"].splitlines()]
    return ConfigError(problems, production=production)
