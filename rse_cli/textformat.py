"""Markdown in, (plain text, sanitised HTML) out: what a post needs on any network.

Raw HTML in the source is escaped, never passed through, and links are limited to safe
schemes, so the HTML is sanitised by construction rather than by filtering afterwards.
"""

from __future__ import annotations

SAFE_SCHEMES = ("http://", "https://", "mailto:", "matrix:")


def _renderer():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # images would be fetched by clients from arbitrary hosts
    default_validate = md.validateLink
    md.validateLink = lambda url: default_validate(url) and url.strip().lower().startswith(SAFE_SCHEMES)
    return md


def render(text: str) -> tuple[str, str | None]:
    """Return (plain body, HTML or None when the text has no formatting)."""
    text = text.strip("\n")
    html = _renderer().render(text).strip()
    simple = f"<p>{_escape(text)}</p>"
    if html == simple:
        return text, None  # plain text: no formatted_body needed
    return text, html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

