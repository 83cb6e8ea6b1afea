"""Schedules: cron parsing, simple --every, one-off --at, daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rse_cli.errors import UsageError
from rse_cli.services.schedule import Cron, Schedule, every_to_cron, parse_duration

PARIS = ZoneInfo("Europe/Paris")


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def local(instants) -> list[str]:
    return [t.astimezone(PARIS).strftime("%a %Y-%m-%d %H:%M %Z") for t in instants]


def test_cron_fields_names_ranges_steps_lists():
    c = Cron.parse("*/15 9-17/4 * JAN,jul-AUG mon-fri")
    assert c.minutes == {0, 15, 30, 45}
    assert c.hours == {9, 13, 17}
    assert c.months == {1, 7, 8}
    assert c.weekdays == {1, 2, 3, 4, 5}
    assert Cron.parse("0 0 * * 7").weekdays == {0} == Cron.parse("0 0 * * SUN").weekdays
    assert Cron.parse("5/20 * * * *").minutes == {5, 25, 45}


@pytest.mark.parametrize(
    "bad, words",
    [
        ("0 16 * *", "5 fields"),
        ("61 * * * *", "outside 0-59"),
        ("0 16 * * FRY", "not a number or a name"),
        ("0 16 * * 5-1", "backwards"),
        ("*/0 * * * *", "positive"),
    ],
)
def test_cron_errors_say_which_field(bad, words):
    with pytest.raises(UsageError, match=words):
        Cron.parse(bad)


def test_day_of_month_or_day_of_week_like_cron():
    s = Schedule.build(cron="0 12 1 * MON", tz="UTC")
    days = [t.day for t in s.occurrences(utc(2026, 6, 1), utc(2026, 7, 1))]
    assert days == [1, 8, 15, 22, 29]  # the 1st (a Monday) and every Monday


def test_every_is_sugar_for_cron():
    assert every_to_cron("MON 09:00") == "0 9 * * MON"
    assert every_to_cron("mon,thu 9h30") == "30 9 * * MON,THU"
    assert every_to_cron("DAILY 08:00") == "0 8 * * *"
    assert every_to_cron("LUN 09:00") == "0 9 * * MON"
    with pytest.raises(UsageError, match="not a day"):
        every_to_cron("FUNDAY 09:00")


def test_weekly_ritual_stays_at_nine_local_across_both_dst_changes():
    s = Schedule.build(every="SUN 09:00", tz="Europe/Paris")
    spring = list(s.occurrences(utc(2026, 3, 20), utc(2026, 4, 6)))
    assert local(spring) == ["Sun 2026-03-22 09:00 CET", "Sun 2026-03-29 09:00 CEST", "Sun 2026-04-05 09:00 CEST"]
    assert [t.hour for t in spring] == [8, 7, 7]  # the UTC instant moves, the wall clock does not
    autumn = list(s.occurrences(utc(2026, 10, 18), utc(2026, 11, 2)))
    assert local(autumn) == ["Sun 2026-10-18 09:00 CEST", "Sun 2026-10-25 09:00 CET", "Sun 2026-11-01 09:00 CET"]
    assert [t.hour for t in autumn] == [7, 8, 8]


def test_nonexistent_local_time_runs_once_just_after_the_jump():
    daily = Schedule.build(cron="30 2 * * *", tz="Europe/Paris")
    got = local(daily.occurrences(utc(2026, 3, 28), utc(2026, 3, 31)))
    assert got == ["Sat 2026-03-28 02:30 CET", "Sun 2026-03-29 03:30 CEST", "Mon 2026-03-30 02:30 CEST"]
    # an hourly schedule does not post twice at 03:30 CEST
    hourly = Schedule.build(cron="30 * * * *", tz="Europe/Paris")
    that_night = list(hourly.occurrences(utc(2026, 3, 29, 0), utc(2026, 3, 29, 3)))
    assert local(that_night) == ["Sun 2026-03-29 01:30 CET", "Sun 2026-03-29 03:30 CEST", "Sun 2026-03-29 04:30 CEST"]
    assert len(set(that_night)) == len(that_night)


def test_ambiguous_local_time_runs_once_at_its_first_occurrence():
    daily = Schedule.build(cron="30 2 * * *", tz="Europe/Paris")
    got = list(daily.occurrences(utc(2026, 10, 24, 12), utc(2026, 10, 26, 12)))
    assert local(got) == ["Sun 2026-10-25 02:30 CEST", "Mon 2026-10-26 02:30 CET"]


def test_one_off_at_in_local_time():
    s = Schedule.build(at="2026-12-15T12:00", tz="Europe/Paris")
    assert s.next_after(utc(2026, 12, 1)) == utc(2026, 12, 15, 11)
    assert s.next_after(utc(2026, 12, 16)) is None
    assert list(s.occurrences(utc(2026, 12, 15), utc(2026, 12, 16))) == [utc(2026, 12, 15, 11)]
    with pytest.raises(UsageError, match="--at"):
        Schedule.build(at="next tuesday", tz="UTC")


def test_next_after_finds_rare_dates_and_gives_up_on_impossible_ones():
    leap = Schedule.build(cron="0 12 29 FEB *", tz="UTC")
    assert leap.next_after(utc(2026, 3, 1)) == utc(2028, 2, 29, 12)
    assert Schedule.build(cron="0 12 31 FEB *", tz="UTC").next_after(utc(2026, 1, 1)) is None


def test_validation_happens_when_adding():
    with pytest.raises(UsageError, match="exactly one"):
        Schedule.build(every="MON 09:00", cron="0 9 * * 1")
    with pytest.raises(UsageError, match="time zone"):
        Schedule.build(every="MON 09:00", tz="Europe/Atlantis")
    assert parse_duration("14d") == timedelta(days=14)
    with pytest.raises(UsageError):
        parse_duration("two weeks")


def test_one_duration_syntax_for_every_option():
    """`animate --next`, `audit --window` and `campaign --nudge` share parse_duration; each narrows it."""
    from rse_cli.cli.audit import parse_window
    from rse_cli.services.campaigns import parse_nudge

    assert parse_duration("90m") == timedelta(minutes=90) and parse_duration(" 2W ") == timedelta(weeks=2)
    assert (parse_window("30"), parse_window("30d"), parse_window("4w")) == (30, 30, 28)
    assert [parse_nudge(f"{d}:nudge").delay_hours for d in ("3d", "12h", "30m", "1w")] == [72, 12, 0.5, 168]
    for bad in ("0d", "3", "3y", "-2d"):
        with pytest.raises(UsageError, match="90m, 36h, 14d or 2w"):
            parse_duration(bad)
    for bad in ("36h", "0", "soon"):
        with pytest.raises(UsageError, match=r"--window .*14d or 2w"):
            parse_window(bad)
    with pytest.raises(UsageError, match="DELAY:TEMPLATE"):
        parse_nudge("3x:nudge")
