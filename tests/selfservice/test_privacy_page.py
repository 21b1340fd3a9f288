"""GET /privacy serves docs/privacy.md as a plain, script-free page in both languages, and the
policy states what the code does."""

from __future__ import annotations

import re

import pytest

from admin.privacy_page import POLICY, render_markdown
from loyalty.privacy import retention_policy


@pytest.mark.embedded
def test_the_policy_is_public_html_in_norwegian_and_english(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert '<section lang="nb">' in html and '<section lang="en">' in html
    assert '<h2 id="norsk">Norsk</h2>' in html and '<h2 id="english">English</h2>' in html
    assert "<script" not in html
    assert "<li>" in html and "<strong>" in html


def test_the_renderer_escapes_everything_and_allows_only_safe_links():
    html = render_markdown(
        "# T <i>\n\n<script>alert(1)</script> and **bold** `<b>`\n\n"
        "- [ok](https://example.com) [bad](javascript:alert(1))\n"
        '- a "quote" & an <img src=x onerror=alert(1)>\n'
    )
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "<code>&lt;b&gt;</code>" in html
    assert '<a href="https://example.com">ok</a>' in html
    assert "javascript:" not in html.split("bad")[0] and 'href="javascript' not in html
    assert re.search(r"<ul>\s*<li>", html) and html.count("<li>") == 2


def test_the_policy_states_the_periods_the_code_uses():
    text = POLICY.read_text(encoding="utf-8")
    policy = retention_policy.DEFAULT_POLICY
    bounds = retention_policy.BOUNDS
    for phrase in (
        "The periods below are the defaults. The shop can change each one",
        "Tallene under er standardverdiene. Butikken kan endre hver periode",
        *(
            f"({low}\u2013{high} {unit})"  # an en dash, as typeset
            for name, (low, high) in bounds.items()
            for unit in (("days", "dager") if name.endswith("days") else ("months", "måneder"))
        ),
        f"after **{policy.webhook_body_days} days**",
        f"**{policy.export_days} days** after",
        f"for **{policy.inactive_member_months} months**",
        f"The audit log: **{policy.audit_months} months**",
        f"**{policy.webhook_body_days} dager**",
        f"**{policy.inactive_member_months} måneder**",
        "within **30 days**",
        "innen **30 dager**",
        "sets no cookies",
        "setter ingen informasjonskapsler",
    ):
        assert phrase in text, phrase
