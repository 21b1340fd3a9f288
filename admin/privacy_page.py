"""``GET /privacy``: the app's public privacy policy, ``docs/privacy.md`` rendered as HTML.

One source for the repository and the App Store listing's privacy-policy URL. The renderer is
a deliberately small Markdown subset (headings, paragraphs, lists, ``code``, ``**bold**``,
links to http(s)/mailto/relative targets) over text escaped first, so nothing in the file can
inject markup; ``<!-- lang: nb -->`` lines open a ``<section lang="nb">`` so screen readers
switch language between the Norwegian and English halves.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Blueprint, Response, url_for
from markupsafe import escape

from loyalty.core.config import ROOT

bp = Blueprint("privacy_page", __name__)

POLICY = ROOT / "docs" / "privacy.md"
CSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+(.*)$")
_LANG = re.compile(r"^<!--\s*lang:\s*([a-z]{2}(?:-[A-Za-z]{2})?)\s*-->$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_URL = re.compile(r"^(https?:|mailto:|/|#)")


@bp.get("/privacy")
def privacy_policy() -> Response:
    """The privacy policy as a plain, script-free HTML page."""
    body = render_markdown(POLICY.read_text(encoding="utf-8"))
    css = url_for("pages.static", filename="public.css")
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Klubb: personvern / privacy</title>\n"
        f'<link rel="stylesheet" href="{escape(css)}">\n</head>\n'
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def render_markdown(text: str) -> str:
    """HTML for the Markdown subset this module describes; all text is escaped."""
    return _render(text)


@lru_cache(maxsize=4)
def _render(text: str) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    items: list[str] = []
    in_section = False

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if list_tag:
            lis = "".join(f"<li>{_inline(item)}</li>" for item in items)
            out.append(f"<{list_tag}>{lis}</{list_tag}>")
            items.clear()
            list_tag = None

    for raw in text.splitlines():
        line = raw.strip()
        if lang := _LANG.match(line):
            flush()
            if in_section:
                out.append("</section>")
            out.append(f'<section lang="{escape(lang.group(1))}">')
            in_section = True
            continue
        if not line or line.startswith("<!--"):
            flush()
            continue
        if heading := _HEADING.match(line):
            flush()
            level, title = len(heading.group(1)), heading.group(2)
            out.append(f'<h{level} id="{_slug(title)}">{_inline(title)}</h{level}>')
            continue
        bullet = _BULLET.match(line)
        numbered = None if bullet else _NUMBERED.match(line)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append((bullet or numbered).group(1))  # type: ignore[union-attr]
            continue
        if list_tag and raw[:1] == " ":
            items[-1] += " " + line  # a wrapped list item
            continue
        if list_tag:
            flush()
        paragraph.append(line)
    flush()
    if in_section:
        out.append("</section>")
    return "\n".join(out) + "\n"


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _LINK.sub(_link, html)


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    if not _SAFE_URL.match(url):
        return label
    return f'<a href="{url}">{label}</a>'


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")
    return str(escape(slug)) or "section"
