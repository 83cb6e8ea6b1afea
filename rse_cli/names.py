"""Network-neutral text helpers for names and excerpts (no network's id syntax here)."""

from __future__ import annotations

import unicodedata


def slug(text: str) -> str:
    """'Général & Co' -> 'general-co': how rse compares names typed in a terminal."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out: list[str] = []
    dash = False
    for ch in plain:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def excerpt(text: str | None, n: int = 140) -> str:
    """One line of at most `n` characters, cut on a word with an ellipsis: how posts are quoted."""
    flat = " ".join((text or "").split())
    if len(flat) <= n:
        return flat
    cut = flat[: n - 1]
    if " " in cut[n // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"
