"""“Did you mean …?” for a name the user typed: the closest known names (difflib), in their language."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from rse_cli.i18n import _

__all__ = ["close_matches", "did_you_mean"]


def close_matches(word: str, candidates: Iterable[str], *, n: int = 3) -> list[str]:
    """The candidates closest to `word`, best first (case-insensitive), none when nothing is close."""
    names = list(dict.fromkeys(c for c in candidates if c))
    lowered: dict[str, str] = {}
    for c in names:
        lowered.setdefault(c.casefold(), c)
    return [lowered[m] for m in difflib.get_close_matches(word.casefold(), list(lowered), n=n, cutoff=0.6)]


def did_you_mean(word: str, candidates: Iterable[str], *, n: int = 3) -> str | None:
    """`did you mean “x”?` for the closest candidates, or None when none is close."""
    close = close_matches(word, candidates, n=n)
    if not close:
        return None
    quoted = [_("“{word}”").format(word=w) for w in close]
    listed = quoted[0] if len(quoted) == 1 else _("{first} or {last}").format(first=", ".join(quoted[:-1]), last=quoted[-1])
    return _("did you mean {candidates}?").format(candidates=listed)
