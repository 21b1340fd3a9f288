"""Every 405 carries ``Allow`` (RFC 9110 §15.5.6), the JSON answers of /api, /proxy and /webhooks too."""

from __future__ import annotations

import pytest

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def concrete_path(rule: str) -> str:
    """A URL the rule matches: each ``<converter:name>`` filled with a plain value."""
    import re

    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule)


def allowed(app, path: str) -> set[str]:
    """The methods of every rule that matches ``path`` (a path may be served by several rules)."""
    adapter = app.url_map.bind("localhost")
    return set(adapter.allowed_methods(path))


@pytest.mark.embedded
def test_every_method_a_route_does_not_take_is_a_405_with_allow(app, client):
    """Each rule, each method it lacks: 405, ``Allow`` naming exactly what the path takes."""
    checked = 0
    for rule in app.url_map.iter_rules():
        path = concrete_path(rule.rule)
        takes = allowed(app, path)
        for method in sorted(METHODS - takes):
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, rule.rule)
            header = response.headers.get("Allow")
            assert header is not None, (method, rule.rule)
            assert {m.strip() for m in header.split(",")} == takes, (method, rule.rule)
            checked += 1
    assert checked > 100


@pytest.mark.embedded
def test_a_json_405_keeps_the_error_shape(client):
    response = client.delete("/api/settings")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PUT"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"
