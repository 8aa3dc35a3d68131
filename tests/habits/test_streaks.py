from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.habits.streaks import local_day, streak

NY = ZoneInfo("America/New_York")


def days(*iso: str) -> list[date]:
    return [date.fromisoformat(d) for d in iso]


def test_consecutive_days_up_to_today_make_the_streak() -> None:
    s = streak(days("2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"), date(2026, 12, 1))
    assert (s.current, s.longest) == (4, 4)


def test_a_streak_survives_until_today_ends_and_breaks_after_a_missed_day() -> None:
    practised = days("2026-11-29", "2026-11-30")
    assert streak(practised, date(2026, 12, 1)).current == 2
    assert streak(practised, date(2026, 12, 2)).current == 0
    assert streak(practised, date(2026, 12, 2)).longest == 2


def test_several_answers_on_one_day_count_once() -> None:
    assert streak(days("2026-12-01", "2026-12-01"), date(2026, 12, 1)).current == 1


def test_no_activity_no_streak() -> None:
    assert streak([], date(2026, 12, 1)).current == 0


def test_dst_days_count_like_any_other() -> None:
    # 2026-03-08 (23 hours) and 2026-11-01 (25 hours) in New York: late-evening answers.
    spring = [datetime(2026, 3, d, 23, 30, tzinfo=NY).astimezone(UTC) for d in (7, 8, 9)]
    fall = [
        datetime(2026, 10, 31, 23, 30, tzinfo=NY),
        datetime(2026, 11, 1, 0, 30, tzinfo=NY),
        datetime(2026, 11, 1, 23, 59, tzinfo=NY),
        datetime(2026, 11, 2, 0, 1, tzinfo=NY),
    ]
    assert streak([local_day(i, NY) for i in spring], date(2026, 3, 9)).current == 3
    assert streak([local_day(i, NY) for i in fall], date(2026, 11, 2)).current == 3


def test_the_day_is_the_members_local_day() -> None:
    late_in_new_york = datetime(2026, 12, 2, 3, tzinfo=UTC)  # 22:00 on the 1st in New York
    assert local_day(late_in_new_york, NY) == date(2026, 12, 1)
    assert local_day(late_in_new_york, UTC) == date(2026, 12, 2)


def test_a_zone_change_keeps_the_days_already_counted() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2026, 12, 1, 12, tzinfo=NY)
    before = [local_day(start + timedelta(days=i), NY) for i in range(3)]  # Dec 1-3 in NY
    after = [local_day(datetime(2026, 12, 4, 20, tzinfo=tokyo), tokyo)]  # moved, Dec 4 local
    assert streak(before + after, date(2026, 12, 4)).current == 4
