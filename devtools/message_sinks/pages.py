"""The sinks' pages: what would have been sent, newest first (every value escaped)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .smtp import SinkEmail
from .twilio import FakeSms

_STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
nav a{margin-right:1rem} table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;margin:0;font:inherit} .muted{color:#666}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<style>{_STYLE}</style></head><body><nav><a href="/sms">SMS</a>'
        f'<a href="/email">Email</a></nav><h1>{escape(title)}</h1>{body}</body></html>'
    )


def sms_page(messages: Iterable[FakeSms]) -> str:
    """Every SMS the fake Twilio took, with the status callbacks it posted."""
    rows = []
    for sms in sorted(messages, key=lambda m: m.created_at, reverse=True):
        reports = ", ".join(
            f"{escape(c['status'])}{' ' + escape(c['error_code']) if c['error_code'] else ''}"
            f" → {c['answer']}"
            for c in sms.callbacks
        )
        rows.append(
            f"<tr><td>{escape(sms.created_at.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
            f"<td>{escape(sms.sender)}</td><td>{escape(sms.to)}</td>"
            f"<td><pre>{escape(sms.body)}</pre></td><td>{escape(sms.status)}"
            f'<div class="muted">{reports}</div></td></tr>'
        )
    table = (
        "<table><tr><th>Sent (UTC)</th><th>From</th><th>To</th><th>Text</th><th>Status</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else '<p class="muted">Nothing sent yet.</p>'
    )
    return _page("SMS sink (fake Twilio)", table)


def email_page(messages: Iterable[SinkEmail]) -> str:
    """Every email the SMTP sink took: headers, the text part (the HTML part's source)."""
    items = []
    for mail in sorted(messages, key=lambda m: m.received_at, reverse=True):
        unsubscribe = mail.message["List-Unsubscribe"]
        html = mail.part("html")
        items.append(
            "<article><h2>"
            + escape(mail.subject)
            + '</h2><p class="muted">'
            + escape(f"{mail.received_at:%Y-%m-%d %H:%M:%S} UTC · from {mail.message['From']}")
            + escape(f" · to {', '.join(mail.rcpt_tos)}")
            + (escape(f" · List-Unsubscribe {unsubscribe}") if unsubscribe else "")
            + f"</p><pre>{escape(mail.part('plain') or '')}</pre>"
            + (
                f"<details><summary>HTML</summary><pre>{escape(html)}</pre></details>"
                if html
                else ""
            )
            + "</article>"
        )
    return _page("Email sink (SMTP)", "".join(items) or '<p class="muted">Nothing sent yet.</p>')
