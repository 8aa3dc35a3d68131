"""The daily review reminder: local times across DST, and claim-before-send on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.exts.habits.me import schedule_reminder
from bot.habits.reminders import (
    DmClosed,
    next_occurrence,
    parse_exam_date,
    parse_local_time,
    parse_zone,
    send_due_reminders,
    zone_choices,
)
from bot.habits.repository import HabitsRepository, MemberPrefs
from bot.practice.runs import AnswerRecord
from bot.store import Database

NEW_YORK = ZoneInfo("America/New_York")
ALICE, BOB = 111_222_333_444_555_666, 999_888_777_666_555_444


def test_zones_are_validated_and_autocompleted() -> None:
    assert parse_zone("america/chicago").key == "America/Chicago"
    with pytest.raises(UserError, match="Unknown time zone 'Mars/Olympus'"):
        parse_zone("Mars/Olympus")
    assert zone_choices("chicago") == ["America/Chicago"]
    assert zone_choices("new york")[0] == "America/New_York"
    empty = zone_choices("")  # nothing typed yet: the common zones, within Discord's 25
    assert "America/Chicago" in empty and 10 <= len(empty) <= 25


def test_times_and_dates_are_validated() -> None:
    assert parse_local_time(" 7:05 ") == time(7, 5)
    with pytest.raises(UserError, match="use 24-hour HH:MM"):
        parse_local_time("25:00")
    with pytest.raises(UserError, match="has passed"):
        parse_exam_date("2026-01-01", date(2026, 6, 1))
    with pytest.raises(UserError, match="use YYYY-MM-DD"):
        parse_exam_date("next friday", date(2026, 6, 1))


def test_a_reminder_keeps_its_local_time_across_dst() -> None:
    at = time(8, 0)
    before = next_occurrence(at, NEW_YORK, datetime(2026, 3, 7, 5, tzinfo=UTC))
    after = next_occurrence(at, NEW_YORK, before)
    assert before.astimezone(NEW_YORK).hour == after.astimezone(NEW_YORK).hour == 8
    assert after - before == timedelta(hours=23)  # spring forward: a 23-hour day
    skipped = next_occurrence(time(2, 30), NEW_YORK, datetime(2026, 3, 8, 5, tzinfo=UTC))
    assert skipped.astimezone(NEW_YORK).date() == date(2026, 3, 8)  # the gap: just after it
    fall = next_occurrence(time(1, 30), NEW_YORK, datetime(2026, 11, 1, 4, tzinfo=UTC))
    assert fall == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)


def test_changing_zone_after_todays_reminder_does_not_send_it_again() -> None:
    now = datetime(2026, 3, 2, 14, tzinfo=UTC)  # 09:00 in New York
    los_angeles = ZoneInfo("America/Los_Angeles")
    # the 2nd's reminder went out in Tokyo; the member moves to Los Angeles, where 20:00 on
    # the 2nd is still ahead: the next reminder is on the 3rd, not a second one on the 2nd
    claimed = MemberPrefs(ALICE, "America/Los_Angeles", None, "20:00", None, date(2026, 3, 2))
    moved = schedule_reminder(claimed, now)
    assert moved.reminder_next_at is not None
    assert moved.reminder_next_at.astimezone(los_angeles).date() == date(2026, 3, 3)
    fresh = schedule_reminder(replace(claimed, reminder_last_date=None), now)
    assert fresh.reminder_next_at is not None
    assert fresh.reminder_next_at.astimezone(los_angeles).date() == date(2026, 3, 2)


class Outbox:
    def __init__(self, closed: frozenset[int] = frozenset()) -> None:
        self.sent: list[tuple[int, int]] = []
        self.closed = closed

    async def __call__(self, member: int, due: int) -> None:
        if member in self.closed:
            raise DmClosed("50007")
        self.sent.append((member, due))


async def with_due_card(repo: HabitsRepository, member: int, at: datetime) -> None:
    await repo.answer([AnswerRecord(member, "q-1", "icd10cm", False, at, "quiz")])


async def test_one_reminder_a_day_even_across_a_restart(database: Database) -> None:
    repo = HabitsRepository(database)
    start = datetime(2026, 3, 2, 0, tzinfo=UTC)
    await with_due_card(repo, ALICE, start - timedelta(days=1))
    await repo.save_prefs(
        schedule_reminder(MemberPrefs(ALICE, "America/New_York", None, "08:00"), start), start
    )
    outbox = Outbox()
    at_eight = datetime(2026, 3, 2, 13, tzinfo=UTC)
    assert (await send_due_reminders(repo, at_eight - timedelta(minutes=1), outbox)).sent == []
    first = await send_due_reminders(repo, at_eight, outbox)
    again = await send_due_reminders(repo, at_eight + timedelta(seconds=30), outbox)  # restarted
    assert first.sent == [ALICE] and again.sent == [] and outbox.sent == [(ALICE, 1)]
    # down over the next morning's time: sent late the same day, within the catch-up window
    late = await send_due_reminders(repo, at_eight + timedelta(days=1, hours=2), outbox)
    assert late.sent == [ALICE]
    # down for a whole day: that day is dropped, not sent at night
    skipped = await send_due_reminders(repo, at_eight + timedelta(days=2, hours=11), outbox)
    assert skipped.skipped == [ALICE] and len(outbox.sent) == 2
    prefs = await repo.prefs(ALICE)
    assert prefs.reminder_next_at == at_eight + timedelta(days=3)


async def test_closed_dms_are_noted_and_not_retried(database: Database) -> None:
    repo = HabitsRepository(database)
    start = datetime(2026, 3, 2, 0, tzinfo=UTC)
    for member in (ALICE, BOB):
        await with_due_card(repo, member, start - timedelta(days=1))
        await repo.save_prefs(
            schedule_reminder(MemberPrefs(member, "UTC", None, "08:00"), start), start
        )
    outbox = Outbox(closed=frozenset({BOB}))
    first = await send_due_reminders(repo, datetime(2026, 3, 2, 8, tzinfo=UTC), outbox)
    assert first.sent == [ALICE] and first.closed == [BOB]
    second = await send_due_reminders(repo, datetime(2026, 3, 3, 8, tzinfo=UTC), outbox)
    assert second.sent == [ALICE] and second.closed == []
    assert (await repo.prefs(BOB)).dm_closed_at is not None


async def test_no_reminder_when_nothing_is_due(database: Database) -> None:
    repo = HabitsRepository(database)
    start = datetime(2026, 3, 2, 0, tzinfo=UTC)
    await repo.save_prefs(schedule_reminder(MemberPrefs(ALICE, "UTC", None, "08:00"), start), start)
    outbox = Outbox()
    result = await send_due_reminders(repo, datetime(2026, 3, 2, 8, tzinfo=UTC), outbox)
    assert result.skipped == [ALICE] and outbox.sent == []
