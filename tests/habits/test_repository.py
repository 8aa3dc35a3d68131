"""Review cards and member settings in the store, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.habits.repository import HabitsRepository, MemberPrefs
from bot.habits.review import LEARNING_STEPS
from bot.practice import runs as r
from bot.practice.repository import PracticeRepository
from bot.practice.runs import AnswerRecord
from bot.store import Database

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
IDS = ["icd-nec-meaning", "mod-25-same-day-em", "hcpcs-rt-modifier"]
ALICE, BOB = 111_222_333_444_555_666, 999_888_777_666_555_444


@pytest.fixture
def habits(database: Database) -> HabitsRepository:
    return HabitsRepository(database)


@pytest.fixture
def practice(database: Database) -> PracticeRepository:
    return PracticeRepository(database)


def answer(qid: str, correct: bool, at: datetime, member: int = ALICE) -> AnswerRecord:
    return AnswerRecord(member, qid, "icd10cm", correct, at, "quiz")


async def test_a_quiz_miss_becomes_a_card_and_a_right_answer_does_not(
    habits: HabitsRepository, practice: PracticeRepository
) -> None:
    run = await practice.start(r.new_quiz(ALICE, IDS, NOW))
    await practice.save(run, [answer(IDS[0], False, NOW), answer(IDS[1], True, NOW)])
    [card] = await habits.due_cards(ALICE, NOW + timedelta(days=30))
    assert card.question_id == IDS[0] and card.due == NOW + LEARNING_STEPS[0]
    assert await habits.due_cards(ALICE, NOW) == []  # due in hours, not now
    assert await habits.next_due(ALICE) == NOW + LEARNING_STEPS[0]
    assert await habits.next_due(BOB) is None


async def test_a_right_answer_moves_an_existing_card_on(habits: HabitsRepository) -> None:
    await habits.answer([answer(IDS[0], False, NOW)])
    first = await habits.card(ALICE, IDS[0])
    assert first is not None
    later = first.due
    await habits.answer([answer(IDS[0], True, later)])
    moved = await habits.card(ALICE, IDS[0])
    assert moved is not None and moved.reviews == 2 and moved.due > later
    # a miss again brings it back within hours
    await habits.answer([answer(IDS[0], False, moved.due)])
    again = await habits.card(ALICE, IDS[0])
    assert again is not None and again.due - moved.due <= timedelta(days=1)


async def test_a_mock_submission_moves_every_missed_card_at_once(
    habits: HabitsRepository,
) -> None:
    await habits.answer([answer(q, False, NOW) for q in IDS] + [answer("x", True, NOW)])
    due = await habits.due_cards(ALICE, NOW + timedelta(days=1))
    assert sorted(c.question_id for c in due) == sorted(IDS)
    assert await habits.due_count(ALICE, NOW + timedelta(days=1)) == 3
    assert await habits.due_count(BOB, NOW + timedelta(days=1)) == 0


async def test_the_exam_date_in_the_settings_clamps_new_intervals(
    habits: HabitsRepository,
) -> None:
    await habits.answer([answer(IDS[0], False, NOW)])
    card = await habits.card(ALICE, IDS[0])
    assert card is not None
    for _ in range(4):  # right answers stretch it to days
        await habits.answer([answer(IDS[0], True, card.due)])
        card = await habits.card(ALICE, IDS[0])
        assert card is not None
    exam = (card.due + timedelta(days=2)).date()
    await habits.save_prefs(MemberPrefs(ALICE, "UTC", exam), NOW)
    now = card.due
    await habits.answer([answer(IDS[0], True, now)])
    clamped = await habits.card(ALICE, IDS[0])
    assert clamped is not None
    assert clamped.due.date() <= exam - timedelta(days=1) and clamped.due >= now


async def test_settings_round_trip(habits: HabitsRepository) -> None:
    assert await habits.prefs(ALICE) == MemberPrefs(ALICE)
    prefs = MemberPrefs(ALICE, "Europe/Berlin", date(2026, 6, 1), "07:30", NOW, None, None)
    await habits.save_prefs(prefs, NOW)
    assert await habits.prefs(ALICE) == prefs
    changed = MemberPrefs(ALICE, "Asia/Tokyo")
    await habits.save_prefs(changed, NOW)
    assert await habits.prefs(ALICE) == changed


async def test_a_reminder_is_claimed_once(habits: HabitsRepository) -> None:
    await habits.save_prefs(MemberPrefs(ALICE, "UTC", None, "08:00", NOW), NOW)
    [due] = await habits.reminders_due(NOW)
    tomorrow = NOW + timedelta(days=1)
    assert await habits.claim_reminder(due, NOW.date(), tomorrow, NOW)
    assert not await habits.claim_reminder(due, NOW.date(), tomorrow, NOW)  # a second process
    assert await habits.reminders_due(NOW) == []
    stored = await habits.prefs(ALICE)
    assert stored.reminder_last_date == NOW.date() and stored.reminder_next_at == tomorrow
    await habits.mark_dm_closed(ALICE, NOW)
    assert await habits.reminders_due(tomorrow) == []  # DMs closed: not tried every day
