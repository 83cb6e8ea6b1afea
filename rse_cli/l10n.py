"""French and English done with Babel (CLDR data): plurals, numbers, percentages and dates.

Templates receive an `L10n` as `t`: `t.n(3, "réponse", "réponses")` -> "3 réponses",
`t.n(0, "réponse", "réponses")` -> "0 réponse" in French (CLDR: 0 is singular there) and
"0 replies" in English, `t.date(d)` -> "13 octobre 2026" / "13 October 2026". One date
format per output: every date a brief, digest or report prints goes through `t.date`.
"""

from __future__ import annotations

from datetime import date as Day
from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def locale_of(lang: str | None) -> Locale:
    return Locale.parse(LOCALES.get((lang or "en")[:2], "en_GB"))


class L10n:
    """Locale-aware formatting for one language ('fr' or 'en')."""

    def __init__(self, lang: str | None) -> None:
        self.lang = (lang or "en")[:2]
        self.locale = locale_of(self.lang)

    def is_one(self, n: float) -> bool:
        """CLDR plural category 'one' for this language (French: 0 and 1; English: 1)."""
        return self.locale.plural_form(abs(n)) == "one"

    def word(self, n: float, one: str, other: str) -> str:
        return one if self.is_one(n) else other

    def n(self, n: float, one: str, other: str) -> str:
        """'3 réponses', '1 réponse', '0 réponse' (fr) / '0 replies' (en): a count and its noun."""
        return f"{self.num(n)} {self.word(n, one, other)}"

    def num(self, x: float | None) -> str:
        if x is None:
            return "–"
        return format_decimal(x, locale=self.locale, decimal_quantization=False, format="#,##0.#")

    def pct(self, x: float | None) -> str:
        """0.42 -> '42 %' (fr, with a narrow no-break space) / '42%' (en)."""
        return "–" if x is None else format_percent(x, locale=self.locale)

    def date(self, d: Day | datetime | str | None) -> str:
        """The one date format of every output: '13 octobre 2026' / '13 October 2026'."""
        if d is None:
            return ""
        if isinstance(d, str):
            d = datetime.fromisoformat(d)
        if isinstance(d, datetime):
            d = d.date()
        return format_date(d, format="long", locale=self.locale)

    def day(self, d: Day | datetime | str) -> str:
        """The same date without the year, for lists inside a dated period: '13 octobre' / '13 October'."""
        if isinstance(d, str):
            d = datetime.fromisoformat(d)
        if isinstance(d, datetime):
            d = d.date()
        return format_date(d, format="d MMMM", locale=self.locale)

    def short(self, d: Day | datetime | str) -> str:
        """Chart axes: '2 sept.' / '2 Sept' (the same day-month order as every other date)."""
        if isinstance(d, str):
            d = datetime.fromisoformat(d)
        if isinstance(d, datetime):
            d = d.date()
        return format_date(d, format="d MMM", locale=self.locale)

    def time(self, d: datetime) -> str:
        return format_time(d, format="short", locale=self.locale)

    def moment(self, d: datetime) -> str:
        """A date and its time, the one form of every moment rse prints: '15 December 2099, 12:00' /
        '15 décembre 2099, 12:00' (the same punctuation in both languages). `d` as it is: the
        caller picks the time zone."""
        return f"{self.date(d)}, {self.time(d)}"

    def weekday(self, index: int) -> str:
        """0 = Monday."""
        return str(self.locale.days["format"]["wide"][index])

    def join(self, items: list[str]) -> str:
        """'A, B et C' / 'A, B and C'."""
        from babel.lists import format_list

        return format_list([str(i) for i in items], locale=self.locale) if items else ""


def context(lang: str | None) -> dict[str, Any]:
    """What templates get for formatting: `t`."""
    return {"t": L10n(lang)}
