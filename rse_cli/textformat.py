"""Markdown in, (plain text, sanitised HTML) out: what a post needs on any network.

Raw HTML in the source is escaped, never passed through, and links are limited to safe
schemes, so the HTML is sanitised by construction rather than by filtering afterwards. Bare URLs are
not turned into links (linkify is off): a link exists only where the Markdown source wrote one,
and values inserted by templates are escaped (templating.markdown_escape), so only the
template's own Markdown makes links.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http://", "https://", "mailto:", "matrix:")


def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # images would be fetched by clients from arbitrary hosts
    default_validate = md.validateLink
    md.validateLink = lambda url: default_validate(url) and url.strip().lower().startswith(SAFE_SCHEMES)  # type: ignore[method-assign]
    return md


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """The Markdown source with its backslash escapes removed: the plain body a reader sees
    without HTML (escaped values read as typed; the template's own `**` stays, as before)."""
    return _ESCAPED.sub(r"\1", text)


def render(text: str) -> tuple[str, str | None]:
    """Return (plain body, HTML or None when the text has no formatting)."""
    text = text.strip("\n")
    html = _renderer().render(text).strip()
    body = plain(text)
    simple = f"<p>{_escape(body)}</p>"
    if html == simple:
        return body, None  # plain text: no formatted_body needed
    return body, html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
