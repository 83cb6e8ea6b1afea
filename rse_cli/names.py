"""Network-neutral text helpers for names and excerpts (no network's id syntax here)."""

from __future__ import annotations

import difflib
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
    if " " in cut[n // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def close_matches(typed: str, candidates: list[str], n: int = 3) -> list[str]:
    """The candidates closest to what was typed, best first, for a "did you mean" hint
    (compared casefolded and without accents, shown as given)."""
    by_key: dict[str, str] = {}
    for c in candidates:
        by_key.setdefault(slug(c) or c.casefold(), c)
    found = difflib.get_close_matches(slug(typed) or typed.casefold(), list(by_key), n=n, cutoff=0.6)
    return [by_key[k] for k in found]
