"""``GET /privacy``: the app's public privacy policy, ``docs/privacy.md`` rendered as HTML.

One source for the repository and the App Store listing's privacy-policy URL. It is rendered by
markdown-it-py (CommonMark) with raw HTML off, so anything HTML-like in the file is shown as
text, and links only to http(s)/mailto/relative targets; ``<!-- lang: nb -->`` lines open a
``<section lang="nb">`` so screen readers switch language between the Norwegian and English
halves (other comment lines are dropped).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, url_for
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import escape

from loyalty.core.config import ROOT

bp = Blueprint("privacy_page", __name__)

POLICY = ROOT / "docs" / "privacy.md"
CSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"

_LANG = re.compile(r"^<!--\s*lang:\s*([a-z]{2}(?:-[A-Za-z]{2})?)\s*-->$")
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
    """HTML for the policy's Markdown (CommonMark, raw HTML escaped, safe links only)."""
    return _render(text)


@lru_cache(maxsize=4)
def _render(text: str) -> str:
    out: list[str] = []
    chunk: list[str] = []
    in_section = False
    for line in text.splitlines():
        lang = _LANG.match(line.strip())
        if lang or line.strip().startswith("<!--"):
            out.append(_MARKDOWN.render("\n".join(chunk)))
            chunk.clear()
            if lang:
                if in_section:
                    out.append("</section>\n")
                out.append(f'<section lang="{escape(lang.group(1))}">\n')
                in_section = True
            continue
        chunk.append(line)
    out.append(_MARKDOWN.render("\n".join(chunk)))
    if in_section:
        out.append("</section>\n")
    return "".join(out)


def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML off (escaped as text), links limited to :data:`_SAFE_URL`, and
    headings given an ``id`` from their text (links within the page)."""
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: bool(_SAFE_URL.match(url))  # type: ignore[method-assign]

    def heading_open(
        renderer: RendererHTML, tokens: list[Token], index: int, options: Any, env: Any
    ) -> str:
        tokens[index].attrSet("id", _slug(tokens[index + 1].content))
        return str(renderer.renderToken(tokens, index, options, env))

    md.add_render_rule("heading_open", heading_open)
    return md


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")
    return slug or "section"


_MARKDOWN = _markdown()
