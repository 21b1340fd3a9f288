"""Property: Shopify's signature checks take any input, answer with their documented refusal,
and accept a value only when it is the signature (issue #15, "Proof in CI").

The checks (``loyalty.shopify.signatures``, ``loyalty.shopify.session_tokens``) are fed
arbitrary text (lone surrogates included, which no HTTP request carries but a function may be
given), arbitrary bytes and arbitrary claims. Each property states what acceptance means with
an oracle written here from Shopify's documented scheme, so a check that compares the wrong
thing fails even where its own signing function agrees with it.

Derandomized and without Hypothesis's example database: CI runs the same cases every time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote_plus, urlsplit

import jwt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loyalty.shopify.session_tokens import InvalidSessionToken, verify_session_token
from loyalty.shopify.signatures import (
    is_valid_shop_domain,
    timestamp_is_fresh,
    verify_oauth_query,
    verify_proxy_query,
    verify_webhook,
)

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None)
# Short secrets are what these properties try on purpose; PyJWT warns at each.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SECRET, OLD_SECRET, KEY = "app-secret-0123456789abcdef01234567", "previous-secret", "api-key"
SECRETS = (SECRET, OLD_SECRET)
SHOP = "demo.myshopify.com"

ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)
"""Any text at all, lone surrogates and NUL included."""
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
TRICKY = st.sampled_from(
    [
        float("inf"),  # written as Infinity, which Python's JSON reads back
        2**63,
        10**400,
        "https://demo.myshopify.com:99999",
        "https://demo.myshopify.com:port",
        "https://[demo.myshopify.com",
        "https://demo.myshopify.com\u0000",
        "\ud800",
        "4" * 200,
    ]
)
"""Values that have broken claim checks: numbers past what ``int`` or a float holds, URLs that
``urlsplit`` refuses or whose port it cannot read, text that cannot be stored."""


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


# --- Webhooks: base64 HMAC-SHA256 of the raw body in X-Shopify-Hmac-Sha256 -------------------


def _webhook_oracle(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@st.composite
def webhook_headers(draw: st.DrawFn, body: bytes) -> str | None:
    """The header a sender might put: right, padded, from another secret, altered, any text."""
    right = _webhook_oracle(body, draw(st.sampled_from(SECRETS)))
    kind = draw(st.sampled_from(["right", "padded", "other", "altered", "cut", "case", "text"]))
    if kind == "right":
        return right
    if kind == "padded":
        return f" {right}\t"
    if kind == "other":
        return _webhook_oracle(body, "not-" + SECRET)
    if kind == "altered":
        at = draw(st.integers(0, len(right) - 1))
        swapped = "A" if right[at] != "A" else "B"
        return right[:at] + swapped + right[at + 1 :]
    if kind == "cut":
        return right[: draw(st.integers(0, len(right) - 1))]
    if kind == "case":
        return right.swapcase()
    return draw(st.none() | ANY_TEXT)


@FUZZ
@given(data=st.data(), body=st.binary(max_size=200))
def test_a_webhook_is_accepted_exactly_when_its_header_is_the_bodys_hmac(
    data: st.DataObject, body: bytes
) -> None:
    header = data.draw(webhook_headers(body))
    accepted = verify_webhook(body, header, SECRETS)
    expected = header is not None and any(
        _utf8(header.strip()) == _webhook_oracle(body, s).encode() for s in SECRETS
    )
    assert accepted is expected


@FUZZ
@given(body=st.binary(max_size=200), other=st.binary(max_size=200))
def test_a_webhook_signature_is_bound_to_its_body(body: bytes, other: bytes) -> None:
    assume(body != other)
    assert not verify_webhook(other, _webhook_oracle(body, SECRET), SECRETS)


# --- OAuth callbacks and admin loads: hex HMAC of sorted k=v joined by & ----------------------


def _oauth_oracle(params: dict[str, str], secret: str, encode: bool) -> str:
    """Shopify's scheme: drop ``hmac`` (and ``signature``), sort, ``k=v`` joined with ``&``;
    Shopify's JavaScript library form-encodes keys and values first (WHATWG)."""

    def enc(text: str) -> str:
        if not encode:
            return text
        return quote_plus(text, safe="*", errors="surrogatepass").replace("~", "%7E")

    pairs = sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature"))
    return _hex_hmac(secret, _utf8("&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)))


OAUTH_PARAMS = st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=5).map(
    lambda p: {"shop": SHOP, "timestamp": "1700000000", **p}
)


@FUZZ
@given(
    params=OAUTH_PARAMS,
    kind=st.sampled_from(["raw", "encoded", "other secret", "text", "none"]),
    text=ANY_TEXT,
)
def test_an_oauth_query_is_accepted_exactly_when_its_hmac_is_the_querys(
    params: dict[str, str], kind: str, text: str
) -> None:
    query = {k: v for k, v in params.items() if k != "hmac"}
    if kind in ("raw", "encoded"):
        query["hmac"] = _oauth_oracle(query, SECRET, encode=kind == "encoded")
    elif kind == "other secret":
        query["hmac"] = _oauth_oracle(query, "not-" + SECRET, encode=False)
    elif kind == "text":
        query["hmac"] = text
    accepted = verify_oauth_query(query, SECRETS)
    given_hmac = query.get("hmac", "")
    expected = bool(given_hmac) and any(
        given_hmac == _oauth_oracle(query, s, encode) for s in SECRETS for encode in (False, True)
    )
    assert accepted is expected


@FUZZ
@given(params=OAUTH_PARAMS, data=st.data())
def test_a_signed_oauth_query_with_a_value_changed_is_refused(
    params: dict[str, str], data: st.DataObject
) -> None:
    """Changing a value (to text without ``&`` or ``=``, which would re-split the unencoded
    message: the scheme's own ambiguity) always breaks the signature."""
    query = {k: v for k, v in params.items() if k not in ("hmac", "signature")}
    signed = {**query, "hmac": _oauth_oracle(query, SECRET, encode=False)}
    name = data.draw(st.sampled_from(sorted(query)))
    value = data.draw(ANY_TEXT.filter(lambda v: "&" not in v and "=" not in v))
    assume(value != query[name] and "&" not in query[name] and "=" not in query[name])
    assert not verify_oauth_query({**signed, name: value}, SECRETS)


# --- App proxy: hex HMAC of sorted k=v joined with nothing, repeated values joined by , -------


def _proxy_oracle(params: dict[str, list[str]], secret: str) -> str:
    pairs = sorted((k, ",".join(v)) for k, v in params.items() if k != "signature")
    return _hex_hmac(secret, _utf8("".join(f"{k}={v}" for k, v in pairs)))


PROXY_PARAMS = st.dictionaries(ANY_TEXT, st.lists(ANY_TEXT, min_size=1, max_size=3), max_size=5)


@FUZZ
@given(
    params=PROXY_PARAMS,
    kind=st.sampled_from(["right", "twice", "other secret", "text", "none"]),
    text=ANY_TEXT,
)
def test_a_proxy_query_is_accepted_exactly_when_its_signature_is_the_querys(
    params: dict[str, list[str]], kind: str, text: str
) -> None:
    query = {"shop": [SHOP], **{k: v for k, v in params.items() if k != "signature"}}
    right = _proxy_oracle(query, SECRET)
    signature = {
        "right": [right],
        "twice": [right, right],
        "other secret": [_proxy_oracle(query, "not-" + SECRET)],
        "text": [text],
        "none": None,
    }[kind]
    if signature is not None:
        query["signature"] = signature
    accepted = verify_proxy_query(query, SECRETS)
    expected = (
        signature is not None
        and len(signature) == 1
        and any(signature[0] == _proxy_oracle(query, s) for s in SECRETS)
    )
    assert accepted is expected


@FUZZ
@given(params=PROXY_PARAMS, data=st.data())
def test_a_signed_proxy_query_with_a_value_changed_is_refused(
    params: dict[str, list[str]], data: st.DataObject
) -> None:
    query = {"shop": [SHOP], **{k: v for k, v in params.items() if k != "signature"}}
    name = data.draw(st.sampled_from(sorted(query)))
    value = data.draw(ANY_TEXT)
    assume(value != ",".join(query[name]))
    signed = {**query, "signature": [_proxy_oracle(query, SECRET)]}
    assert not verify_proxy_query({**signed, name: [value]}, SECRETS)


@FUZZ
@given(
    timestamp=st.none() | ANY_TEXT | st.integers().map(str) | st.sampled_from(["1" + "0" * 400]),
    drift=st.integers(-200, 200),
)
def test_a_timestamp_is_fresh_only_as_plain_digits_within_90_seconds(
    timestamp: str | None, drift: int
) -> None:
    now = 1_700_000_000.0
    assert timestamp_is_fresh(timestamp, now) in (True, False)
    if timestamp_is_fresh(timestamp, now):
        assert timestamp is not None and timestamp.lstrip("+-").isascii()
        assert abs(now - int(timestamp)) <= 90
    assert timestamp_is_fresh(str(int(now) + drift), now) is (abs(drift) <= 90)


@FUZZ
@given(domain=st.none() | ANY_TEXT | st.from_regex(r"[a-z0-9-]{1,70}\.myshopify\.com"))
def test_a_shop_domain_is_checked_without_errors(domain: str | None) -> None:
    valid = is_valid_shop_domain(domain)
    assert valid in (True, False)
    if valid:
        assert domain is not None and domain.endswith(".myshopify.com") and domain.isascii()


# --- Session tokens: HS256 JWTs from App Bridge -----------------------------------------------


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": "abc",
        "sid": "s1",
    }
    claims.update(overrides)
    return claims


def _verify(token: str) -> Any:
    """The verified token, or the refusal; any other exception fails the property."""
    try:
        return verify_session_token(token, KEY, SECRETS)
    except InvalidSessionToken as refusal:
        return refusal


@FUZZ
@given(token=ANY_TEXT | st.binary(max_size=80).map(lambda b: base64.urlsafe_b64encode(b).decode()))
def test_any_text_as_a_session_token_is_refused(token: str) -> None:
    assert isinstance(_verify(token), InvalidSessionToken)


def _segments(header: Any, claims: Any) -> str:
    def part(value: Any) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part(header)}.{part(claims)}"


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(sorted(_claims())), JSON | TRICKY, max_size=4))
def test_signed_claims_of_any_shape_give_a_token_or_the_refusal(changes: dict[str, Any]) -> None:
    """Signed with the app's secret but with claims of any type or value: accepted only when
    every rule holds, else InvalidSessionToken, never another exception."""
    claims = _claims(**changes)
    body = _segments({"alg": "HS256", "typ": "JWT"}, claims)
    signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()
    token = f"{body}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
    verified = _verify(token)
    if isinstance(verified, InvalidSessionToken):
        return
    dest, iss = urlsplit(str(claims["dest"])), urlsplit(str(claims["iss"]))
    assert verified.shop == dest.hostname and is_valid_shop_domain(verified.shop)
    assert dest.scheme == "https" and (iss.scheme, iss.netloc) == (dest.scheme, dest.netloc)
    assert claims["aud"] == KEY or (isinstance(claims["aud"], list) and KEY in claims["aud"])


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(["sub", "sid", "jti"]), st.text(max_size=30)),
    secret=st.text(min_size=1, max_size=40),
)
def test_a_token_signed_with_another_secret_is_refused(
    changes: dict[str, Any], secret: str
) -> None:
    assume(secret not in SECRETS)
    token = jwt.encode(_claims(**changes), secret, algorithm="HS256")
    assert isinstance(_verify(token), InvalidSessionToken)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(sorted(_claims())), JSON, min_size=1, max_size=3))
def test_a_valid_tokens_signature_on_other_claims_is_refused(changes: dict[str, Any]) -> None:
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    signature = token.split(".")[2]
    forged_claims = _claims(**changes)
    assume(forged_claims != _claims())
    forged = f"{_segments({'alg': 'HS256', 'typ': 'JWT'}, forged_claims)}.{signature}"
    assert isinstance(_verify(forged), InvalidSessionToken)


@pytest.mark.parametrize("alg", ["none", "HS384", "HS512", "RS256", ""])
def test_a_token_with_another_algorithm_is_refused(alg: str) -> None:
    body = _segments({"alg": alg, "typ": "JWT"}, _claims())
    signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()
    for tail in ("", base64.urlsafe_b64encode(signature).decode().rstrip("=")):
        assert isinstance(_verify(f"{body}.{tail}"), InvalidSessionToken)


def test_the_properties_accept_a_valid_token() -> None:
    """Guards the properties above against refusing everything."""
    verified = _verify(jwt.encode(_claims(), SECRET, algorithm="HS256"))
    assert not isinstance(verified, InvalidSessionToken)
    assert (verified.shop, verified.user_id) == (SHOP, "42")
