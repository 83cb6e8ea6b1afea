"""Time and rooms for the stories: a French office calendar, and a log of one room's events.

Timestamps are milliseconds since the epoch, computed in Europe/Paris local time so that
posts land on weekdays in office hours (and around lunch for the sports club), with
daylight saving handled. Nothing is ever planned in the last ten minutes before the anchor,
so every event is in the past when it is sent.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from rse_cli.sandbox.plan import Membership, Message, PlannedEvent, Reaction

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}  # fixed-date French holidays
OPEN, CLOSE = 8.5, 18.5  # office hours, local time

# (start hour, weight): when people post during a working day
OFFICE_SLOTS = ((8.5, 1), (9, 3), (10, 3), (11, 2), (12, 0.7), (13, 1), (14, 2.5), (15, 3), (16, 2), (17, 1.5), (18, 0.4))
LUNCH_SLOTS = ((8.5, 0.5), (10, 0.5), (12, 4), (13, 1.5), (17, 1.5), (18, 1))


def _paris() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except Exception:  # no tz database (some Windows installs): winter time all year is close enough
        return timezone(timedelta(hours=1))


PARIS = _paris()


class Calendar:
    """The working days of the window [anchor - days, anchor) and office-hour timestamps."""

    def __init__(self, anchor: datetime, days: int) -> None:
        self.end = int(anchor.timestamp() * 1000) - 10 * MINUTE
        today = anchor.astimezone(PARIS).date()
        self.today = today
        self.first_day = today - timedelta(days=days)
        self.start = self.ms(self.first_day, 0)
        self.workdays = [d for d in (self.first_day + timedelta(days=i) for i in range(days)) if self.is_workday(d)]

    @staticmethod
    def is_workday(day: date) -> bool:
        return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS

    def ms(self, day: date, hour: float) -> int:
        h, m = int(hour), int(round((hour - int(hour)) * 60))
        local = datetime.combine(day, time(min(h, 23), min(m, 59)), tzinfo=PARIS)
        return int(local.timestamp() * 1000)

    def day_of(self, ts: int) -> date:
        return datetime.fromtimestamp(ts / 1000, tz=UTC).astimezone(PARIS).date()

    def ago(self, days: float) -> int:
        return self.end - int(days * DAY)

    def at(self, rng: random.Random, day: date, slots: Sequence[tuple[float, float]] = OFFICE_SLOTS) -> int:
        start = rng.choices([s for s, _ in slots], weights=[w for _, w in slots], k=1)[0]
        return self.ms(day, start) + rng.randrange(0, HOUR) + rng.randrange(0, 1000)

    def workdays_between(self, lo: int, hi: int) -> list[date]:
        return [d for d in self.workdays if lo <= self.ms(d, 12) < hi]

    def office(self, rng: random.Random, ts: int) -> int:
        """`ts` if it falls in office hours, else the next working morning (8:30–10:00)."""
        local = datetime.fromtimestamp(ts / 1000, tz=UTC).astimezone(PARIS)
        hour = local.hour + local.minute / 60
        day = local.date()
        if self.is_workday(day) and OPEN <= hour < CLOSE:
            return ts
        if not (self.is_workday(day) and hour < OPEN):
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
        return self.ms(day, OPEN) + rng.randrange(0, 90 * MINUTE)

    def later(self, rng: random.Random, ts: int, minutes: tuple[float, float], *, office_hours: bool = True) -> int:
        nxt = ts + int(rng.uniform(*minutes) * MINUTE) + rng.randrange(1000, 60_000)
        if office_hours:
            return self.office(rng, nxt)
        # eager people answer in the evening, not in the night: after 22:00 it waits for the morning
        local = datetime.fromtimestamp(nxt / 1000, tz=UTC).astimezone(PARIS)
        return nxt if 7 <= local.hour < 22 else self.office(rng, nxt)


@dataclass
class RoomLog:
    """The events planned in one room (or Space), with who is in it and when they came."""

    key: str
    events: list[PlannedEvent] = field(default_factory=list)
    joined: dict[str, int] = field(default_factory=dict)  # user id -> join ts
    _n: int = 0
    _reacted: set[tuple[str, str, str]] = field(default_factory=set)

    def _key(self, prefix: str) -> str:
        self._n += 1
        return f"{self.key}:{prefix}{self._n:04d}"

    def invite(self, inviter: str, target: str, ts: int) -> None:
        self.events.append(Membership(f"{self.key}:invite:{target}", self.key, inviter, ts, target, "invite"))

    def join(self, user: str, ts: int) -> None:
        if user in self.joined:
            return
        self.joined[user] = ts
        self.events.append(Membership(f"{self.key}:join:{user}", self.key, user, ts, user, "join"))

    def members_at(self, ts: int, exclude: Sequence[str] = ()) -> list[str]:
        return [u for u, at in self.joined.items() if at < ts and u not in exclude]

    def say(
        self,
        sender: str,
        ts: int,
        body: str,
        *,
        reply_to: Message | None = None,
        thread_root: Message | None = None,
        mentions: tuple[str, ...] = (),
    ) -> Message:
        if reply_to is not None and not mentions and reply_to.sender != sender:
            mentions = (reply_to.sender,)  # clients mention the author of the message answered
        msg = Message(
            self._key("m"),
            self.key,
            sender,
            ts,
            body,
            reply_to=reply_to.key if reply_to else None,
            thread_root=thread_root.key if thread_root else None,
            mentions=mentions,
        )
        self.events.append(msg)
        return msg

    def react(self, sender: str, ts: int, target: Message, emoji: str) -> bool:
        """Plan a reaction; a second identical one is refused by Matrix, so it is skipped here."""
        if sender == target.sender or (sender, target.key, emoji) in self._reacted:
            return False
        self._reacted.add((sender, target.key, emoji))
        self.events.append(Reaction(self._key("r"), self.key, sender, ts, target.key, emoji))
        return True

    def ordered(self) -> list[PlannedEvent]:
        """Oldest first; ties keep the order of planning (a reply never precedes its parent)."""
        return sorted(self.events, key=lambda e: e.ts)


def pick(rng: random.Random, candidates: Sequence[str], weights: dict[str, float], k: int = 1) -> list[str]:
    """Up to `k` distinct people drawn by weight; people of weight 0 are never drawn."""
    pool = [(c, weights.get(c, 0.0)) for c in candidates]
    pool = [(c, w) for c, w in pool if w > 0]
    chosen: list[str] = []
    while pool and len(chosen) < k:
        who = rng.choices([c for c, _ in pool], weights=[w for _, w in pool], k=1)[0]
        chosen.append(who)
        pool = [(c, w) for c, w in pool if c != who]
    return chosen


def count(rng: random.Random, rate: float) -> int:
    """A small random count around `rate` (jittered, never negative)."""
    value = rate * rng.uniform(0.4, 1.6)
    return int(value) + (1 if rng.random() < value - int(value) else 0)
