"""Schedules: one-off (`--at`), simple (`--every "MON 09:00"`) and 5-field cron expressions,
evaluated in a named time zone.

Times are wall-clock times of that zone: a 09:00 Europe/Paris ritual stays at 09:00 local on
both sides of a daylight-saving change. Two local times need a decision, taken deliberately:
- a time that does not exist (spring forward, 02:30 on the last Sunday of March in Paris)
  runs once, as many minutes after the jump as it was after the last valid minute
  (02:30 becomes 03:30 CEST), like cronie; when that instant is also a regular occurrence
  (an hourly 03:30), it runs only once;
- a time that happens twice (fall back, 02:30 on the last Sunday of October) runs once, at
  its first occurrence (summer time).
Occurrences are UTC instants; their ISO form is the occurrence's identity (exactly-once key).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rse_cli.errors import UsageError
from rse_cli.i18n import N_, _

__all__ = ["Cron", "Schedule", "every_to_cron", "is_nonexistent", "parse_duration", "resolve_local", "zone"]

DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_FRENCH_DAYS = {"LUN": "MON", "MAR": "TUE", "MER": "WED", "JEU": "THU", "VEN": "FRI", "SAM": "SAT", "DIM": "SUN"}
_FIELDS = [  # name (shown with _()), low, high, names (index 0 = low)
    (N_("the minute field"), 0, 59, None),
    (N_("the hour field"), 0, 23, None),
    (N_("the day-of-month field"), 1, 31, None),
    (N_("the month field"), 1, 12, MONTHS),
    (N_("the day-of-week field"), 0, 7, DAYS),
]
_SEARCH_DAYS = 366 * 8 + 2  # enough to find "29 FEB" even across a century gap year


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            _("--tz {name}: unknown time zone").format(name=name), hint=_("an IANA name such as Europe/Paris or UTC")
        ) from None


def _value(token: str, field: int, expr: str) -> int:
    name, low, high, names = _FIELDS[field]
    up = token.upper()
    if names and up in names:
        return names.index(up) + (1 if names is MONTHS else 0)
    if not token.isdigit():
        if names:
            raise UsageError(
                _('cron "{expr}": {field}: "{token}" is not a number or a name ({first}..{last})').format(
                    expr=expr, field=_(name), token=token, first=names[0], last=names[-1]
                )
            )
        raise UsageError(_('cron "{expr}": {field}: "{token}" is not a number').format(expr=expr, field=_(name), token=token))
    v = int(token)
    if not low <= v <= high:
        raise UsageError(
            _('cron "{expr}": {field}: {value} is outside {low}-{high}').format(
                expr=expr, field=_(name), value=v, low=low, high=high
            )
        )
    return v


def _field(text: str, field: int, expr: str) -> frozenset[int]:
    """The set of values of one field."""
    name, low, high, _names = _FIELDS[field]
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise UsageError(_('cron "{expr}": {field}: empty item in list').format(expr=expr, field=_(name)))
        rng, _sep, step_s = part.partition("/")
        step = 1
        if step_s:
            if not step_s.isdigit() or int(step_s) == 0:
                raise UsageError(
                    _('cron "{expr}": {field}: step "{step}" must be a positive number').format(
                        expr=expr, field=_(name), step=step_s
                    )
                )
            step = int(step_s)
        if rng == "*":
            a, b = low, high
        elif "-" in rng:
            a_s, b_s = rng.split("-", 1)
            a, b = _value(a_s, field, expr), _value(b_s, field, expr)
            if a > b:
                raise UsageError(
                    _('cron "{expr}": {field}: range {range} goes backwards').format(expr=expr, field=_(name), range=rng)
                )
        else:
            a = _value(rng, field, expr)
            b = high if step_s else a
        values.update(range(a, b + 1, step))
    if field == 4 and 7 in values:  # 7 is Sunday too
        values.discard(7)
        values.add(0)
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    expr: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, expr: str) -> Cron:
        parts = expr.split()
        if len(parts) != 5:
            raise UsageError(
                _('cron "{expr}": expected 5 fields (minute hour day-of-month month day-of-week), got {count}').format(
                    expr=expr, count=len(parts)
                ),
                hint=_('e.g. "0 16 * * FRI" for Fridays at 16:00'),
            )
        fields = [_field(p, i, expr) for i, p in enumerate(parts)]
        # as in Vixie cron, a day field starting with '*' ("*", "*/2") does not restrict
        minutes, hours, days, months, weekdays = fields
        return cls(expr, minutes, hours, days, months, weekdays, not parts[2].startswith("*"), not parts[4].startswith("*"))

    def matches_day(self, d: date) -> bool:
        if d.month not in self.months:
            return False
        dom = d.day in self.days
        dow = (d.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return dom or dow  # classic cron: either restricted field matches
        return dom and dow

    def times(self) -> list[time]:
        return [time(h, m) for h in sorted(self.hours) for m in sorted(self.minutes)]


def every_to_cron(text: str) -> str:
    """`MON 09:00`, `MON,THU 09:30`, `DAILY 08:00`, `WEEKDAYS 09:00`, `LUN 9h` -> a cron expression."""
    m = re.fullmatch(r"\s*([A-Za-z,\-]+)\s+(\d{1,2})(?:[:hH](\d{2})?)?\s*", text)
    if not m:
        raise UsageError(
            _('--every "{text}": expected DAY HH:MM, e.g. "MON 09:00", "MON,THU 09:30" or "DAILY 08:00"').format(text=text)
        )
    days, hour, minute = m.group(1).upper(), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59:
        raise UsageError(_('--every "{text}": {time} is not a time of day').format(text=text, time=f"{hour:02d}:{minute:02d}"))
    if days in {"DAILY", "DAY", "EVERYDAY", "TOUS-LES-JOURS"}:
        dow = "*"
    elif days in {"WEEKDAYS", "WORKDAYS", "SEMAINE"}:
        dow = "MON-FRI"
    else:
        items = []
        for item in days.split(","):
            ends = [_FRENCH_DAYS.get(x, x) for x in item.split("-")]
            if any(e not in DAYS for e in ends):
                raise UsageError(
                    _('--every "{text}": "{item}" is not a day (MON..SUN, or DAILY, WEEKDAYS)').format(text=text, item=item)
                )
            items.append("-".join(ends))
        dow = ",".join(items)
    return f"{minute} {hour} * * {dow}"


def resolve_local(naive: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time, with the documented gap/overlap policy."""
    first = naive.replace(tzinfo=tz, fold=0)
    # fold=0 gives the earlier of two ambiguous instants, and for a nonexistent time the
    # offset in force before the jump: 02:30 CET -> 01:30 UTC = 03:30 CEST (shifted forward).
    return first.astimezone(UTC)


def is_nonexistent(naive: datetime, tz: ZoneInfo) -> bool:
    back = resolve_local(naive, tz).astimezone(tz).replace(tzinfo=None)
    return back != naive


@dataclass(frozen=True)
class Schedule:
    kind: str  # "at" | "every" | "cron"
    expr: str  # as the user wrote it
    tz: str

    @classmethod
    def build(cls, *, at: str | None = None, every: str | None = None, cron: str | None = None, tz: str = "UTC") -> Schedule:
        given = [x for x in (at, every, cron) if x]
        if len(given) != 1:
            raise UsageError(
                _("give exactly one of --at, --every or --cron"),
                hint=_('e.g. --every "MON 09:00", --cron "0 16 * * FRI" or --at 2026-12-15T12:00'),
            )
        zone(tz)
        s = cls("at" if at else "every" if every else "cron", given[0].strip(), tz)
        s.cron  # noqa: B018 - validate now, not at the first run
        if at:
            s.at_instant  # noqa: B018 - validate now
        return s

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    @property
    def cron(self) -> Cron | None:
        if self.kind == "at":
            return None
        return Cron.parse(every_to_cron(self.expr) if self.kind == "every" else self.expr)

    @property
    def at_instant(self) -> datetime:
        try:
            naive = datetime.fromisoformat(self.expr)
        except ValueError:
            raise UsageError(
                _('--at "{text}": expected a date and time such as 2026-12-15T12:00').format(text=self.expr)
            ) from None
        try:
            if naive.tzinfo is not None:
                return naive.astimezone(UTC)
            return resolve_local(naive, self.zone)
        except OverflowError:  # reliability: year 9999 or 0001 shifted out of range by the zone
            raise UsageError(_('--at "{text}": the date is out of range').format(text=self.expr)) from None

    def describe(self) -> str:
        """The stable, untranslated form for --json: `every MON 09:00 (Europe/Paris)`."""
        return {"at": f"once at {self.expr}", "every": f"every {self.expr}", "cron": f"cron {self.expr}"}[
            self.kind
        ] + f" ({self.tz})"

    def label(self, lang: str | None) -> str:
        """For a reader, in `lang`: "every Monday and Thursday at 09:30", "chaque jour à 08:00",
        "une fois : 15 décembre 2099, 12:00"; a cron expression is shown as written."""
        from rse_cli.l10n import L10n

        t = L10n(lang)
        if self.kind == "at":
            local = self.at_instant.astimezone(self.zone)
            return _("once: {when}").format(when=t.moment(local))  # as every other date of rse animate
        cron = self.cron
        assert cron is not None
        if self.kind == "cron" or len(cron.times()) != 1 or cron.days_restricted or len(cron.months) != 12:
            return _("cron {expr} ({tz})").format(expr=self.expr, tz=self.tz)
        at = t.time(datetime.combine(date(2026, 1, 5), cron.times()[0]))
        days = sorted(cron.weekdays, key=lambda d: (d + 6) % 7)  # Monday first
        if len(days) == 7:
            when = _("every day at {time}").format(time=at)
        elif days == [1, 2, 3, 4, 5]:
            when = _("Monday to Friday at {time}").format(time=at)
        else:
            when = _("every {days} at {time}").format(days=t.join([t.weekday((d + 6) % 7) for d in days]), time=at)
        return f"{when} ({self.tz})"

    def occurrences(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """UTC instants in [start, end), in order."""
        if self.kind == "at":
            t = self.at_instant
            if start <= t < end:
                yield t
            return
        cron = self.cron
        assert cron is not None
        tz = self.zone
        day = start.astimezone(tz).date() - timedelta(days=1)  # a gap shift can move an instant past midnight
        last = end.astimezone(tz).date()
        seen: set[datetime] = set()
        times = cron.times()
        while day <= last:
            if cron.matches_day(day):
                for t in sorted({resolve_local(datetime.combine(day, tm), tz) for tm in times}):
                    if start <= t < end and t not in seen:
                        seen.add(t)
                        yield t
            day += timedelta(days=1)

    def next_after(self, after: datetime) -> datetime | None:
        """The first occurrence strictly after `after`, or None (a past one-off, an impossible date)."""
        if self.kind == "at":
            t = self.at_instant
            return t if t > after else None
        start = after + timedelta(microseconds=1)
        window = timedelta(days=31)
        for i in range(_SEARCH_DAYS // 31 + 1):
            for t in self.occurrences(start + i * window, start + (i + 1) * window):
                return t
        return None


_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_EXAMPLES = {"m": "90m", "h": "36h", "d": "14d", "w": "2w"}


def parse_duration(text: str, *, units: str = "mhdw", bare: str | None = None, what: str = "") -> timedelta:
    """`14d`, `36h`, `90m`, `2w` -> timedelta: the one duration syntax of every option.

    `units` narrows the accepted units (an audit window is days or weeks), `bare` is the unit of a
    plain number (`--window 30`), `what` names the option in the error message."""
    m = re.fullmatch(r"\s*(\d+)\s*([a-z]?)\s*", (text or "").lower())
    unit = (m.group(2) or bare or "") if m else ""
    if m is None or not unit or unit not in units or int(m.group(1)) < 1:
        *most, last = [_EXAMPLES[u] for u in units]
        from babel.lists import format_list

        from rse_cli.i18n import current
        from rse_cli.l10n import locale_of

        examples = format_list([*most, last], style="or", locale=locale_of(current()))
        raise UsageError(
            _('{option}"{text}": expected a duration such as {examples}').format(
                option=what + " " if what else "", text=text, examples=examples
            )
        )
    try:
        return int(m.group(1)) * _UNITS[unit]
    except OverflowError:  # reliability: more than 2.7 million years is a typo, not a crash
        raise UsageError(
            _('{option}"{text}": too long a duration').format(option=what + " " if what else "", text=text)
        ) from None
