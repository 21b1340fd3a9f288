"""The loyalty page at the app proxy's root: ``/proxy`` (Shopify's ``/apps/klubb``).

Answered as ``application/liquid``, so Shopify renders it inside the shop's theme (SHOPIFY.md §6).
It holds the same content as the panel (guest, signed-in non-member, member), server-rendered so
it reads without JavaScript and can be indexed; when the app embed is on, the panel script
replaces it with the interactive views (redeem, join, my data).

- **Language.** The proxy request does not say which storefront language the shopper uses, but
  the Liquid it returns is rendered with ``request.locale``: the page carries both languages in
  one ``{% if %}`` and Shopify picks. Texts are the panel's own dictionaries, read from
  ``klubb-panel.js`` (one source for both).
- **Escaping.** Every text is HTML-escaped, and then *every* ``{`` and ``}`` of the rendered body
  becomes an HTML entity, so no merchant or shopper text can become Liquid (a reward titled
  ``{{ shop.metafields… }}`` shows literally). The few Liquid expressions the page needs are
  put in afterwards, from constants.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from flask import Blueprint, Response, g, render_template

from loyalty.members.storefront import member_summary
from runtime import current_runtime
from widgets.api import proxy_api
from widgets.proxy_auth import no_store, proxy_request
from widgets.ratelimit import rate_limited

bp = Blueprint("widget_page", __name__)
bp.after_request(no_store)
page_api = proxy_api.on(bp, "")
_PAGE_SUMMARY = "The loyalty page, as Liquid for Shopify to render inside the theme"
_PAGE_TEXT = (
    "The program, the rewards and the shopper's balance, in both languages (Shopify picks by "
    "`request.locale`). Through the shop: `/apps/klubb`."
)


PANEL_JS = (
    Path(__file__).resolve().parents[1]
    / "extensions"
    / "klubb-widget"
    / "assets"
    / "klubb-panel.js"
)
_TEXTS = re.compile(r"/\*i18n\*/(.*?)/\*end-i18n\*/", re.S)
_SENTINEL = f"klubb-{secrets.token_hex(8)}-"
LIQUID = {
    "login": "{{ routes.account_login_url }}",
    "register": "{{ routes.account_register_url }}",
}
"""Liquid the page may contain: fixed expressions, put in after the body was escaped."""
LANGUAGE_SWITCH = (
    "{%- assign klubb_lang = request.locale.iso_code | slice: 0, 2 -%}\n"
    '{%- if klubb_lang == "nb" or klubb_lang == "no" or klubb_lang == "nn" -%}\n'
    "{nb}\n{%- else -%}\n{en}\n{%- endif -%}\n"
)


@cache
def panel_texts() -> dict[str, dict[str, str]]:
    """The panel's English and Norwegian dictionaries (the JSON between its i18n markers)."""
    match = _TEXTS.search(PANEL_JS.read_text(encoding="utf-8"))
    assert match is not None, "klubb-panel.js lost its /*i18n*/ markers"
    texts: dict[str, dict[str, str]] = json.loads(match.group(1))
    return texts


class Words:
    """One language's texts and number formats for the page (the panel's, in Python)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.texts = panel_texts()[lang]
        self.locale = Locale.parse(lang)

    def t(self, key: str, **values: Any) -> str:
        return re.sub(
            r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), self.texts[key]
        )

    def num(self, n: int | Decimal) -> str:
        return format_decimal(n, locale=self.locale)

    def pts(self, n: int | Decimal) -> str:
        key = "pt_one" if self.locale.plural_form(n) == "one" else "pt_other"
        return self.t(key, n=self.num(n))

    def money(self, value: str | None, currency: str) -> str:
        amount = Decimal(value or 0)
        pattern = None
        if amount == amount.to_integral_value():
            standard = self.locale.currency_formats["standard"].pattern
            pattern = re.sub(r"\.0+", "", standard)
        return format_currency(
            amount, currency, format=pattern, locale=self.locale, currency_digits=pattern is None
        )

    def percent(self, fraction: Decimal) -> str:
        """``0.1`` → "10%" (en), "10 %" (nb): the locale's own form, decimals kept, as the panel's."""
        return format_percent(fraction, locale=self.locale, decimal_quantization=False)

    def date(self, iso: str) -> str:
        return format_date(datetime.fromisoformat(iso), "medium", locale=self.locale)

    def way_line(self, way: dict[str, Any], member: bool) -> str | None:
        """A way to earn in words, as the panel's ``P.way`` says it (None: not shown)."""
        points = way.get("points")
        pay = (
            self.pts(points)
            if points is not None
            else self.t("off_percent", percent=f"{way.get('discount_percent')} %")
        )
        kind = way.get("kind")
        if kind == "signup":
            if not member and way.get("done"):
                return None  # given once per customer: not promised again
            line = self.t("w_signup", pay=pay) if member else self.t("earn_signup", points=pay)
        elif kind == "birthday":
            line = self.t(
                "w_birthday_day" if way.get("timing") == "day" else "w_birthday_month", pay=pay
            )
        elif way.get("network"):
            line = self.t("w_follow", network=way.get("network_name", ""), pay=pay)
        elif kind == "newsletter":
            line = self.t("w_newsletter", pay=pay)
        else:
            return None
        return f"{line} · ✓ {self.t('done')}" if member and way.get("done") else line

    def reward_line(self, reward: dict[str, Any]) -> str:
        if reward.get("paused"):
            return self.t(f"paused_{reward['paused']}")
        if reward["kind"] == "free_shipping":
            return self.t("free_shipping")
        if reward["kind"] == "free_product":
            return self.t("free_product", product=reward.get("product_title") or reward["title"])
        if reward["kind"] in ("gift_card", "store_credit"):
            money = self.money(reward["value"], reward["currency"])
            return self.t(f"{reward['kind']}_of", money=money)
        if reward["kind"] == "percentage":
            return self.t("off_percent", percent=self.percent(Decimal(reward["value"])))
        return self.t("off_amount", money=self.money(reward["value"], reward["currency"]))

    def stamp_reward(self, reward: dict[str, Any], currency: str) -> str:
        """What a full stamp card gives, as the panel's ``P.stampReward`` says it."""
        if reward["kind"] == "free_product":
            return self.t("stamp_free")
        if reward["kind"] == "fixed_amount":
            return self.t("stamp_amount", money=self.money(reward["amount"], currency))
        return self.t("stamp_percent", percent=self.percent(Decimal(reward["percentage"]) / 100))

    def welcome_notes(self, welcome: dict[str, Any]) -> list[str]:
        """The welcome code's terms, as the panel says them."""
        notes = [self.t("welcome_text", percent=self.percent(Decimal(welcome["percentage"]) / 100))]
        if welcome["ends_at"]:
            notes.append(self.t("welcome_ends", date=self.date(welcome["ends_at"])))
        return notes

    def promise(self, summary: dict[str, Any]) -> str | None:
        """ "Join and get 10 % off": for those who can still get the welcome discount."""
        percent = summary["program"]["welcome_discount_percent"]
        if percent <= 0 or summary["signup_bonus_received"]:
            return None
        return self.t("welcome_promise", percent=self.percent(Decimal(percent) / 100))


def _liquid_safe(html: str) -> str:
    """No Liquid can hide in the body: braces become entities; then the fixed Liquid goes in."""
    html = html.replace("{", "&#123;").replace("}", "&#125;")
    for name, liquid in LIQUID.items():
        html = html.replace(_SENTINEL + name, liquid)
    return html


def render_page(summary: dict[str, Any]) -> str:
    """The page's Liquid: the view for ``summary`` in English and Norwegian."""
    bodies = {}
    for lang in ("en", "nb"):
        words = Words(lang)
        program = summary["program"]
        balance = summary["points_balance"]
        rewards = summary["rewards"]
        upcoming = [r for r in rewards if balance is not None and r["points_cost"] > balance]
        earn = []
        if program["earn_rate"] and Decimal(program["earn_rate"]) > 0:
            earn.append(
                words.t(
                    "earn_rate",
                    points=words.pts(Decimal(program["earn_rate"])),
                    money=words.money("1", program["currency"]),
                )
            )
        for way in summary.get("ways_to_earn", []):
            line = words.way_line(way, bool(summary["member"]))
            if line:
                earn.append(line)
        welcome = summary["welcome_code"]
        html = render_template(
            "proxy/loyalty_page.html",
            w=words,
            summary=summary,
            welcome=welcome if welcome and welcome["state"] == "issued" else None,
            balance=balance,
            rewards=rewards,
            upcoming=upcoming[0] if upcoming else None,
            earn=earn,
            look=program.get("appearance"),
            liquid={name: _SENTINEL + name for name in LIQUID},
        )
        bodies[lang] = _liquid_safe(html)
    return LANGUAGE_SWITCH.replace("{nb}", bodies["nb"]).replace("{en}", bodies["en"])


@page_api.route(
    "/proxy",
    "GET",
    summary=_PAGE_SUMMARY,
    response=None,
    media_types=("application/liquid",),
    description=_PAGE_TEXT,
)
@page_api.route(
    "/proxy/",
    "GET",
    summary=_PAGE_SUMMARY,
    response=None,
    media_types=("application/liquid",),
    description=_PAGE_TEXT,
    operation_id="loyalty_page_slash",
)
@proxy_request
@rate_limited
def loyalty_page() -> Response:
    """The loyalty page, for Shopify to render inside the theme."""
    shopper = g.shopper
    summary = member_summary(current_runtime().sessions, shopper.shop_id, shopper.customer_id)
    response = Response(render_page(summary), content_type="application/liquid")
    return response
