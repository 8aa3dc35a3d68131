"""Pure scheduling: time parsing, time zones, DST, next due date, catch-up decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.scheduling.times import (
    COMMON_ZONES,
    Due,
    InvalidPostTimeError,
    Schedule,
    ScheduleError,
    UnknownTimeZoneError,
    decide,
    format_duration,
    get_zone,
    next_due,
    normalize_timezone,
    parse_post_time,
    suggest_timezones,
)

NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:05", time(9, 5)),
        ("9:05", time(9, 5)),
        (" 21:30 ", time(21, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("9am", time(9, 0)),
        ("9 AM", time(9, 0)),
        ("9 a.m.", time(9, 0)),
        ("5:30pm", time(17, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15 am", time(0, 15)),
    ],
)
def test_parse_post_time_accepts(text: str, expected: time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["9", "24:00", "25:00", "09:60", "9:5", "13pm", "0am", "9m", "9:05:00", "nine", "", "１:00"],
)
def test_parse_post_time_rejects_with_clear_message(text: str) -> None:
    with pytest.raises(InvalidPostTimeError) as info:
        parse_post_time(text)
    assert isinstance(info.value, ValueError)
    assert "HH:MM" in str(info.value)
    assert repr(text) in str(info.value)


# --------------------------------------------------------------------------- time zones


def test_unknown_time_zone_names_it_and_suggests_an_example() -> None:
    with pytest.raises(UnknownTimeZoneError) as info:
        normalize_timezone("Mars/Base")
    message = str(info.value)
    assert "'Mars/Base'" in message
    assert "Use an IANA name such as America/New_York" in message
    assert isinstance(info.value, ScheduleError) and isinstance(info.value, ValueError)


def test_unknown_time_zone_suggests_close_names() -> None:
    with pytest.raises(UnknownTimeZoneError) as info:
        normalize_timezone("PST")
    assert "America/Los_Angeles" in info.value.suggestions


@pytest.mark.parametrize("name", ["localtime", "posixrules", "", "   ", "../etc/passwd"])
def test_odd_zone_keys_are_refused(name: str) -> None:
    with pytest.raises(UnknownTimeZoneError):
        normalize_timezone(name)


def test_time_zone_names_are_forgiving_about_case_and_spaces() -> None:
    assert normalize_timezone("america/new york") == NY
    assert normalize_timezone(" Asia/Manila ") == "Asia/Manila"
    assert get_zone("europe/london").key == "Europe/London"


def test_suggestions_for_an_empty_query_are_the_common_zones() -> None:
    assert suggest_timezones("") == list(COMMON_ZONES[:25])
    assert suggest_timezones("", limit=3) == list(COMMON_ZONES[:3])


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("new york", NY),
        ("New_Y", NY),
        ("chic", "America/Chicago"),
        ("manila", "Asia/Manila"),
        ("america/los", "America/Los_Angeles"),
        ("pst", "America/Los_Angeles"),
        ("york new", NY),
        ("london", "Europe/London"),
    ],
)
def test_suggestions_rank_the_likely_zone_first(query: str, first: str) -> None:
    assert suggest_timezones(query)[0] == first


def test_abbreviations_suggest_the_zone_people_mean() -> None:
    assert suggest_timezones("EST", limit=2) == ["EST", NY]  # the fixed zone exists too


def test_suggestions_respect_the_limit_and_are_valid_names() -> None:
    found = suggest_timezones("america", limit=25)
    assert len(found) == 25
    assert all(normalize_timezone(zone) == zone for zone in found)
    assert suggest_timezones("zzzz-not-a-zone") == []


# --------------------------------------------------------------------------- DST


def test_spring_forward_gap_time_is_shifted_forward_not_dropped() -> None:
    schedule = Schedule.parse("02:30", NY)
    at = schedule.scheduled_utc(date(2026, 3, 8))  # 02:30 does not exist that day
    assert at == utc(2026, 3, 8, 7, 30)
    assert at.astimezone(schedule.zone).strftime("%H:%M %Z") == "03:30 EDT"
    # Neighbouring days are at 02:30 local, in their own offsets.
    assert schedule.scheduled_utc(date(2026, 3, 7)) == utc(2026, 3, 7, 7, 30)
    assert schedule.scheduled_utc(date(2026, 3, 9)) == utc(2026, 3, 9, 6, 30)


def test_fall_back_repeated_time_uses_the_first_occurrence() -> None:
    schedule = Schedule.parse("01:30", NY)
    at = schedule.scheduled_utc(date(2026, 11, 1))  # 01:30 happens twice that day
    assert at == utc(2026, 11, 1, 5, 30)
    assert at.astimezone(schedule.zone).strftime("%H:%M %Z") == "01:30 EDT"


def test_every_local_date_has_exactly_one_instant_across_a_year() -> None:
    schedule = Schedule.parse("02:30", NY)
    day = date(2026, 1, 1)
    instants = []
    while day.year == 2026:
        at = schedule.scheduled_utc(day)
        assert schedule.local_date(at) == day
        instants.append(at)
        day += timedelta(days=1)
    assert instants == sorted(set(instants))


# --------------------------------------------------------------------------- next due


def test_next_due_is_today_if_still_ahead_else_tomorrow() -> None:
    schedule = Schedule.parse("09:00", NY)
    # 07:00 EST on Monday 2 March.
    assert next_due(schedule, utc(2026, 3, 2, 12)) == Due(date(2026, 3, 2), utc(2026, 3, 2, 14))
    # 09:01 EST: today's time has passed.
    assert next_due(schedule, utc(2026, 3, 2, 14, 1)).local_date == date(2026, 3, 3)


def test_next_due_honours_after_and_catchup() -> None:
    schedule = Schedule.parse("09:00", NY)
    now = utc(2026, 3, 2, 17)  # 12:00 local, 3 h after post time
    assert next_due(schedule, now, catchup=timedelta(hours=6)).local_date == date(2026, 3, 2)
    assert next_due(schedule, now, catchup=timedelta(hours=2)).local_date == date(2026, 3, 3)
    handled = next_due(schedule, now, after=date(2026, 3, 2), catchup=timedelta(hours=6))
    assert handled.local_date == date(2026, 3, 3)
    # A long-past `after` never schedules a past day.
    old = next_due(schedule, now, after=date(2026, 2, 1), catchup=timedelta(hours=6))
    assert old.local_date == date(2026, 3, 2)


def test_next_due_skips_weekends_when_set() -> None:
    schedule = Schedule.parse("09:00", NY, skip_weekends=True)
    friday_evening = utc(2026, 3, 6, 23)
    assert next_due(schedule, friday_evening).local_date == date(2026, 3, 9)  # Monday
    every_day = Schedule.parse("09:00", NY)
    assert next_due(every_day, friday_evening).local_date == date(2026, 3, 7)


def test_next_due_uses_the_guilds_local_date() -> None:
    schedule = Schedule.parse("08:00", "Asia/Manila")  # UTC+8
    now = utc(2026, 3, 2, 23)  # already 07:00 on 3 March in Manila
    assert next_due(schedule, now) == Due(date(2026, 3, 3), utc(2026, 3, 3, 0))


# --------------------------------------------------------------------------- decisions


def test_decide_post_wait_and_skip() -> None:
    schedule = Schedule.parse("09:00", NY)
    day = date(2026, 3, 2)
    window = timedelta(hours=6)
    assert decide(schedule, day, utc(2026, 3, 2, 13, 59), window).action == "wait"
    assert decide(schedule, day, utc(2026, 3, 2, 14), window).action == "post"
    assert decide(schedule, day, utc(2026, 3, 2, 20), window).action == "post"  # exactly 6 h
    late = decide(schedule, day, utc(2026, 3, 2, 20, 1), window)
    assert late.action == "skip"
    assert late.reason is not None and "6h catch-up window" in late.reason
    assert "6h 1m late" in late.reason


def test_decide_skips_once_the_local_day_is_over_even_within_the_window() -> None:
    schedule = Schedule.parse("22:00", NY)
    decision = decide(schedule, date(2026, 3, 2), utc(2026, 3, 3, 6), timedelta(hours=6))
    assert decision.action == "skip"  # 01:00 local the next day, 3 h late
    assert decision.reason is not None and "local day had ended" in decision.reason


def test_decide_weekend_of_a_weekday_schedule_is_a_skip() -> None:
    schedule = Schedule.parse("09:00", NY, skip_weekends=True)
    decision = decide(schedule, date(2026, 3, 7), utc(2026, 3, 7, 14), timedelta(hours=6))
    assert decision.action == "skip"


def test_naive_datetimes_are_refused() -> None:
    schedule = Schedule.parse("09:00", NY)
    with pytest.raises(ValueError, match="aware"):
        next_due(schedule, datetime(2026, 3, 2, 12))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=6), "6h"),
        (timedelta(hours=7, minutes=12), "7h 12m"),
        (timedelta(days=2, hours=3), "2d 3h"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
